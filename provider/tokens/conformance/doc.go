// Package conformance is the behaviour every tokens.Store must show,
// written once and run against each backend: the shapes go-oauth2 creates,
// lookups by each artifact with sibling Refs, single-use removal under
// concurrency, tombstones, per-artifact expiry under a controlled clock,
// revocation by family, client and user, listing a user's grants, keeping
// no token in clear, and a full code → token → refresh run through
// go-oauth2's own manage.Manager.
//
// A backend's test calls RunTests with a Backend that opens an empty store
// on the suite's Clock.
package conformance
