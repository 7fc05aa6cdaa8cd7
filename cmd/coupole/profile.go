package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the whole process to the file
// named by COUPOLE_CPUPROFILE, when set, until the returned function is
// called: how the benchmarks (docs/benchmarks.md, issue 17) publish where
// a server's time goes. The profile holds function names and counts only,
// no data. Unset, it does nothing.
func startCPUProfile(getenv func(string) string) func() {
	path := getenv("COUPOLE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "coupole: COUPOLE_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
