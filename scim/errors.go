package scim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/coupole/coupole"
)

// scimError is an error in the SCIM error schema (RFC 7644 §3.12).
type scimError struct {
	Status   int
	ScimType string // invalidFilter, tooMany, uniqueness, mutability, invalidSyntax, invalidPath, noTarget, invalidValue, invalidVers, sensitive
	Detail   string
}

func (e *scimError) Error() string { return e.Detail }

func badRequest(scimType, detail string) error {
	return &scimError{Status: http.StatusBadRequest, ScimType: scimType, Detail: detail}
}

// statusOf chooses the HTTP status and scimType of an error: the one
// place where SCIM statuses are decided. A refusal from the lifecycle
// (segregation of duties, EFORBIDDEN) is 403 without scimType — RFC 7644
// §3.12 defines scimType values for 400 only, and 403 is "operation not
// permitted"; the detail names the rule.
func statusOf(err error) *scimError {
	var se *scimError
	if errors.As(err, &se) {
		return se
	}
	msg := coupole.ErrorMessage(err)
	switch coupole.ErrorCode(err) {
	case coupole.EINVALID:
		return &scimError{Status: http.StatusBadRequest, ScimType: "invalidValue", Detail: msg}
	case coupole.ENOTFOUND:
		return &scimError{Status: http.StatusNotFound, Detail: msg}
	case coupole.ECONFLICT:
		return &scimError{Status: http.StatusConflict, ScimType: "uniqueness", Detail: msg}
	case coupole.EFORBIDDEN:
		return &scimError{Status: http.StatusForbidden, Detail: msg}
	case coupole.EUNAUTHORIZED:
		return &scimError{Status: http.StatusUnauthorized, Detail: msg}
	case coupole.EUNAVAILABLE:
		return &scimError{Status: http.StatusServiceUnavailable, Detail: msg}
	}
	return &scimError{Status: http.StatusInternalServerError, Detail: "internal error"}
}

func writeError(w http.ResponseWriter, err error) {
	se := statusOf(err)
	body := map[string]any{"schemas": []string{MsgError}, "status": strconv.Itoa(se.Status)}
	if se.ScimType != "" {
		body["scimType"] = se.ScimType
	}
	if se.Detail != "" {
		body["detail"] = se.Detail
	}
	if se.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="coupole-scim"`)
	}
	writeJSON(w, se.Status, body)
}

// ContentType is the media type of SCIM bodies (RFC 7644 §3.1).
const ContentType = "application/scim+json"

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(body)
}
