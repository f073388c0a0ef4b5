package partner

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// format is the response format a path ends in.
type format string

const (
	formatJSON format = "json"
	formatXML  format = "xml"
)

var formats = []format{formatJSON, formatXML}

// value is a field value of the envelope's data: a string, a number or
// null. The document's types are part of the contract ("sex": "3" is a
// string, "nowtime" a number, "status" null), so they are chosen here
// explicitly rather than left to reflection.
type value struct {
	kind   valueKind
	text   string
	number int64
}

type valueKind int

const (
	kindNull valueKind = iota
	kindString
	kindNumber
)

func str(s string) value { return value{kind: kindString, text: s} }
func num(n int64) value  { return value{kind: kindNumber, number: n} }
func null() value        { return value{} }

// field is one named value of an object.
type field struct {
	name  string
	value value
}

// object is the envelope's data: fields in the document's order. A nil
// object is rendered as null.
type object []field

// envelope is every response of the API:
//
//	{"data": {...}, "code": 200, "message": "ok"}
//
// with data null when code is not 200.
type envelope struct {
	data    object
	code    int
	message string
}

// success is the envelope of a result.
func success(data object) envelope { return envelope{data: data, code: 200, message: "ok"} }

// failure is the envelope of an error of the table.
func failure(e *Error) envelope { return envelope{code: e.Code, message: e.Message} }

// contentType is the media type of f.
func (f format) contentType() string {
	if f == formatXML {
		return "application/xml; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// encode renders env in f. Both formats carry the same fields in the same
// order; see docs/compat/partner-open-api.md.
func (f format) encode(env envelope) []byte {
	var b bytes.Buffer
	if f == formatXML {
		encodeXML(&b, env)
	} else {
		encodeJSON(&b, env)
	}
	return b.Bytes()
}

// encodeJSON writes compact JSON with keys in envelope order, non-ASCII
// text as UTF-8 and no HTML escaping (an avatar URL keeps its "&").
func encodeJSON(b *bytes.Buffer, env envelope) {
	b.WriteString(`{"data":`)
	if env.data == nil {
		b.WriteString("null")
	} else {
		b.WriteByte('{')
		for i, m := range env.data {
			if i > 0 {
				b.WriteByte(',')
			}
			jsonString(b, m.name)
			b.WriteByte(':')
			switch m.value.kind {
			case kindString:
				jsonString(b, m.value.text)
			case kindNumber:
				b.WriteString(strconv.FormatInt(m.value.number, 10))
			default:
				b.WriteString("null")
			}
		}
		b.WriteByte('}')
	}
	b.WriteString(`,"code":`)
	b.WriteString(strconv.Itoa(env.code))
	b.WriteString(`,"message":`)
	jsonString(b, env.message)
	b.WriteByte('}')
}

func jsonString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}

// xsiNamespace declares xsi:nil, the XML Schema marker of a null element.
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// encodeXML writes
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<response xmlns:xsi="..."><data><name>text</name>...</data><code>200</code><message>ok</message></response>
//
// on two lines; a null (data on errors, status) is an empty element with
// xsi:nil="true", an empty string an empty element without it.
func encodeXML(b *bytes.Buffer, env envelope) {
	b.WriteString(xml.Header)
	b.WriteString(`<response xmlns:xsi="` + xsiNamespace + `">`)
	if env.data == nil {
		xmlNil(b, "data")
	} else {
		b.WriteString("<data>")
		for _, m := range env.data {
			switch m.value.kind {
			case kindString:
				xmlElement(b, m.name, m.value.text)
			case kindNumber:
				xmlElement(b, m.name, strconv.FormatInt(m.value.number, 10))
			default:
				xmlNil(b, m.name)
			}
		}
		b.WriteString("</data>")
	}
	xmlElement(b, "code", strconv.Itoa(env.code))
	xmlElement(b, "message", env.message)
	b.WriteString("</response>")
}

func xmlElement(b *bytes.Buffer, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text)) // a bytes.Buffer never fails
	b.WriteString("</" + name + ">")
}

func xmlNil(b *bytes.Buffer, name string) {
	b.WriteString("<" + name + ` xsi:nil="true"/>`)
}

// write sends env in f with status. Responses carry codes and personal
// data, so nothing may cache them.
func write(w http.ResponseWriter, f format, status int, env envelope) {
	h := w.Header()
	h.Set("Content-Type", f.contentType())
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(f.encode(env))
}
