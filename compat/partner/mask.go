package partner

import "strings"

// maskRule hides the middle of a value: it keeps the first head and the
// last tail characters (runes, so Chinese text is cut between characters)
// and puts a fixed number of stars between them. The number of stars never
// depends on the value, so a masked value does not reveal its length.
//
// The rules are derived from the document's examples: each reproduces its
// example exactly (see mask_test.go), and the phone examples show that the
// stars are fixed, since an 11-digit mobile number becomes 12 characters.
type maskRule struct {
	head, stars, tail int
}

// The masking rule of each masked field.
var (
	maskUsername    = maskRule{head: 2, stars: 6, tail: 2}  // li******40
	maskPersonName  = maskRule{head: 1, stars: 2, tail: 0}  // 李**
	maskUserPhone   = maskRule{head: 2, stars: 6, tail: 4}  // 13******0170
	maskCompanyName = maskRule{head: 4, stars: 7, tail: 3}  // 水磨沟区*******餐饮店
	maskTaxNumber   = maskRule{head: 7, stars: 15, tail: 5} // 6523248***************03404
	maskAddress     = maskRule{head: 5, stars: 3, tail: 5}  // 乌鲁木齐市***巷186号
	maskCompanyTel  = maskRule{head: 3, stars: 5, tail: 4}  // 133*****0170 (legal_person_phone, tel_phone)
)

// apply masks s. An empty value stays empty. A value too short to keep
// head and tail and still hide something keeps only its first character
// (none when it has just one) before the stars.
func (m maskRule) apply(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	head, tail := m.head, m.tail
	if len(r) <= head+tail {
		head, tail = min(1, len(r)-1), 0
	}
	var b strings.Builder
	b.WriteString(string(r[:head]))
	b.WriteString(strings.Repeat("*", m.stars))
	b.WriteString(string(r[len(r)-tail:]))
	return b.String()
}

// show returns s in clear for a full-profile grant, masked otherwise.
func (m maskRule) show(s string, clear bool) string {
	if clear {
		return s
	}
	return m.apply(s)
}
