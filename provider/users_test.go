package provider

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPasswordChecksAreBounded(t *testing.T) {
	p := &Provider{hashSlots: make(chan struct{}, 1)}
	p.hashSlots <- struct{}{} // every slot busy
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// With no slot free the check waits, and gives up with its request.
	if _, err := p.checkPassword(ctx, "someone", "password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("checkPassword with every slot busy: %v", err)
	}
}
