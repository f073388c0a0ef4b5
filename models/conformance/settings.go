package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

var settingTests = []subTest{
	{"CreateOnce", testSettingCreateOnce},
	{"NamesAreIndependent", testSettingNames},
	{"CreateError", testSettingCreateError},
	{"Concurrent", testSettingConcurrent},
}

// constant returns a create function yielding v and counting its calls.
func constant(v []byte, calls *int) func() ([]byte, error) {
	return func() ([]byte, error) {
		*calls++
		return v, nil
	}
}

func testSettingCreateOnce(t *testing.T, s *models.Store) {
	value := []byte{0x00, 0x10, 0xff, 'k', 'e', 'y'}
	var calls int
	got, err := s.Settings.GetOrCreate(t.Context(), "secret-key", constant(value, &calls))
	mustBe(t, "first", err, nil)
	if !bytes.Equal(got, value) || calls != 1 {
		t.Fatalf("first call = %x after %d create calls, want %x after 1", got, calls, value)
	}
	got, err = s.Settings.GetOrCreate(t.Context(), "secret-key", constant([]byte("other"), &calls))
	mustBe(t, "second", err, nil)
	if !bytes.Equal(got, value) || calls != 1 {
		t.Fatalf("second call = %x after %d create calls, want %x after 1", got, calls, value)
	}
}

func testSettingNames(t *testing.T, s *models.Store) {
	var calls int
	for _, name := range []string{"a", "b", "c"} {
		got, err := s.Settings.GetOrCreate(t.Context(), name, constant([]byte("value of "+name), &calls))
		mustBe(t, name, err, nil)
		if string(got) != "value of "+name {
			t.Fatalf("%s = %q, want %q", name, got, "value of "+name)
		}
	}
	if calls != 3 {
		t.Fatalf("create called %d times, want 3", calls)
	}
	got, err := s.Settings.GetOrCreate(t.Context(), "b", constant(nil, &calls))
	mustBe(t, "b again", err, nil)
	if string(got) != "value of b" {
		t.Fatalf("b = %q, want %q", got, "value of b")
	}
}

func testSettingCreateError(t *testing.T, s *models.Store) {
	boom := errors.New("no entropy")
	got, err := s.Settings.GetOrCreate(t.Context(), "k", func() ([]byte, error) { return nil, boom })
	mustBe(t, "failing create", err, boom)
	if got != nil {
		t.Fatalf("value %q returned with an error", got)
	}
	// Nothing was stored: the next caller creates the value.
	var calls int
	got, err = s.Settings.GetOrCreate(t.Context(), "k", constant([]byte("v"), &calls))
	mustBe(t, "retry", err, nil)
	if string(got) != "v" || calls != 1 {
		t.Fatalf("retry = %q after %d create calls, want %q after 1", got, calls, "v")
	}
}

func testSettingConcurrent(t *testing.T, s *models.Store) {
	const n = 16
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		results = make([][]byte, n)
		errs    = make([]error, n)
		// Callers that found no value wait in create for the others (or a
		// moment), so several of them store a value at the same time.
		entered  = make(chan struct{}, n)
		together = make(chan struct{})
	)
	go func() {
		defer close(together)
		timeout := time.After(200 * time.Millisecond)
		for range n {
			select {
			case <-entered:
			case <-timeout:
				return
			}
		}
	}()
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = s.Settings.GetOrCreate(t.Context(), "shared", func() ([]byte, error) {
				entered <- struct{}{}
				<-together
				return fmt.Appendf(nil, "value-%02d", i), nil
			})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		mustBe(t, fmt.Sprintf("caller %d", i), errs[i], nil)
		if !bytes.Equal(results[i], results[0]) {
			t.Fatalf("caller %d got %q, caller 0 got %q", i, results[i], results[0])
		}
	}
	var calls int
	stored, err := s.Settings.GetOrCreate(t.Context(), "shared", constant([]byte("late"), &calls))
	mustBe(t, "read back", err, nil)
	if !bytes.Equal(stored, results[0]) || calls != 0 {
		t.Fatalf("stored %q (create called %d times), callers got %q", stored, calls, results[0])
	}
	if len(stored) != len("value-00") || !bytes.HasPrefix(stored, []byte("value-")) {
		t.Fatalf("stored %q is none of the callers' values", stored)
	}
}
