package models

import "slices"

// StringList is a list of strings stored as a JSON array in one column.
type StringList []string

// Contains reports whether s is in the list.
func (l StringList) Contains(s string) bool { return slices.Contains(l, s) }
