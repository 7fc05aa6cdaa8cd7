package measure

import (
	"os"
	"testing"
	"time"
)

// TestProcessCountsWork checks that the CPU time read from /proc grows by
// about the CPU the process burns, and that getrusage agrees.
func TestProcessCountsWork(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	p0, err := Process(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	s0 := Self()
	// Burn CPU until getrusage says 200 ms were used (a wall-clock loop gets
	// little CPU on a loaded machine), bounded by a minute of wall clock.
	x := 0
	for deadline := time.Now().Add(time.Minute); Self()-s0 < 200*time.Millisecond; {
		if time.Now().After(deadline) {
			t.Fatalf("getrusage counted %s for a minute of busy loop", Self()-s0)
		}
		for i := 0; i < 100000; i++ {
			x++
		}
	}
	_ = x
	p1, err := Process(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	s1 := Self()
	// /proc counts in clock ticks (10 ms): it must agree within a few.
	if d, r := p1-p0, s1-s0; d < r-50*time.Millisecond || d > r+50*time.Millisecond+r/2 {
		t.Errorf("/proc/PID/stat counted %s where getrusage counted %s", d, r)
	}
}

func TestParsePIDs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{{"12", 1, false}, {"12, 13", 2, false}, {"", 0, false}, {"x", 0, true}, {"-1", 0, true}} {
		got, err := ParsePIDs(tc.in)
		if (err != nil) != tc.bad || len(got) != tc.want {
			t.Errorf("ParsePIDs(%q) = %v, %v", tc.in, got, err)
		}
	}
}
