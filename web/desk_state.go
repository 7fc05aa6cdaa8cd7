package web

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/coupole/coupole"
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
// The state is kept by a DeskStore: the database (sqlstore.DB, migration
// 0020) in a server, so that every node behind a load balancer shows the
// same page without sticky sessions; the process's memory when the staff
// store keeps none. It is the handler's only, and goes when the
// interaction is closed or after deskIdle without a step: it holds what
// the service already showed (and traced) to that advisor in this
// interaction, masked as shown, and nothing is read from it for anybody
// else.

// deskIdle is how long the state of an interaction without a step is kept;
// the service's own idle limit (30 minutes by default) ends the
// interaction's need-to-know first.
const deskIdle = 45 * time.Minute

// deskState is what the interaction page shows besides the interaction.
type deskState struct {
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

// DeskStore keeps the desk states of open interactions, each as opaque
// JSON owned by its handler; *sqlstore.DB is one.
type DeskStore interface {
	// UpdateDeskState runs change on the state of interaction id (nil when
	// there is none or only a stale one, untouched since before stale) in
	// one transaction and stores what it returns as staffID's, touched at
	// at; the state of an interaction kept for another staff member is
	// left alone and change not called. Stale states go.
	UpdateDeskState(ctx context.Context, id, staffID string, at, stale time.Time, change func(old []byte) ([]byte, error)) error
	// DeskState returns the state of interaction id as staffID sees it: nil
	// when there is none, it is stale or somebody else's.
	DeskState(ctx context.Context, id, staffID string, stale time.Time) ([]byte, error)
	// DeleteDeskState drops the state of interaction id.
	DeleteDeskState(ctx context.Context, id string) error
}

// deskStates reads and changes desk states in a DeskStore, the process's
// memory when none is given.
type deskStates struct {
	once  sync.Once
	store DeskStore
}

func (d *deskStates) backend() DeskStore {
	d.once.Do(func() {
		if d.store == nil {
			d.store = &memoryDesk{}
		}
	})
	return d.store
}

// update changes the state of interaction id for its handler staffID. The
// state of an interaction kept for another staff member is left alone (the
// staff policy and the service refuse them the interaction anyway).
func (d *deskStates) update(ctx context.Context, id, staffID string, now time.Time, change func(s *deskState)) error {
	return d.backend().UpdateDeskState(ctx, id, staffID, now, now.Add(-deskIdle), func(old []byte) ([]byte, error) {
		var s deskState
		if old != nil {
			if err := json.Unmarshal(old, &s); err != nil {
				return nil, coupole.Errorf(coupole.EINTERNAL, "desk state of interaction %s: unreadable: %v", id, err)
			}
		}
		change(&s)
		return json.Marshal(s)
	})
}

// get returns the state of interaction id as staffID sees it: empty when
// there is none or it is somebody else's.
func (d *deskStates) get(ctx context.Context, id, staffID string, now time.Time) (deskState, error) {
	var s deskState
	b, err := d.backend().DeskState(ctx, id, staffID, now.Add(-deskIdle))
	if err != nil || b == nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return deskState{}, coupole.Errorf(coupole.EINTERNAL, "desk state of interaction %s: unreadable: %v", id, err)
	}
	return s, nil
}

// forget drops the state of interaction id (it was closed).
func (d *deskStates) forget(ctx context.Context, id string) error {
	return d.backend().DeleteDeskState(ctx, id)
}

// memoryDesk is a DeskStore in the process's memory: for a staff store
// that keeps no desk states (tests, a single node).
type memoryDesk struct {
	mu sync.Mutex
	m  map[string]memoryDeskEntry
}

type memoryDeskEntry struct {
	staffID string
	touched time.Time
	state   []byte
}

func (d *memoryDesk) UpdateDeskState(_ context.Context, id, staffID string, at, stale time.Time, change func(old []byte) ([]byte, error)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]memoryDeskEntry{}
	}
	for k, e := range d.m {
		if e.touched.Before(stale) {
			delete(d.m, k)
		}
	}
	e, ok := d.m[id]
	if ok && e.staffID != staffID {
		return nil
	}
	next, err := change(e.state)
	if err != nil {
		return err
	}
	d.m[id] = memoryDeskEntry{staffID: staffID, touched: at, state: next}
	return nil
}

func (d *memoryDesk) DeskState(_ context.Context, id, staffID string, stale time.Time) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.m[id]
	if !ok || e.staffID != staffID || e.touched.Before(stale) {
		return nil, nil
	}
	return slices.Clone(e.state), nil
}

func (d *memoryDesk) DeleteDeskState(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, id)
	return nil
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
