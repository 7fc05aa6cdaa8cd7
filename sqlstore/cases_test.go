package sqlstore_test

import (
	"testing"

	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// The back-office case store (D4, issue 11) on every engine.
func TestCaseStore(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			storetest.RunCaseStoreTests(t, func(t *testing.T) storetest.CaseDB { return e.Open(t) })
		})
	}
}
