// Command verify measures `coupole audit verify` on a real export bundle
// (issue 17, item 3): the bundle is read into memory once, then rounds of
// four things alternate, A B C D A B C D… (--rounds of each):
//
//	A  sha256sum of the bundle file (the coreutils program, its CPU time
//	   from getrusage of the child);
//	B  Go's crypto/sha256 over the same bytes;
//	C  verify.VerifyBundle over the same bytes;
//	D  the same, streamed from the file (as the command does).
//
// Each is reported in events/s, MB/s and CPU time per event, min / median /
// max over the rounds. One goroutine does the work: the figure is per core.
//
//	coupole audit export --db flows.db --data-dir data -o /tmp/real.bundle
//	go run ./bench/verify --bundle /tmp/real.bundle --key data/audit-verifier.pub
//
// Without an export at hand, --generate N first writes to --bundle a bundle
// of N interactions' events in the interaction service's shapes
// (bench/internal/yearlog: payloads of the size of real ones, a checkpoint
// every 500 events as a busy log signs them) and its key to --key.
//
//	go run ./bench/verify --generate 20000 --bundle /tmp/gen.bundle --key /tmp/gen.key
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/bench/internal/measure"
	"github.com/coupole/coupole/bench/internal/yearlog"
)

func main() {
	bundle := flag.String("bundle", "", "export bundle (coupole audit export) from a real run")
	key := flag.String("key", "", "verifier key, or a file holding it")
	rounds := flag.Int("rounds", 5, "rounds of each measurement, interleaved")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the verifications (C and D) to this file")
	generate := flag.Int("generate", 0, "first write a bundle of this many generated interactions to --bundle, and its verifier key to --key")
	flag.Parse()
	if *generate > 0 {
		if err := generateBundle(*bundle, *key, *generate); err != nil {
			fmt.Fprintln(os.Stderr, "verify:", err)
			os.Exit(1)
		}
	}
	if err := run(*bundle, *key, *rounds, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}

func generateBundle(path, keyPath string, n int) error {
	skey, vkey, err := note.GenerateKey(rand.Reader, "bench.coupole/audit")
	if err != nil {
		return err
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := yearlog.WriteBundle(f, s, n, 500); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.WriteFile(keyPath, []byte(vkey+"\n"), 0o644)
}

type figure struct {
	name           string
	rate, mbs, cpu []float64 // per round: events/s, MB/s, µs of CPU per event
}

func run(bundlePath, key string, rounds int, cpuprofile string) error {
	if b, err := os.ReadFile(key); err == nil {
		key = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return fmt.Errorf("--key: %v", err)
	}
	data, err := os.ReadFile(bundlePath)
	if err != nil {
		return err
	}
	runtime.GOMAXPROCS(1)
	rep, err := verify.VerifyBundle(bytes.NewReader(data), verify.Options{Verifier: v})
	if err != nil {
		return err
	}
	events := float64(rep.Leaves)
	fmt.Printf("bundle %s: %d bytes, %d events (%d payloads, %.0f bytes per event), %d checkpoints; GOMAXPROCS 1; load average %s\n",
		bundlePath, len(data), rep.Leaves, rep.Payloads, float64(len(data))/events, rep.Checkpoints, measure.LoadAverage())
	var prof *os.File
	if cpuprofile != "" {
		if prof, err = os.Create(cpuprofile); err != nil {
			return err
		}
		defer prof.Close()
	}
	figs := []*figure{{name: "A sha256sum of the file"}, {name: "B Go crypto/sha256 of the same bytes"},
		{name: "C VerifyBundle, bundle in memory"}, {name: "D VerifyBundle, streamed from the file"}}
	var sink [32]byte
	steps := []func() (time.Duration, error){
		func() (time.Duration, error) { // A: the child's CPU time
			cmd := exec.Command("sha256sum", bundlePath)
			cmd.Stdout = nil
			if err := cmd.Run(); err != nil {
				return 0, fmt.Errorf("sha256sum: %v", err)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
		},
		func() (time.Duration, error) {
			c0 := measure.Self()
			sink = sha256.Sum256(data)
			return measure.Self() - c0, nil
		},
		func() (time.Duration, error) {
			c0 := measure.Self()
			_, err := verify.VerifyBundle(bytes.NewReader(data), verify.Options{Verifier: v})
			return measure.Self() - c0, err
		},
		func() (time.Duration, error) {
			f, err := os.Open(bundlePath)
			if err != nil {
				return 0, err
			}
			defer f.Close()
			c0 := measure.Self()
			_, err = verify.VerifyBundle(f, verify.Options{Verifier: v})
			return measure.Self() - c0, err
		},
	}
	for range rounds {
		for i, step := range steps {
			if prof != nil && i == 2 {
				pprof.StartCPUProfile(prof)
			}
			t := time.Now()
			cpu, err := step()
			d := time.Since(t)
			if prof != nil && i == 3 {
				pprof.StopCPUProfile()
				prof = nil // one round is enough
			}
			if err != nil {
				return err
			}
			f := figs[i]
			f.rate = append(f.rate, events/d.Seconds())
			f.mbs = append(f.mbs, float64(len(data))/d.Seconds()/1e6)
			f.cpu = append(f.cpu, float64(cpu.Microseconds())/events)
		}
	}
	_ = sink
	fmt.Printf("\n%d interleaved rounds (min / median / max); load average %s\n\n", rounds, measure.LoadAverage())
	fmt.Println("| | events/s | MB/s | CPU per event (µs) |")
	fmt.Println("|---|---|---|---|")
	for _, f := range figs {
		fmt.Printf("| %s | %s | %s | %s |\n", f.name, measure.SpreadOf(f.rate).Format("%.0f"), measure.SpreadOf(f.mbs).Format("%.0f"), measure.SpreadOf(f.cpu).Format("%.3f"))
	}
	return nil
}
