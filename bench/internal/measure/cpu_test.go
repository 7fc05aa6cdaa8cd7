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
	x := 0
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
		x++
	}
	_ = x
	p1, err := Process(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	s1 := Self()
	if d := p1 - p0; d < 50*time.Millisecond {
		t.Errorf("/proc/PID/stat counted %s for a busy loop", d)
	}
	if d := s1 - s0; d < 50*time.Millisecond {
		t.Errorf("getrusage counted %s for a busy loop", d)
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
