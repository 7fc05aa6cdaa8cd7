// Package coupole holds the domain of Coupole: the grid data a contact center
// protects (access points, customers, occupancies, mandates, readings), the
// invariants of each type, the single error type, and the interfaces that the
// adapters (sqlstore, policy, audit, http) implement or consume.
//
// It imports only the standard library.
package coupole

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: the HTTP layer maps each to one status code,
// the CLI to one exit code, and API clients may switch on them.
const (
	EINVALID      = "invalid"      // the input is malformed or breaks an invariant
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	EUNAUTHORIZED = "unauthorized" // the actor is not (or no longer) signed in
	EUNAVAILABLE  = "unavailable"  // a dependency (store, audit log) cannot serve now
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the one error type of Coupole. Code is machine-readable; Message is
// safe to show to a user and never contains personal data (mask it first).
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error that keeps err as its cause.
func Wrap(err error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of the first *Error in err's
// chain, or a generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
