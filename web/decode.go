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
//   - a body that is present is declared application/json;
//   - it is at most maxBodyBytes;
//   - it is one JSON object, and nothing follows it;
//   - a field v does not have is refused, not ignored: a misspelt field
//     must not pass for an absent one.
//
// An empty body is an empty object (the request has nothing to say). Errors
// are EINVALID, in the domain's words: they name the field, never its value
// (it may be personal data) nor a Go type.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return coupole.Errorf(coupole.EINVALID, "request body: cannot be read")
	}
	if len(body) > maxBodyBytes {
		return coupole.Errorf(coupole.EINVALID, "request body: larger than %d KiB", maxBodyBytes>>10)
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
		return coupole.Errorf(coupole.EINVALID, "request body: there is more after the JSON object")
	}
	return nil
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
