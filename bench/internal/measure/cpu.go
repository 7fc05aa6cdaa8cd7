// Package measure reads the CPU time a process has used, so that the benchmarks
// can report CPU time per unit of work beside wall-clock rates: on a shared
// machine the wall clock measures the other processes too, the CPU time of
// the process doing the work does not.
package measure

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ticksPerSecond is the kernel's USER_HZ, in which /proc/PID/stat counts
// utime and stime; it is 100 on every Linux the project runs on.
const ticksPerSecond = 100

// Self returns the user + system CPU time of the calling process
// (getrusage).
func Self() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Process returns the user + system CPU time of the process pid and of
// its living descendants (a PostgreSQL server's backends are children of
// its postmaster), from /proc/PID/stat.
func Process(pid int) (time.Duration, error) {
	total, err := stat(pid)
	if err != nil {
		return 0, err
	}
	for _, c := range children(pid) {
		if d, err := Process(c); err == nil {
			total += d
		}
	}
	return total, nil
}

// Processes sums Process over pids.
func Processes(pids []int) (time.Duration, error) {
	var total time.Duration
	for _, p := range pids {
		d, err := Process(p)
		if err != nil {
			return 0, err
		}
		total += d
	}
	return total, nil
}

func stat(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// fields are counted after its closing parenthesis.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: malformed times", pid)
	}
	return time.Duration(u+st) * time.Second / ticksPerSecond, nil
}

func children(pid int) []int {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// ParsePIDs reads a comma-separated list of process ids.
func ParsePIDs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := strconv.Atoi(f)
		if err != nil || p <= 0 {
			return nil, fmt.Errorf("%q is not a process id", f)
		}
		out = append(out, p)
	}
	return out, nil
}

// LoadAverage returns the first three fields of /proc/loadavg.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
