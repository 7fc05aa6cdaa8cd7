package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// End-to-end tests of the staff pages in headless Chromium (issue 7, point
// 5). They need a chromium binary: COUPOLE_TEST_CHROMIUM names it (CI sets
// it, and then a missing binary fails the test); otherwise the usual names
// are looked up on PATH and the tests skip when none is found.
//
// COUPOLE_SCREENSHOTS=DIR saves the screenshots of the main screens there
// (docs/screenshots is made that way, see docs/ui.md).

func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("COUPOLE_TEST_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("COUPOLE_TEST_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tb.Skip("no chromium binary found: install Debian's chromium (apt-get install chromium) or set COUPOLE_TEST_CHROMIUM to run the browser tests")
	return ""
}

// browser is one headless Chromium tab at 1366×768, the advisors' screen.
type browser struct {
	tb   testing.TB
	ctx  context.Context
	base string // the server's URL
}

func mustBrowser(tb testing.TB) *browser {
	tb.Helper()
	path := chromiumPath(tb)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1366, 768),
		// Without these Chromium tries to reach Google's services, which a
		// closed network refuses.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "fr-BE"),
		chromedp.Flag("accept-lang", "fr-BE,fr"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// A bound on a hung test, not a speed check: the axe-core walk of the
	// demo call takes over 150 s on a loaded two-core machine.
	ctx, cancelTimeout := context.WithTimeout(ctx, 300*time.Second)
	tb.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return &browser{tb: tb, ctx: ctx}
}

// run runs actions and fails the test on the first error, naming the step.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.tb.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.tb.Fatalf("%s: %v", step, err)
	}
}

// text returns the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.tb.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.tb.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// mustSee fails unless the element sel shows every one of want.
func (b *browser) mustSee(sel string, want ...string) {
	b.tb.Helper()
	got := b.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.tb.Errorf("%s shows %q, want it to contain %q", sel, got, w)
		}
	}
}

// count returns how many elements match the CSS selector now.
func (b *browser) count(sel string) int {
	b.tb.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.querySelectorAll("+strconv.Quote(sel)+").length"))
	if err != nil {
		b.tb.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// screenshot saves the viewport as DIR/name.png when COUPOLE_SCREENSHOTS
// is set.
func (b *browser) screenshot(name string) {
	b.tb.Helper()
	dir := os.Getenv("COUPOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.tb.Fatal(err)
	}
}

// signInDemo opens the sign-in page and clicks the demo account login.
func (b *browser) signInDemo(baseURL, login string) {
	b.tb.Helper()
	b.run("sign in as "+login,
		chromedp.Navigate(baseURL+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`.demo-accounts`)),
		chromedp.Click(chromedp.CSS(`.demo-accounts input[value="`+login+`"] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(`header.top`)),
	)
}

// waitText waits until the element sel shows want (after a navigation, the
// old page may still be there for a moment).
func (b *browser) waitText(sel, want string) {
	b.tb.Helper()
	js := "(() => { const e = document.querySelector(" + strconv.Quote(sel) + "); return e ? e.innerText : '' })()"
	deadline := time.Now().Add(10 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
		if err == nil && strings.Contains(s, want) {
			return
		}
		got = s
		time.Sleep(25 * time.Millisecond)
	}
	b.tb.Fatalf("%s shows %q, want it to contain %q", sel, got, want)
}

// loads runs actions that load a new page (a click on a submit button) and
// waits until the new page is there: the old page is marked first, so a
// wait can never be satisfied by what was on screen before.
func (b *browser) loads(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.tb.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("document.body.dataset.old = 'yes'; true")); err != nil {
		b.tb.Fatalf("%s: mark page: %v", step, err)
	}
	b.run(step, append(actions, chromedp.WaitVisible(chromedp.CSS(`body:not([data-old])`)))...)
}

// tick makes sure the check box sel is ticked (the page may have ticked it
// already, as the wrap-up does with the reasons it suggests).
func (b *browser) tick(sel string) {
	b.tb.Helper()
	js := "(() => { const e = document.querySelector(" + strconv.Quote(sel) + "); if (!e) return false; if (!e.checked) e.click(); return e.checked })()"
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		b.tb.Fatalf("tick %s: %v", sel, err)
	}
}

// untickAll unticks every check box matching sel.
func (b *browser) untickAll(sel string) {
	b.tb.Helper()
	js := "(() => { document.querySelectorAll(" + strconv.Quote(sel) + ").forEach(e => { if (e.checked) e.click() }); return true })()"
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js)); err != nil {
		b.tb.Fatalf("untick %s: %v", sel, err)
	}
}
