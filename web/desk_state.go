package web

import (
	"slices"
	"sync"
	"time"

	"github.com/coupole/coupole/interaction"
)

// The advisor's screen follows POST-redirect-GET (issue 15, item 2): every
// form of the interaction page posts, the handler does the step through the
// interaction service, keeps what the advisor must go on seeing — the
// candidates found, the answers decided, the timeline of the call, the
// problem of the last step — in the desk state of that interaction, and
// redirects to the page, which shows it. So an answer stays on screen when
// the next one is asked, the browser's Back and reload never resend a form,
// and the page can be updated in place by desk.js.
//
// The state lives in this process's memory, for the handler of the
// interaction only, and goes when the interaction is closed or after
// deskIdle without a step: it holds what the service already showed (and
// traced) to that advisor in this interaction, masked as shown, and
// nothing is read from it for anybody else. A multi-node deployment must
// keep an advisor's requests on one node (sticky sessions); on another node
// the page shows the interaction without the earlier answers.

// deskIdle is how long the state of an interaction without a step is kept;
// the service's own idle limit (30 minutes by default) ends the
// interaction's need-to-know first.
const deskIdle = 45 * time.Minute

// deskState is what the interaction page shows besides the interaction.
type deskState struct {
	staffID string
	touched time.Time

	Identify       interaction.IdentifyRequest
	IdentifyBy     string // the criterion last searched: ean, meter, name, address
	Identification *interaction.Identification
	Verification   *interaction.Verification
	Decisions      []decisionItem // every item asked, in the order first asked; the latest decision of each
	Reading        *interaction.ReadingResult
	Contact        *interaction.ContactView
	ContactResult  *interaction.ContactResult
	Public         *interaction.PublicInfo
	PublicForm     interaction.PublicInfoRequest
	Chosen         []string // call reasons ticked (kept when closing fails)
	Asked          []string // items ticked with the last question
	Problem        string   // what went wrong with the last step, in words
	ProblemAt      string   // the section it belongs to
	ProblemField   string   // the id of the field it is about, if any
	Focus          string   // the id of the element to focus after the step
	UnsentWarning  []string // items decided but not sent, when a close was asked
	Timeline       []timelineEntry
}

// timelineEntry is one line of the call's timeline (issue 15, item 1).
type timelineEntry struct {
	At      time.Time
	Kind    string // a timeline.* message key suffix: opened, searched, chosen, verified, verify_failed, locked, asked, sent, reading, contact, public, close_refused, close_unsent
	Item    string // the item asked or sent
	Outcome string // the decision's outcome
	Reason  string // a refusal's reason
	Route   string // where it goes, masked
	Count   int    // candidates found, attempts left
	// DeliveryID names the delivery created, whose live status the
	// page shows from the interaction's deliveries.
	DeliveryID string
	Items      []string // items left unsent at close
}

// deskMemory keeps the desk state of the open interactions of this process.
type deskMemory struct {
	mu sync.Mutex
	m  map[string]*deskState
}

// update changes the state of interaction id for its handler staffID. The
// state of an interaction kept for another staff member is left alone (the
// staff policy and the service refuse them the interaction anyway).
func (d *deskMemory) update(id, staffID string, now time.Time, change func(s *deskState)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*deskState{}
	}
	for k, s := range d.m {
		if now.Sub(s.touched) > deskIdle {
			delete(d.m, k)
		}
	}
	s := d.m[id]
	if s != nil && s.staffID != staffID {
		return
	}
	if s == nil {
		s = &deskState{staffID: staffID}
		d.m[id] = s
	}
	s.touched = now
	change(s)
}

// get returns a copy of the state of interaction id as staffID sees it:
// empty when there is none or it is somebody else's.
func (d *deskMemory) get(id, staffID string) deskState {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.m[id]
	if s == nil || s.staffID != staffID {
		return deskState{}
	}
	c := *s
	c.Decisions = slices.Clone(s.Decisions)
	c.Timeline = slices.Clone(s.Timeline)
	c.Chosen, c.Asked, c.UnsentWarning = slices.Clone(s.Chosen), slices.Clone(s.Asked), slices.Clone(s.UnsentWarning)
	return c
}

// forget drops the state of interaction id (it was closed).
func (d *deskMemory) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, id)
}

// clearProblem forgets the last step's problem and focus: each step starts
// with none.
func (s *deskState) clearProblem() {
	s.Problem, s.ProblemAt, s.ProblemField, s.Focus, s.UnsentWarning = "", "", "", "", nil
}

// putDecision keeps it as the item's latest decision, where the item was
// first asked.
func (s *deskState) putDecision(it decisionItem) {
	for i := range s.Decisions {
		if s.Decisions[i].Item == it.Item {
			s.Decisions[i] = it
			return
		}
	}
	s.Decisions = append(s.Decisions, it)
}

// unsent lists the items decided with a delivery to create (an SMS, a
// letter, a case) that the advisor has not created.
func (s deskState) unsent() []string {
	var out []string
	for _, d := range s.Decisions {
		if d.Execute != "" && d.Delivery == nil {
			out = append(out, d.Item)
		}
	}
	return out
}
