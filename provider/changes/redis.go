package changes

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the feed between processes: PUBLISH and SUBSCRIBE on one
// channel, Prefix + "changes", so deployments sharing a Redis under
// different prefixes do not hear each other. It works on a node, through
// Sentinel and on a Cluster, where PUBLISH reaches the subscribers of
// every node.
//
// Subscribers in the same process are also told synchronously by Publish,
// as with Local, so the instance that makes a change sees it on its next
// request; they hear it from Redis a moment later too, which is harmless.
type Redis struct {
	client  redis.UniversalClient
	channel string
	log     *slog.Logger
	local   handlers
}

// NewRedis returns the feed on client (the one the token store uses) under
// the key prefix. Log receives malformed messages, resubscriptions and a
// first subscription that is slow in coming; nil discards them.
func NewRedis(client redis.UniversalClient, prefix string, log *slog.Logger) *Redis {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Redis{client: client, channel: prefix + "changes", log: log}
}

// Publish tells the subscribers in this process of n, then every other
// subscriber through Redis. An error means the other processes may not
// hear of it.
func (r *Redis) Publish(ctx context.Context, n Notice) error {
	if err := n.check(); err != nil {
		return err
	}
	r.local.changed(n)
	return r.client.Publish(ctx, r.channel, n.encode()).Err()
}

// slowSubscription is how long Subscribe waits for its first subscription
// before it logs that it is still waiting.
var slowSubscription = 10 * time.Second

// Subscribe delivers notices to h until ctx ends. h.Reset is called each
// time Redis confirms the subscription: first, and again after every
// reconnection, since the notices published while the connection was
// down are lost. go-redis reconnects on its own, and pings an idle
// connection to find one that died silently.
func (r *Redis) Subscribe(ctx context.Context, h Handler) error {
	remove := r.local.add(h)
	defer remove()
	ps := r.client.Subscribe(ctx, r.channel)
	defer ps.Close()
	msgs := ps.ChannelWithSubscriptions()
	subscribed := false
	// go-redis retries a subscription that fails without a word: say so
	// when it takes long, since the subscriber may be waiting on it.
	slow := time.After(slowSubscription)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-slow:
			if !subscribed {
				r.log.WarnContext(ctx, "not subscribed to record change notices yet; still trying "+
					"(with Redis ACLs, the user needs SUBSCRIBE and PUBLISH on the channel)", "channel", r.channel)
			}
		case m, ok := <-msgs:
			if !ok {
				return errors.New("changes: the Redis subscription was closed")
			}
			switch m := m.(type) {
			case *redis.Subscription:
				if m.Kind != "subscribe" || m.Channel != r.channel {
					continue
				}
				h.Reset()
				if subscribed {
					r.log.InfoContext(ctx, "subscribed again to record change notices; cached records dropped", "channel", r.channel)
				}
				subscribed = true
			case *redis.Message:
				n, err := decode(m.Payload)
				if err != nil {
					r.log.WarnContext(ctx, "ignoring a malformed record change notice", "channel", r.channel, "error", err)
					continue
				}
				h.Changed(n)
			}
		}
	}
}
