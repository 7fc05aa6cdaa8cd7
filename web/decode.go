package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
)

// maxBodyBytes bounds every JSON request body: the largest request the API
// takes (an identification, a set of call reasons) is a few hundred bytes.
const maxBodyBytes = 64 << 10

// decodeJSON is the one reader of JSON request bodies (issue 10, item 9). It
// is strict, so that what the server understood is what the client meant:
//
//   - a body that is present is declared application/json: a cross-site
//     form or a no-cors fetch can send text/plain, a form type or none
//     without a CORS preflight, never application/json (defence in depth
//     behind the CSRF token and the cross-origin check);
//   - it is at most maxBodyBytes;
//   - it is one JSON object, and nothing follows it;
//   - a field v does not have is refused, not ignored: a misspelt field
//     must not pass for an absent one;
//   - a key is spelt exactly as the field (encoding/json alone would take
//     "CHANNEL" for "channel") and appears once (it would keep the last of
//     two): what a proxy, a validator or a log reads is what the server does.
//
// An empty body is an empty object (the request has nothing to say). Errors
// are EINVALID, in the domain's words: they name the field, never its value
// (it may be personal data) nor a Go type.
func decodeJSON(r *http.Request, v any) error { return decodeJSONMax(r, v, maxBodyBytes) }

// decodeJSONMax is decodeJSON with another bound, for the one request that
// carries more than a few fields (an e-mail or chat body, issue 13).
func decodeJSONMax(r *http.Request, v any, max int) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(max)+1))
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "request body: cannot be read")
	}
	if len(body) > max {
		return coupole.Errorf(coupole.EINVALID, "request body: larger than %d KiB", max>>10)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return coupole.Errorf(coupole.EINVALID, "request body: Content-Type must be application/json")
	}
	if body[0] != '{' {
		return coupole.Errorf(coupole.EINVALID, "request body: must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return coupole.Errorf(coupole.EINVALID, "request body: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return coupole.Errorf(coupole.EINVALID, "request body: data after the JSON object")
	}
	if msg := exactKeys(json.NewDecoder(bytes.NewReader(body)), reflect.TypeOf(v), ""); msg != "" {
		return coupole.Errorf(coupole.EINVALID, "request body: %s", msg)
	}
	return nil
}

// exactKeys walks a JSON value that decoded into t and says which key is
// not spelt as t's field, or appears twice; "" when none. at is the path of
// the value, for the message.
func exactKeys(dec *json.Decoder, t reflect.Type, at string) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return "not valid JSON"
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		} else if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			key, _ := k.(string)
			if err != nil {
				return "not valid JSON"
			}
			name := at + key
			if seen[key] {
				return "field " + fieldName(strconv.Quote(name)) + " appears twice"
			}
			seen[key] = true
			ft := elem
			if fields != nil {
				var ok bool
				if ft, ok = fields[key]; !ok {
					return "unknown field " + fieldName(strconv.Quote(name))
				}
			}
			if msg := exactKeys(dec, ft, name+"."); msg != "" {
				return msg
			}
		}
		dec.Token() // '}'
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if msg := exactKeys(dec, elem, at); msg != "" {
				return msg
			}
		}
		dec.Token() // ']'
	}
	return ""
}

// jsonFields are the JSON names of a struct's fields, as encoding/json
// names them (no embedded structs in request types).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// jsonProblem says what is wrong with a body encoding/json refused, without
// its Go types or the values it quotes.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "not valid JSON (it ends too early)"
	case errors.As(err, &typ):
		return typeProblem(typ)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + fieldName(name)
	}
	return "not valid JSON"
}

// typeProblem: "field reason: expected a string, got a number". The value is
// not quoted (encoding/json puts the number itself in Value).
func typeProblem(e *json.UnmarshalTypeError) string {
	got := "another kind of value"
	if kind, _, _ := strings.Cut(e.Value, " "); kind != "" {
		switch kind {
		case "string":
			got = "a string"
		case "number":
			got = "a number"
		case "bool":
			got = "true or false"
		case "array":
			got = "a list"
		case "object":
			got = "an object"
		}
	}
	want := "another kind of value"
	if e.Type != nil {
		switch e.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "a whole number"
		case reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
	}
	where := "the body"
	if e.Field != "" {
		where = "field " + e.Field
	}
	if got == "a number" && (want == "a whole number" || want == "a number") {
		return where + ": the number is out of range or not a whole number"
	}
	return where + ": expected " + want + ", got " + got
}

var plainFieldName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// fieldName is the quoted name of an unknown field as encoding/json gives
// it, shown only when it looks like a field name: the client chose it, and
// it could be anything.
func fieldName(quoted string) string {
	name, err := strconv.Unquote(quoted)
	if err != nil || !plainFieldName.MatchString(name) {
		return "(not shown)"
	}
	return strconv.Quote(name)
}
