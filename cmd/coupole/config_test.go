package main

import (
	"os"
	"strings"
	"testing"
)

// docs/operations.md documents every setting; this keeps it true.
func TestEverySettingIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, cf := range configFlags {
		row := "| `--" + cf.name + "` | `" + cf.env + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/operations.md has no row starting %q", row)
		}
	}
}
