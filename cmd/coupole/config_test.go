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

// docs/operations.md lists every command `coupole help` prints.
func TestEveryCommandIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands {
		if !strings.Contains(string(doc), "`coupole "+c.name) {
			t.Errorf("docs/operations.md does not mention `coupole %s`", c.name)
		}
	}
}
