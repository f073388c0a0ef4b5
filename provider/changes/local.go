package changes

import "context"

// Local is the feed within one process: Publish calls every subscriber's
// handler before it returns, so a change made through the admin API is
// seen by the next request the same process serves. Its zero value is
// ready to use.
type Local struct {
	subscribers handlers
}

// NewLocal returns an empty in-process feed.
func NewLocal() *Local { return &Local{} }

// Publish tells every subscriber of n. It fails only for a malformed n.
func (l *Local) Publish(_ context.Context, n Notice) error {
	if err := n.check(); err != nil {
		return err
	}
	l.subscribers.changed(n)
	return nil
}

// Subscribe delivers notices to h until ctx ends. h.Reset is called once,
// as soon as h is registered: what h cached before may have missed a
// notice.
func (l *Local) Subscribe(ctx context.Context, h Handler) error {
	remove := l.subscribers.add(h)
	defer remove()
	h.Reset()
	<-ctx.Done()
	return nil
}
