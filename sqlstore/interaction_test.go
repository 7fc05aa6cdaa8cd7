package sqlstore_test

import (
	"testing"

	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// The interaction store's issue-10 suite (need-to-know that ends, the
// verification budget) on every engine.
func TestInteractionStore(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			storetest.RunInteractionStoreTests(t, func(t *testing.T) storetest.InteractionDB { return e.Open(t) })
		})
	}
}
