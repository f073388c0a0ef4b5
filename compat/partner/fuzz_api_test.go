package partner_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/compat/partner"
)

// FuzzAPI sends arbitrary queries and Authorization headers to every call
// of the API on a real provider: never a panic, never a 500, always an
// envelope of the table.
func FuzzAPI(f *testing.F) {
	e := newEnv(f)
	u := e.docUser("li")
	e.partnerClient(docClientID, docClientSecret, partner.ScopeUser+" "+partner.ScopeCompany)
	token := e.token(u.ID, 24*time.Hour)
	code := e.authCode(docClientID, docClientSecret, token)
	paths := []string{}
	for _, p := range []string{partner.PathAuthorize, partner.PathUserInfo, partner.PathCompanyInfo} {
		paths = append(paths, p+"/json", p+"/xml")
	}
	valid := e.signed(url.Values{"access_token": {token}, "client_id": {docClientID}, "auth_code": {code}}).Encode()
	for i := range paths {
		f.Add(uint8(i), valid, docBasic)
	}
	f.Add(uint8(1), valid+"&access_token=x", docBasic)
	f.Add(uint8(2), strings.Replace(valid, code, strings.Repeat("f", 40), 1), docBasic)
	f.Add(uint8(3), valid, "Basic "+strings.Repeat("A", 4000))
	f.Add(uint8(4), "t_=1422339152058&p_=8519&access_token=9106c9fd1e138a042d4aedf94cede7a766e0", docBasic)
	f.Add(uint8(5), "%", "")
	f.Fuzz(func(t *testing.T, which uint8, query, authorization string) {
		path := paths[int(which)%len(paths)]
		r := e.get(path, query, authorization)
		if r.status != http.StatusOK {
			t.Fatalf("%s?%s: HTTP %d %s", path, query, r.status, r.body)
		}
		var code int
		if strings.HasSuffix(path, "/xml") {
			var v struct {
				Code int `xml:"code"`
			}
			if err := xml.Unmarshal([]byte(r.body), &v); err != nil {
				t.Fatalf("%s?%s: bad XML %s: %v", path, query, r.body, err)
			}
			code = v.Code
		} else {
			var v struct {
				Code *int `json:"code"`
			}
			if err := json.Unmarshal([]byte(r.body), &v); err != nil || v.Code == nil {
				t.Fatalf("%s?%s: bad JSON %s: %v", path, query, r.body, err)
			}
			code = *v.Code
		}
		switch code {
		case 200, 401, 601, 602, 100002, 100008, 100009, 100014, 100018, 100019, 100020, 100021, 100023:
		default:
			t.Fatalf("%s?%s: code %d", path, query, code)
		}
	})
}
