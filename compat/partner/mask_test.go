package partner

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The document's masked examples, each from a plausible clear value.
func TestMaskDocumentExamples(t *testing.T) {
	for _, c := range []struct {
		field string
		rule  maskRule
		clear string
		want  string
	}{
		{"username", maskUsername, "lixiaoming40", "li******40"},
		{"username (length hidden)", maskUsername, "li12345640", "li******40"},
		{"truename", maskPersonName, "李小明", "李**"},
		{"phone", maskUserPhone, "13899990170", "13******0170"},
		{"tax_number", maskTaxNumber, "652324873203404", "6523248***************03404"},
		{"tax_number (18 characters)", maskTaxNumber, "652324873200003404", "6523248***************03404"},
		{"company_name", maskCompanyName, "水磨沟区新疆味道大盘鸡餐饮店", "水磨沟区*******餐饮店"},
		{"address", maskAddress, "乌鲁木齐市水磨沟区南湖东路北一巷186号", "乌鲁木齐市***巷186号"},
		{"legal_person_phone", maskCompanyTel, "13399990170", "133*****0170"},
		{"legal_person_name", maskPersonName, "李四", "李**"},
	} {
		if got := c.rule.apply(c.clear); got != c.want {
			t.Errorf("%s: %q masks to %q, want %q", c.field, c.clear, got, c.want)
		}
		if got := c.rule.show(c.clear, true); got != c.clear {
			t.Errorf("%s in clear: %q, want %q", c.field, got, c.clear)
		}
	}
}

func TestMaskShortValues(t *testing.T) {
	for _, c := range []struct {
		rule maskRule
		in   string
		want string
	}{
		{maskUsername, "", ""},
		{maskUsername, "a", "******"},
		{maskUsername, "abcd", "a******"},
		{maskUsername, "abcde", "ab******de"},
		{maskPersonName, "李", "**"},
		{maskPersonName, "欧阳", "欧**"},
		{maskUserPhone, "110", "1******"},
		{maskAddress, "北京", "北***"},
	} {
		if got := c.rule.apply(c.in); got != c.want {
			t.Errorf("%+v.apply(%q) = %q, want %q", c.rule, c.in, got, c.want)
		}
	}
}

// FuzzMask: a masked value is valid UTF-8 when its input is, never longer
// than head+stars+tail runes, and never reveals more than head+tail runes.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"", "a", "李小明", "13899990170", "乌鲁木齐市水磨沟区南湖东路北一巷186号", "\xff\xfe"} {
		f.Add(s)
	}
	rules := []maskRule{maskUsername, maskPersonName, maskUserPhone, maskCompanyName, maskTaxNumber, maskAddress, maskCompanyTel}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range rules {
			got := r.apply(s)
			if s == "" {
				if got != "" {
					t.Fatalf("%+v: empty became %q", r, got)
				}
				continue
			}
			if utf8.ValidString(s) && !utf8.ValidString(got) {
				t.Fatalf("%+v: %q masked to invalid UTF-8 %q", r, s, got)
			}
			if !strings.Contains(got, strings.Repeat("*", r.stars)) {
				t.Fatalf("%+v: %q masked to %q without its stars", r, s, got)
			}
			if n := utf8.RuneCountInString(got) - r.stars; n > r.head+r.tail || n >= utf8.RuneCountInString(s) {
				t.Fatalf("%+v: %q masked to %q reveals %d characters", r, s, got, n)
			}
		}
	})
}
