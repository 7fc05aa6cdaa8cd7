package coupole

import (
	"slices"
	"strings"
)

// parseEnum returns s as T when it is one of allowed, or an EINVALID error
// that names the field and lists the accepted values.
func parseEnum[T ~string](field, s string, allowed []T) (T, error) {
	if slices.Contains(allowed, T(s)) {
		return T(s), nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", Errorf(EINVALID, "%s: unknown value %q (expected one of %s)", field, s, strings.Join(names, ", "))
}
