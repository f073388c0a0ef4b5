package record

import (
	"fmt"

	"github.com/go-oauth2/oauth2/v4"
)

// memberPart is the size of one artifact in an index member.
const memberPart = 1 + len(Digest{})

// Member returns the index member of a record: the kind and digest of each
// of its artifacts. Both the writer of an index entry and a later remover
// derive it from the record alone, so they agree on it.
func Member(arts []Artifact) []byte {
	m := make([]byte, 0, len(arts)*memberPart)
	for _, a := range arts {
		m = append(m, byte(a.Kind))
		m = append(m, a.Digest[:]...)
	}
	return m
}

// ParseMember returns the artifacts named by an index member, without
// expiry.
func ParseMember(m []byte) ([]Artifact, error) {
	if len(m) == 0 || len(m)%memberPart != 0 {
		return nil, fmt.Errorf("index member of %d bytes: %w", len(m), ErrCorrupt)
	}
	arts := make([]Artifact, 0, len(m)/memberPart)
	for ; len(m) > 0; m = m[memberPart:] {
		a := Artifact{Kind: Kind(m[0])}
		switch a.Kind {
		case Code, Access, Refresh:
		default:
			return nil, fmt.Errorf("index member kind %q: %w", m[0], ErrCorrupt)
		}
		copy(a.Digest[:], m[1:memberPart])
		arts = append(arts, a)
	}
	return arts, nil
}

// IndexedClient returns the client whose index the record ti, with these
// artifacts, belongs in, or "" for none: records with a code or a refresh
// token, which live long and can be traded for new tokens. A lone access
// token is left out: it expires on its own, the provider refuses it once
// its client is disabled or deleted (models.Client.TokenGeneration), and
// leaving it out spares client_credentials issuance the index's writes.
func IndexedClient(ti oauth2.TokenInfo, arts []Artifact) string {
	for _, a := range arts {
		if a.Kind == Code || a.Kind == Refresh {
			return ti.GetClientID()
		}
	}
	return ""
}

// Indexed reports whether a record with these artifacts belongs in its
// family's index: records with a code or refresh token, and any record of
// a user (its code may be replayed, which revokes it through the family).
// Only a client's own lone access token shares its family with nothing,
// and skipping it keeps client_credentials tokens small.
func Indexed(arts []Artifact, userID string) bool {
	if userID != "" {
		return true
	}
	for _, a := range arts {
		if a.Kind == Code || a.Kind == Refresh {
			return true
		}
	}
	return false
}
