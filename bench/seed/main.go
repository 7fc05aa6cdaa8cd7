// Command seed measures `coupole demo seed` on SQLite (issue 17, item 4):
// the bulk load (indexes and name keys built once after the rows) against
// the baseline of the same seed with the indexes maintained as rows arrive,
// interleaved A B A B in one run. For each run it reports wall clock, CPU
// (user + system of the seeding process), bytes written (the process's
// block output from getrusage, which Linux counts as /proc/PID/io's
// write_bytes, so the writes at close are included) and written ÷ final
// file size.
//
//	go build -o /tmp/coupole ./cmd/coupole
//	go run ./bench/seed --coupole /tmp/coupole --access-points 200000 --pairs 3 --dir /tmp/seedbench
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/coupole/coupole/bench/internal/measure"
)

type run struct {
	wall, cpu     time.Duration
	written, file int64
}

func main() {
	bin := flag.String("coupole", "", "the coupole binary to run (required)")
	n := flag.Int("access-points", 200000, "access points per seed")
	pairs := flag.Int("pairs", 3, "baseline and bulk runs, interleaved")
	dir := flag.String("dir", os.TempDir(), "directory for the database files (removed after each run)")
	flag.Parse()
	if *bin == "" {
		log.Fatal("--coupole: give the path of a built coupole binary")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seed of %d access points, %d pairs, load average before: %s\n", *n, *pairs, measure.LoadAverage())
	results := map[bool][]run{}
	for p := 0; p < *pairs; p++ {
		for _, bulk := range []bool{false, true} {
			r, err := seed(*bin, *n, filepath.Join(*dir, "seed.db"), bulk)
			if err != nil {
				log.Fatal(err)
			}
			results[bulk] = append(results[bulk], r)
			fmt.Printf("pair %d %-8s wall %6.1f s  cpu %6.1f s  written %6.2f GB  file %5.2f GB  ×%.2f  (load %s)\n", p+1, name(bulk),
				r.wall.Seconds(), r.cpu.Seconds(), gb(r.written), gb(r.file), float64(r.written)/float64(r.file), measure.LoadAverage())
		}
	}
	fmt.Println("\nmin / median / max over the pairs")
	fmt.Println("| load | wall (s) | CPU (s) | CPU per access point (µs) | written (GB) | written ÷ file |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, bulk := range []bool{false, true} {
		var wall, cpu, per, w, ratio []float64
		for _, r := range results[bulk] {
			wall = append(wall, r.wall.Seconds())
			cpu = append(cpu, r.cpu.Seconds())
			per = append(per, float64(r.cpu.Microseconds())/float64(*n))
			w = append(w, gb(r.written))
			ratio = append(ratio, float64(r.written)/float64(r.file))
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", name(bulk), measure.SpreadOf(wall).Format("%.1f"), measure.SpreadOf(cpu).Format("%.1f"),
			measure.SpreadOf(per).Format("%.0f"), measure.SpreadOf(w).Format("%.2f"), measure.SpreadOf(ratio).Format("%.2f"))
	}
	fmt.Printf("load average after: %s\n", measure.LoadAverage())
}

func name(bulk bool) string {
	if bulk {
		return "bulk"
	}
	return "baseline"
}

func gb(b int64) float64 { return float64(b) / 1e9 }

// seed runs one seed into a fresh file and measures it.
func seed(bin string, n int, path string, bulk bool) (run, error) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
	defer func() {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
	}()
	cmd := exec.Command(bin, "demo", "seed", "--access-points", strconv.Itoa(n), "--seed", "1", "--db", path, "--bulk="+strconv.FormatBool(bulk))
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return run{}, fmt.Errorf("%s: %w", cmd, err)
	}
	r := run{wall: time.Since(start)}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return run{}, fmt.Errorf("no resource usage for %s", cmd)
	}
	r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	r.written = ru.Oublock * 512
	for _, p := range []string{path, path + "-wal"} {
		if st, err := os.Stat(p); err == nil {
			r.file += st.Size()
		}
	}
	return r, nil
}
