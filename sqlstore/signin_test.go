package sqlstore_test

import (
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// The sign-in counters' conformance suite on every engine (issue 10, item 11).
func TestSignInAttempts(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			storetest.RunSignInAttemptsTests(t, func(t *testing.T) coupole.SignInAttempts { return e.Open(t) })
		})
	}
}
