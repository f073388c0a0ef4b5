package conformance

import (
	"bytes"
	"testing"
)

// testNoClearValues fills a store with every shape, redeems and revokes
// some, and searches all it holds for any token value.
func testNoClearValues(t *testing.T, newStore Backend) {
	f := setup(t, newStore)
	g := f.grants()
	var values []string
	for _, ti := range g.all() {
		for _, k := range kinds {
			if v := k.value(ti); v != "" {
				values = append(values, v)
			}
		}
	}
	for _, err := range []error{
		f.store.RemoveByCode(f.ctx, g.famACode.Code),
		f.store.RemoveByRefresh(f.ctx, g.famAPair.Refresh),
		f.store.RemoveByAccess(f.ctx, g.famAPair.Access),
		f.store.RevokeClient(f.ctx, "c2"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	dump := f.dump(t)
	if !bytes.Contains(dump, []byte("fam-d")) {
		t.Fatal("the dump lacks a family stored in clear; it does not show what the store holds")
	}
	for _, v := range values {
		if bytes.Contains(dump, []byte(v)) {
			t.Errorf("the store holds token %q in clear", v)
		}
	}
}
