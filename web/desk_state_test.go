package web

import (
	"testing"
	"time"
)

// TestDeskStateIsTheHandlers: issue 15 — the desk state of an interaction
// is its handler's: another staff member neither reads nor changes it; it
// goes after deskIdle without a step, and when forgotten.
func TestDeskStateIsTheHandlers(t *testing.T) {
	var d deskMemory
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	d.update("i-1", "adv", now, func(s *deskState) { s.Problem = "mine" })
	d.update("i-1", "other", now, func(s *deskState) { s.Problem = "theirs" })
	if got := d.get("i-1", "adv").Problem; got != "mine" {
		t.Errorf("the handler's state = %q after another staff member's step", got)
	}
	if got := d.get("i-1", "other").Problem; got != "" {
		t.Errorf("another staff member reads %q", got)
	}
	d.update("i-2", "adv", now.Add(deskIdle+time.Minute), func(s *deskState) {})
	if got := d.get("i-1", "adv").Problem; got != "" {
		t.Errorf("an idle interaction's state stays: %q", got)
	}
	d.forget("i-2")
	if len(d.m) != 0 {
		t.Errorf("%d states left", len(d.m))
	}
}
