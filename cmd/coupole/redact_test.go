package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRedactCommand (G5, issue 16 item 3): `coupole redact` prints the text
// with typed placeholders, as JSON with the counts, and scores the corpus.
func TestRedactCommand(t *testing.T) {
	in := "Bonjour, ici Jean Dupont, GSM 0475 12 34 56, mail jean.dupont@gmail.com.\n"
	r := runCLI(t, nil, in, "redact", "--name", "Jean Dupont")
	if r.code != 0 || r.stdout != "Bonjour, ici [NAME], GSM [PHONE], mail [EMAIL].\n" {
		t.Fatalf("redact = %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, in, "redact", "--json")
	var got struct {
		Text    string         `json:"text"`
		Removed map[string]int `json:"removed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Removed["PHONE"] != 1 || got.Removed["EMAIL"] != 1 || strings.Contains(r.stdout, "0475") {
		t.Errorf("redact --json = %q, %v", r.stdout, err)
	}
	r = runCLI(t, nil, "", "redact", "--evaluate", "../../redact/testdata/corpus.tsv")
	if r.code != 0 || !strings.Contains(r.stdout, "| structured (all but names) |") {
		t.Errorf("redact --evaluate = %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "", "redact", "a", "b"); r.code != 2 {
		t.Errorf("two files: exit %d; want 2", r.code)
	}
}
