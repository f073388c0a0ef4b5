package provider

import (
	"context"
	"time"

	"github.com/tongxing/tongxing/provider/changes"
)

// resubscribeDelay spaces the attempts to follow a feed that stopped.
const resubscribeDelay = time.Second

// Follow keeps the record caches in step with Config.Changes until ctx
// ends: a notice drops the record it names, and each (re)subscription,
// after which notices may have been missed, drops every record. The
// server runs it in a goroutine; without Changes it returns at once.
func (p *Provider) Follow(ctx context.Context) {
	if p.changes == nil {
		return
	}
	for {
		err := p.changes.Subscribe(ctx, recordFeed{p})
		if ctx.Err() != nil {
			return
		}
		// Cached records stay, bounded by the TTL; the next subscription
		// drops them.
		p.log.ErrorContext(ctx, "following record changes stopped; subscribing again", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(resubscribeDelay):
		}
	}
}

// recordFeed is the provider as a subscriber of record changes.
type recordFeed struct{ p *Provider }

func (f recordFeed) Changed(n changes.Notice) {
	switch n.Kind {
	case changes.Client:
		f.p.clientRecords.forget(n.ID)
	case changes.User:
		f.p.userRecords.forget(n.ID)
	}
}

func (f recordFeed) Reset() {
	f.p.clientRecords.reset()
	f.p.userRecords.reset()
}
