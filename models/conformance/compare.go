package conformance

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

var timeType = reflect.TypeFor[time.Time]()

// diff lists the fields in which two records of the same struct type
// differ, comparing times as instants (the location a driver reads back is
// not part of the value) and everything else exactly.
func diff(got, want any) string {
	g, w := reflect.Indirect(reflect.ValueOf(got)), reflect.Indirect(reflect.ValueOf(want))
	if g.Type() != w.Type() {
		return fmt.Sprintf("type %s, want %s", g.Type(), w.Type())
	}
	var out []string
	for i := range g.NumField() {
		name := g.Type().Field(i).Name
		gf, wf := g.Field(i), w.Field(i)
		if !sameValue(gf, wf) {
			out = append(out, fmt.Sprintf("%s: got %s, want %s", name, show(gf), show(wf)))
		}
	}
	return strings.Join(out, "; ")
}

func sameValue(g, w reflect.Value) bool {
	switch {
	case g.Type() == timeType:
		return g.Interface().(time.Time).Equal(w.Interface().(time.Time))
	case g.Kind() == reflect.Pointer && g.Type().Elem() == timeType:
		if g.IsNil() || w.IsNil() {
			return g.IsNil() == w.IsNil()
		}
		return sameValue(g.Elem(), w.Elem())
	default:
		return reflect.DeepEqual(g.Interface(), w.Interface())
	}
}

func show(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "nil"
		}
		return "&" + show(v.Elem())
	}
	if v.Kind() == reflect.Slice && v.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%#v", v.Interface())
}

// mustEqual fails the test unless got and want are the same record.
func mustEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Fatalf("%s differs: %s", what, d)
	}
}

// mustBe fails the test unless err is target (nil for success).
func mustBe(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// clock brackets a write so the times it stamps can be checked: stored
// times are UTC to the millisecond, so the lower bound is truncated.
type clock struct{ before, after time.Time }

func startClock() *clock { return &clock{before: time.Now().Truncate(time.Millisecond)} }

func (c *clock) stop() *clock { c.after = time.Now(); return c }

// within fails the test unless tm was taken between start and stop.
func (c *clock) within(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.Before(c.before) || tm.After(c.after) {
		t.Fatalf("%s = %s, want within [%s, %s]", what, tm, c.before, c.after)
	}
	if tm.Location() != time.UTC {
		t.Fatalf("%s = %s, want UTC", what, tm)
	}
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// base is a fixed instant for records that carry explicit times; it has a
// sub-millisecond part so the stores' rounding to milliseconds is visible.
var base = time.Date(2024, 3, 1, 8, 30, 0, 123_456_789, time.UTC)

// at is base plus n seconds, as a store keeps it.
func at(n int) time.Time {
	return base.Add(time.Duration(n) * time.Second).Truncate(time.Millisecond)
}

// ids returns the IDs of records in order.
func ids[T any](recs []T, id func(*T) string) []string {
	out := make([]string, len(recs))
	for i := range recs {
		out[i] = id(&recs[i])
	}
	return out
}

// mustIDs fails the test unless got lists exactly want, in order.
func mustIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func pageName(p models.Page) string {
	return fmt.Sprintf("offset %d limit %d", p.Offset, p.Limit)
}

// mustFillAll fails the test if a field of rec other than those the store
// sets is zero, so a field added to a record is not left out of the
// round-trip tests.
func mustFillAll(t *testing.T, rec any, storeSet ...string) {
	t.Helper()
	v := reflect.Indirect(reflect.ValueOf(rec))
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		if v.Field(i).IsZero() && !slices.Contains(storeSet, name) {
			t.Fatalf("%s.%s is zero in the test record: give it a value", v.Type().Name(), name)
		}
	}
}
