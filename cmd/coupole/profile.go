package main

import (
	"log/slog"
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the whole `coupole serve` run to
// the file named by COUPOLE_CPUPROFILE, if set (issue 18: profile before
// optimising, on a node among others behind the load balancer). It returns
// the function that stops the profile and closes the file.
func startCPUProfile(env *Env, logger *slog.Logger) func() {
	path := env.Getenv("COUPOLE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		logger.Error("no CPU profile", "err", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		logger.Error("no CPU profile", "err", err)
		return func() {}
	}
	logger.Info("writing a CPU profile until the server stops", "file", path)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
