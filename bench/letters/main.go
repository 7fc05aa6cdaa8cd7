// Command letters measures how many nominative letters per second
// outbound/letter renders (issue 11 figure: ≥ 100 letters/s), beside a
// baseline in the same run: an empty A4 page with fpdf's core font, which
// is the cost of fpdf itself. Rounds alternate between the two so that the
// machine's load weighs on both alike; the minimum, median and maximum of
// the rounds are printed with the CPU time per letter (process user +
// system time, one goroutine per core).
//
//	go run ./bench/letters -rounds 7 -n 200
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/letter"
)

var sender = letter.Sender{Name: "Réseau Wallon d'Énergie", Service: "Service clientèle",
	Address: coupole.Address{Street: "Avenue Jean Mermoz", Number: "14", Postcode: "6041", Town: "Gosselies"}}

func renderLetter(i int) error {
	m := outbound.Message{ID: fmt.Sprint("bench-", i), Item: "ean", Lang: coupole.French,
		Name: "Zoë Dvořák-Łukasiewicz", EAN: "541448820000123455",
		Address: coupole.Address{Street: "Rue de l'Église", Number: "12", Postcode: "4000", Town: "Liège"}}
	_, err := letter.Render(m, sender, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
	return err
}

func emptyPage(int) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 11)
	pdf.Text(20, 20, "x")
	var buf bytes.Buffer
	return pdf.Output(&buf)
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// round renders n documents with one goroutine per core and returns the
// rate and the CPU time per document.
func round(n int, f func(int) error) (perSec float64, cpuPer time.Duration) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int)
	c0, t0 := cpu(), time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	el, c := time.Since(t0), cpu()-c0
	return float64(n) / el.Seconds(), c / time.Duration(n)
}

func main() {
	rounds := flag.Int("rounds", 7, "rounds of each kind, interleaved")
	n := flag.Int("n", 200, "documents per round")
	flag.Parse()
	type series struct {
		name string
		f    func(int) error
		rate []float64
		cpu  []time.Duration
	}
	all := []*series{{name: "baseline: empty page, core font", f: emptyPage}, {name: "letter: DejaVu Sans embedded", f: renderLetter}}
	for _, s := range all { // warm-up
		round(*n/10+1, s.f)
	}
	for range *rounds {
		for _, s := range all {
			r, c := round(*n, s.f)
			s.rate, s.cpu = append(s.rate, r), append(s.cpu, c)
		}
	}
	fmt.Printf("GOMAXPROCS=%d, %d rounds of %d documents each\n", runtime.GOMAXPROCS(0), *rounds, *n)
	fmt.Printf("%-34s %9s %9s %9s %14s\n", "", "min/s", "median/s", "max/s", "CPU/doc (med)")
	for _, s := range all {
		slices.Sort(s.rate)
		slices.Sort(s.cpu)
		fmt.Printf("%-34s %9.0f %9.0f %9.0f %14s\n", s.name, s.rate[0], s.rate[len(s.rate)/2], s.rate[len(s.rate)-1], s.cpu[len(s.cpu)/2].Round(10*time.Microsecond))
	}
}
