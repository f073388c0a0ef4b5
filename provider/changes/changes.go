// Package changes carries notices of changed records between the instances
// of the provider, so that each can drop what it cached of a record the
// moment another one (or the admin API, or the command line) changes it.
//
// A Notice names a record, never its content: an instance that hears of a
// change reads the record again when it next needs it. Two feeds exist:
// Local, within one process (the embedded deployment, where the admin API
// runs in the one server), and Redis, between every process that shares a
// Redis (PUBLISH and SUBSCRIBE on one channel).
//
// Notices are a hint with a bound: a subscriber that may have missed some
// (before its subscription was confirmed, or while its connection was down)
// is told to drop everything, and a cache that misses a notice anyway
// serves the old record only until its TTL ends.
package changes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Kind is the family of the record a notice is about.
type Kind string

// The kinds of records instances cache.
const (
	Client Kind = "client"
	User   Kind = "user"
)

// Notice says that the record of Kind with ID changed or was deleted.
type Notice struct {
	Kind Kind
	ID   string
}

// maxID bounds the ID of a notice; record IDs are at most 64 characters,
// and the bound keeps garbage from the wire out of the logs and caches.
const maxID = 255

// ErrMalformed is returned for a notice that names no known kind or a bad
// ID, whether given to Publish or received from the wire.
var ErrMalformed = errors.New("changes: malformed notice")

// check returns ErrMalformed unless n is a notice of a known kind with an
// ID of printable text.
func (n Notice) check() error {
	switch n.Kind {
	case Client, User:
	default:
		return fmt.Errorf("%w: unknown kind %.32q", ErrMalformed, string(n.Kind))
	}
	if n.ID == "" || len(n.ID) > maxID || !utf8.ValidString(n.ID) || strings.ContainsFunc(n.ID, unicode.IsControl) {
		return fmt.Errorf("%w: bad %s ID %.32q", ErrMalformed, n.Kind, n.ID)
	}
	return nil
}

// encode is the notice on the wire: the kind, a colon, the ID, as in
// "client:web-app". The kind doubles as the format's version: a receiver
// refuses kinds it does not know, so a later format must use new words.
func (n Notice) encode() string { return string(n.Kind) + ":" + n.ID }

// decode parses what encode wrote. IDs may themselves hold colons: only
// the first one separates.
func decode(s string) (Notice, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok {
		return Notice{}, fmt.Errorf("%w: no kind in %.32q", ErrMalformed, s)
	}
	n := Notice{Kind: Kind(kind), ID: id}
	if err := n.check(); err != nil {
		return Notice{}, err
	}
	return n, nil
}

// Handler is what a subscriber does with the feed. Its methods must be
// quick and safe for concurrent use: a feed calls them from the goroutine
// of a Publish in the same process as well as from its own.
type Handler interface {
	// Changed is called for each notice.
	Changed(n Notice)
	// Reset is called each time the subscription starts or starts again,
	// once notices published from then on will be delivered. Notices may
	// have been missed before: everything cached must be dropped.
	Reset()
}

// Publisher tells every subscriber that a record changed.
type Publisher interface {
	// Publish sends n. The record must be written (committed) first, so a
	// subscriber that reads it after the notice reads the change. An error
	// means some subscribers may not hear of it.
	Publish(ctx context.Context, n Notice) error
}

// Feed carries notices between instances; Local and Redis are the two.
type Feed interface {
	Publisher
	// Subscribe delivers notices to h until ctx ends, and returns nil
	// then; an error means it stopped before. h.Reset comes first, once
	// the subscription is in place, and again after every reconnection.
	Subscribe(ctx context.Context, h Handler) error
}

// handlers is a set of in-process subscribers, told synchronously.
type handlers struct {
	mu   sync.Mutex
	next int
	set  map[int]Handler
}

// add registers h and returns the function that removes it.
func (hs *handlers) add(h Handler) (remove func()) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.set == nil {
		hs.set = map[int]Handler{}
	}
	id := hs.next
	hs.next++
	hs.set[id] = h
	return func() {
		hs.mu.Lock()
		defer hs.mu.Unlock()
		delete(hs.set, id)
	}
}

// changed tells every registered handler of n before it returns. The
// handlers are called outside the lock, so one may subscribe or publish.
func (hs *handlers) changed(n Notice) {
	hs.mu.Lock()
	list := make([]Handler, 0, len(hs.set))
	for _, h := range hs.set {
		list = append(list, h)
	}
	hs.mu.Unlock()
	for _, h := range list {
		h.Changed(n)
	}
}
