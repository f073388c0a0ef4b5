package partner

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEnvelopeEncoding(t *testing.T) {
	data := object{
		{"text", str(`a "quoted" <b> & 'c'` + "\n\t\x01")},
		{"chinese", str("李**")},
		{"empty", str("")},
		{"number", num(-1522404566)},
		{"status", null()},
	}
	for _, c := range []struct {
		f    format
		env  envelope
		want string
	}{
		{formatJSON, success(data),
			`{"data":{"text":"a \"quoted\" <b> & 'c'\n\t\u0001","chinese":"李**","empty":"","number":-1522404566,"status":null},"code":200,"message":"ok"}`},
		{formatJSON, success(object{}), `{"data":{},"code":200,"message":"ok"}`},
		{formatJSON, failure(ErrCodeExpired), `{"data":null,"code":100020,"message":"授权码已经过期,请重启授权"}`},
		{formatXML, success(data), xml.Header + `<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><data>` +
			`<text>a &#34;quoted&#34; &lt;b&gt; &amp; &#39;c&#39;&#xA;&#x9;` + "\uFFFD" + `</text><chinese>李**</chinese><empty></empty>` +
			`<number>-1522404566</number><status xsi:nil="true"/></data><code>200</code><message>ok</message></response>`},
		{formatXML, failure(ErrUnknownClient), xml.Header + `<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
			`<data xsi:nil="true"/><code>100008</code><message>该client_id 不存在</message></response>`},
	} {
		got := string(c.f.encode(c.env))
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.f, got, c.want)
		}
		if c.f == formatJSON {
			var v map[string]any
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Errorf("invalid JSON %s: %v", got, err)
			}
		} else {
			var v struct {
				Data struct {
					Text string `xml:"text"`
				} `xml:"data"`
				Code int `xml:"code"`
			}
			if err := xml.Unmarshal([]byte(got), &v); err != nil || v.Code != c.env.code {
				t.Errorf("invalid XML %s: %v", got, err)
			}
		}
	}
}

// Only a 500 is sent with an HTTP error status.
func TestErrorStatuses(t *testing.T) {
	for _, e := range []*Error{ErrTokenExpired, ErrUnknownClient, ErrBasicAuth, ErrClientDenied, ErrCodeUnknown, ErrCodeScope,
		ErrCodeExpired, ErrCodeOtherClient, ErrCodeOtherUser, ErrUnauthorized, ErrInvalidParameter, ErrEmpty, staleTimestamp} {
		if e.Status != http.StatusOK {
			t.Errorf("%d: HTTP %d", e.Code, e.Status)
		}
	}
	if ErrInternal.Status != http.StatusInternalServerError {
		t.Errorf("500: HTTP %d", ErrInternal.Status)
	}
	// Anything outside the table is a 500 whose cause stays out of the body.
	rec := httptest.NewRecorder()
	a := &API{log: discard()}
	a.render(t.Context(), rec, formatJSON, nil, errSecret)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "10.0.0.7") ||
		rec.Body.String() != `{"data":null,"code":500,"message":"服务内部错误"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}
