// Package interaction is what an advisor does during a call (issue 6): open
// an interaction, identify the customer, verify the caller, ask the
// disclosure policy, disclose or create the SMS, letter or case, take a
// meter index, and close with a call reason. The JSON API and the pages both
// call the Service; nothing else reads customer data for them.
//
// Every read of personal data and every decision is an audit event written
// before anything is served or stored (trace first, T1): if the trace cannot
// be written, the call fails with EUNAVAILABLE and nothing is returned.
package interaction

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/textfold"
)

// Tracer appends audit events; *audit.Log is one. Append returns only once
// the event is durable.
type Tracer interface {
	Append(ctx context.Context, ev audit.Event) (uint64, error)
}

// StepTracer is a Tracer that also writes a step's own storage write with
// its event, in the same durable commit (one wait instead of two); *audit.Log
// is one. The returned error is the log's (nothing traced, nothing written)
// or, the event being traced, the very error then returned.
type StepTracer interface {
	AppendThen(ctx context.Context, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error)
}

// Decider is the disclosure policy; *policy.Disclosure is one.
type Decider interface {
	Decide(ctx context.Context, req policy.Request) (policy.Decision, error)
}

// Service is the interaction service. Fill every field but Reasons, Logger
// and MaxFailures, which have defaults.
type Service struct {
	Grid   coupole.GridStore
	Store  coupole.InteractionStore
	Policy Decider
	Audit  Tracer
	Clock  coupole.Clock
	// Reasons is the call-reason taxonomy (DefaultCallReasons if nil).
	Reasons []CallReason
	Logger  *slog.Logger
	// MaxFailures is the number of failed verifications on one access point
	// that lock it for the interaction and alert team leads (default 3).
	MaxFailures int
}

var _ coupole.InteractionFacts = (*Service)(nil)

func (s *Service) maxFailures() int {
	if s.MaxFailures <= 0 {
		return 3
	}
	return s.MaxFailures
}

func (s *Service) reasons() []CallReason {
	if s.Reasons == nil {
		return DefaultCallReasons
	}
	return s.Reasons
}

// CallReasons returns the taxonomy.
func (s *Service) CallReasons() []CallReason { return slices.Clone(s.reasons()) }

// newID returns prefix and 28 hex digits: the time t in milliseconds (6
// bytes), then 8 random bytes. Time first: the rows keyed by these ids
// (interactions, their points, candidates, deliveries) land at the end of
// their indexes, so a group commit rewrites a few shared pages instead of one
// random page per row (issue 6); the random part keeps ids of the same
// millisecond apart.
func newID(prefix string, t time.Time) string {
	var b [14]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	rand.Read(b[6:])
	return prefix + hex.EncodeToString(b[:])
}

// trace appends ev for actor in interaction in; an error means nothing may
// be served.
func (s *Service) trace(ctx context.Context, a Actor, in coupole.Interaction, ev audit.Event) (uint64, error) {
	return s.traceThen(ctx, a, in, ev, nil)
}

// stepFailure carries the error of a step's write through the tracer, to
// tell it from the log's own.
type stepFailure struct{ err error }

func (f *stepFailure) Error() string { return f.err.Error() }

// traceThen traces ev and then, if not nil, makes the step's storage write
// with the event's index: with a StepTracer in the event's own transaction,
// otherwise once the event is durable. Trace first either way: the write is
// never made without its event; a failing write leaves its event (an
// attempted action) and returns the write's error.
func (s *Service) traceThen(ctx context.Context, a Actor, in coupole.Interaction, ev audit.Event, then func(ctx context.Context, index uint64) error) (uint64, error) {
	ev.Actor, ev.Client, ev.Interaction = a.StaffID, a.Client, in.ID
	if len(in.CallReasons) > 0 && ev.CallReason == "" {
		ev.CallReason = strings.Join(in.CallReasons, ",")
	}
	var idx uint64
	var err error
	if st, ok := s.Audit.(StepTracer); ok && then != nil {
		idx, err = st.AppendThen(ctx, ev, func(ctx context.Context, index uint64) error {
			if err := then(ctx, index); err != nil {
				return &stepFailure{err}
			}
			return nil
		})
		var f *stepFailure
		if errors.As(err, &f) {
			return idx, f.err
		}
	} else {
		idx, err = s.Audit.Append(ctx, ev)
		if err == nil && then != nil {
			return idx, then(ctx, idx)
		}
	}
	if err != nil {
		if s.Logger != nil {
			s.Logger.Error("interaction: trace not written, request refused", "action", ev.Action, "interaction", in.ID, "err", err)
		}
		return 0, coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: nothing was served or changed")
	}
	return idx, nil
}

// own returns the actor's interaction. Somebody else's is "not found": an
// advisor learns nothing about interactions they do not handle (C1).
func (s *Service) own(ctx context.Context, a Actor, id string, mustBeOpen bool) (coupole.Interaction, error) {
	in, err := s.takeMemo(ctx, id)
	if err != nil {
		return in, err
	}
	if in.StaffID != a.StaffID {
		return coupole.Interaction{}, coupole.Errorf(coupole.ENOTFOUND, "interaction %s not found", id)
	}
	if mustBeOpen && !in.Open() {
		return in, coupole.Errorf(coupole.ECONFLICT, "interaction %s is closed", id)
	}
	return in, nil
}

func checkEnum[T ~string](field, v string, allowed []T) error {
	if slices.Contains(allowed, T(v)) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return coupole.Errorf(coupole.EINVALID, "%s: unknown value %q (expected one of %s)", field, v, strings.Join(names, ", "))
}

// Open opens an interaction for the actor on any channel but the CPAS line.
func (s *Service) Open(ctx context.Context, a Actor, r OpenRequest) (View, error) {
	if err := checkEnum("channel", r.Channel, policy.Channels); err != nil {
		return View{}, err
	}
	if r.Channel == string(policy.ChannelCPASLine) {
		return View{}, coupole.Errorf(coupole.EINVALID, "channel: the CPAS line is opened with POST /api/v1/cpas-line/interactions, by a CPAS advisor")
	}
	if err := checkEnum("requester", r.Requester, policy.Requesters); err != nil {
		return View{}, err
	}
	if r.CallerNumber != "" {
		if err := coupole.ValidateE164(r.CallerNumber); err != nil {
			return View{}, coupole.Errorf(coupole.EINVALID, "caller_number: %s", coupole.ErrorMessage(err))
		}
	}
	r.MandataryName = strings.TrimSpace(r.MandataryName)
	if r.MandataryName != "" && r.Requester != string(policy.RequesterMandatary) {
		return View{}, coupole.Errorf(coupole.EINVALID, "mandatary_name: only for requester mandatary")
	}
	in := coupole.Interaction{ID: newID("i-", s.Clock.Now()), StaffID: a.StaffID, Channel: r.Channel, Requester: r.Requester,
		CallerNumber: r.CallerNumber, MandataryName: r.MandataryName, OpenedAt: s.Clock.Now()}
	return s.create(ctx, a, in, "")
}

// OpenCPASLine opens an interaction on the dedicated CPAS line (D6): the
// CPAS is identified by its id; its beneficiaries are reached through its
// permanent mandates.
func (s *Service) OpenCPASLine(ctx context.Context, a Actor, r CPASOpenRequest) (View, error) {
	c, err := s.Grid.CPAS(ctx, strings.TrimSpace(r.CPASID))
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return View{}, coupole.Errorf(coupole.EINVALID, "cpas_id: no CPAS with this id")
	} else if err != nil {
		return View{}, err
	}
	if r.CallerNumber != "" {
		if err := coupole.ValidateE164(r.CallerNumber); err != nil {
			return View{}, coupole.Errorf(coupole.EINVALID, "caller_number: %s", coupole.ErrorMessage(err))
		}
	}
	in := coupole.Interaction{ID: newID("i-", s.Clock.Now()), StaffID: a.StaffID, Channel: string(policy.ChannelCPASLine), Requester: string(policy.RequesterCPAS),
		CallerNumber: r.CallerNumber, CPASID: c.ID, OpenedAt: s.Clock.Now()}
	return s.create(ctx, a, in, c.Name)
}

func (s *Service) create(ctx context.Context, a Actor, in coupole.Interaction, cpasName string) (View, error) {
	ev := audit.Event{Action: "interaction.open", Data: []string{"channel=" + in.Channel, "requester=" + in.Requester}}
	if in.CPASID != "" {
		ev.Data = append(ev.Data, "cpas="+in.CPASID)
	}
	_, err := s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		return s.Store.CreateInteraction(ctx, in)
	})
	if err != nil {
		return View{}, err
	}
	v := s.view(in, nil, nil)
	v.CPAS = cpasName
	return v, nil
}

func (s *Service) view(in coupole.Interaction, points []coupole.InteractionPoint, cur *PointView) View {
	v := View{ID: in.ID, Channel: in.Channel, Requester: in.Requester, Status: "open", OpenedAt: in.OpenedAt, CallReasons: []ReasonView{}, Current: cur, EANsAsked: len(points)}
	if !in.Open() {
		t := in.ClosedAt
		v.Status, v.ClosedAt = "closed", &t
	}
	for _, code := range in.CallReasons {
		v.CallReasons = append(v.CallReasons, s.reasonView(code))
	}
	return v
}

func (s *Service) reasonView(code string) ReasonView {
	for _, r := range s.reasons() {
		if r.Code == code {
			return ReasonView{r.Code, r.Label, r.LegalRetention}
		}
	}
	return ReasonView{Code: code, Label: code}
}

// Get returns the actor's interaction with its current access point,
// masked. It is a read of personal data: traced.
func (s *Service) Get(ctx context.Context, a Actor, id string) (View, error) {
	in, err := s.own(ctx, a, id, false)
	if err != nil {
		return View{}, err
	}
	points, err := s.Store.InteractionPoints(ctx, id)
	if err != nil {
		return View{}, err
	}
	var cur *PointView
	ev := audit.Event{Action: "interaction.read", Data: []string{"interaction_summary"}}
	if in.CurrentEAN != "" {
		pv, err := s.pointView(ctx, in, points)
		if err != nil {
			return View{}, err
		}
		cur = &pv
		ev.AccessPoints, ev.Customers = []string{string(in.CurrentEAN)}, []string{in.CurrentCustomer}
		ev.Data = append(ev.Data, "masked_access_point", "masked_customer_name")
	}
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return View{}, err
	}
	return s.view(in, points, cur), nil
}

func (s *Service) pointView(ctx context.Context, in coupole.Interaction, points []coupole.InteractionPoint) (PointView, error) {
	ap, err := s.Grid.AccessPoint(ctx, in.CurrentEAN)
	if err != nil {
		return PointView{}, err
	}
	c, err := s.Grid.Customer(ctx, in.CurrentCustomer)
	if err != nil {
		return PointView{}, err
	}
	pv := PointView{EAN: ap.EAN.Masked(), Energy: string(ap.Energy), Address: ap.Address.Masked(), Customer: c.MaskedName(), Regime: string(ap.Regime), AttemptsLeft: s.maxFailures()}
	for _, p := range points {
		if p.EAN == in.CurrentEAN {
			pv.Verified, pv.Locked, pv.AttemptsLeft = p.Verified, p.Locked, max(0, s.maxFailures()-p.FailedAttempts)
		}
	}
	return pv, nil
}

// maxCandidates bounds an identification: more means "ask for more detail".
const maxCandidates = 20

// Identify searches access points and customers and keeps the candidates
// for the advisor to choose from; only masked values are returned (C1, C2).
func (s *Service) Identify(ctx context.Context, a Actor, id string, r IdentifyRequest) (Identification, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return Identification{}, err
	}
	kind, aps, customers, err := s.search(ctx, r)
	if err != nil {
		return Identification{}, err
	}
	// Pair every access point found with the customers related to it, and
	// every customer found with their access points.
	type pair struct {
		ean  coupole.EAN
		cust string
	}
	var pairs []pair
	seen := map[pair]bool{}
	add := func(p pair) {
		if !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	apByEAN := map[coupole.EAN]coupole.AccessPoint{}
	for _, ap := range aps {
		apByEAN[ap.EAN] = ap
		occs, err := s.Grid.OccupanciesOfAccessPoint(ctx, ap.EAN)
		if err != nil {
			return Identification{}, err
		}
		// Most recent occupants first: the caller is most likely one of them.
		slices.SortFunc(occs, func(x, y coupole.Occupancy) int { return y.MoveIn.Compare(x.MoveIn) })
		for _, o := range occs[:min(len(occs), 3)] {
			add(pair{ap.EAN, o.CustomerID})
		}
	}
	for _, c := range customers {
		occs, err := s.Grid.OccupanciesOfCustomer(ctx, c.ID)
		if err != nil {
			return Identification{}, err
		}
		for _, o := range occs {
			add(pair{o.EAN, c.ID})
		}
	}
	truncated := len(pairs) > maxCandidates
	pairs = pairs[:min(len(pairs), maxCandidates)]

	res := Identification{Candidates: []Candidate{}, Truncated: truncated}
	stored := make([]coupole.InteractionCandidate, 0, len(pairs))
	names := map[string]coupole.Customer{}
	for _, c := range customers {
		names[c.ID] = c
	}
	ev := audit.Event{Action: "interaction.identify", Data: []string{"search=" + kind, "candidates=" + strconv.Itoa(len(pairs)), "masked_access_point", "masked_customer_name"}}
	for i, p := range pairs {
		ap, ok := apByEAN[p.ean]
		if !ok {
			if ap, err = s.Grid.AccessPoint(ctx, p.ean); err != nil {
				return Identification{}, err
			}
			apByEAN[p.ean] = ap
		}
		c, ok := names[p.cust]
		if !ok {
			if c, err = s.Grid.Customer(ctx, p.cust); err != nil {
				return Identification{}, err
			}
			names[p.cust] = c
		}
		ref := "c" + strconv.Itoa(i+1)
		stored = append(stored, coupole.InteractionCandidate{Ref: ref, EAN: p.ean, CustomerID: p.cust})
		res.Candidates = append(res.Candidates, Candidate{Ref: ref, EAN: p.ean.Masked(), Energy: string(ap.Energy), Address: ap.Address.Masked(), Customer: c.MaskedName()})
		ev.AccessPoints = appendNew(ev.AccessPoints, string(p.ean))
		ev.Customers = appendNew(ev.Customers, p.cust)
	}
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		return s.Store.SetCandidates(ctx, in.ID, stored)
	})
	if err != nil {
		return Identification{}, err
	}
	return res, nil
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// search runs exactly one kind of search.
func (s *Service) search(ctx context.Context, r IdentifyRequest) (kind string, aps []coupole.AccessPoint, customers []coupole.Customer, err error) {
	given := 0
	for _, v := range []string{r.EAN, r.Meter, r.Name, r.Postcode + r.Street + r.Number} {
		if strings.TrimSpace(v) != "" {
			given++
		}
	}
	if given != 1 {
		return "", nil, nil, coupole.Errorf(coupole.EINVALID, "identify: give exactly one of ean, meter_number, name, or an address (postcode, street[, number])")
	}
	switch {
	case r.EAN != "":
		ean, err := coupole.ParseEAN(r.EAN)
		if err != nil {
			return "", nil, nil, coupole.Errorf(coupole.EINVALID, "ean: %s", coupole.ErrorMessage(err))
		}
		ap, err := s.Grid.AccessPoint(ctx, ean)
		if coupole.ErrorCode(err) == coupole.ENOTFOUND {
			return "ean", nil, nil, nil
		}
		return "ean", []coupole.AccessPoint{ap}, nil, err
	case r.Meter != "":
		m, err := coupole.ParseMeterNumber(r.Meter)
		if err != nil {
			return "", nil, nil, coupole.Errorf(coupole.EINVALID, "meter_number: %s", coupole.ErrorMessage(err))
		}
		aps, err := s.Grid.AccessPointsByMeter(ctx, m)
		return "meter_number", aps, nil, err
	case r.Name != "":
		name := strings.TrimSpace(r.Name)
		if len([]rune(name)) < 2 {
			return "", nil, nil, coupole.Errorf(coupole.EINVALID, "name: give at least two letters")
		}
		cs, err := s.Grid.CustomersByName(ctx, name, 10)
		return "name", nil, cs, err
	default:
		if err := coupole.ValidatePostcode(strings.TrimSpace(r.Postcode)); err != nil {
			return "", nil, nil, coupole.Errorf(coupole.EINVALID, "postcode: %s", coupole.ErrorMessage(err))
		}
		if strings.TrimSpace(r.Street) == "" {
			return "", nil, nil, coupole.Errorf(coupole.EINVALID, "street: required with a postcode")
		}
		aps, err := s.Grid.AccessPointsByAddress(ctx, coupole.AddressQuery{Postcode: strings.TrimSpace(r.Postcode), StreetPrefix: strings.TrimSpace(r.Street), Number: strings.TrimSpace(r.Number), Limit: maxCandidates})
		return "address", aps, nil, err
	}
}

// Select makes a candidate of the last identification the current access
// point of the conversation.
func (s *Service) Select(ctx context.Context, a Actor, id, ref string) (View, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return View{}, err
	}
	if _, err := s.selectRef(ctx, a, in, ref); err != nil {
		return View{}, err
	}
	return s.Get(ctx, a, id)
}

func (s *Service) selectRef(ctx context.Context, a Actor, in coupole.Interaction, ref string) (coupole.InteractionPoint, error) {
	p, err := s.candidate(ctx, in, ref)
	if err != nil {
		return p, err
	}
	return s.Store.SelectPoint(ctx, in.ID, p)
}

// candidate returns the point of candidate ref of the last identification.
func (s *Service) candidate(ctx context.Context, in coupole.Interaction, ref string) (coupole.InteractionPoint, error) {
	cs, err := s.Store.Candidates(ctx, in.ID)
	if err != nil {
		return coupole.InteractionPoint{}, err
	}
	i := slices.IndexFunc(cs, func(c coupole.InteractionCandidate) bool { return c.Ref == ref })
	if i < 0 {
		return coupole.InteractionPoint{}, coupole.Errorf(coupole.EINVALID, "ref: no candidate %q in the last identification", ref)
	}
	return coupole.InteractionPoint{EAN: cs[i].EAN, CustomerID: cs[i].CustomerID}, nil
}

// Verify checks the meter number the caller gives against the meter in
// place on the interaction's date (C2, D1). The last allowed failure locks
// the access point for this interaction and raises an alert for team leads.
func (s *Service) Verify(ctx context.Context, a Actor, id string, r VerifyRequest) (Verification, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return Verification{}, err
	}
	given, err := coupole.ParseMeterNumber(r.MeterNumber)
	if err != nil {
		return Verification{}, coupole.Errorf(coupole.EINVALID, "meter_number: %s", coupole.ErrorMessage(err))
	}
	// A choice made with the verification is written with its event: a
	// point the interaction never asked about is new, neither verified nor
	// locked, as the points read below say.
	var choice *coupole.InteractionPoint
	if r.Ref != "" {
		p, err := s.candidate(ctx, in, r.Ref)
		if err != nil {
			return Verification{}, err
		}
		choice = &p
		in.CurrentEAN, in.CurrentCustomer = p.EAN, p.CustomerID
	}
	choose := func(ctx context.Context) error {
		if choice == nil {
			return nil
		}
		_, err := s.Store.SelectPoint(ctx, in.ID, *choice)
		return err
	}
	if in.CurrentEAN == "" {
		return Verification{}, coupole.Errorf(coupole.EINVALID, "choose an access point among the candidates (ref) before verifying")
	}
	points, err := s.Store.InteractionPoints(ctx, in.ID)
	if err != nil {
		return Verification{}, err
	}
	var cur coupole.InteractionPoint
	for _, p := range points {
		if p.EAN == in.CurrentEAN {
			cur = p
		}
	}
	ev := audit.Event{Action: "interaction.verify", AccessPoints: []string{string(in.CurrentEAN)}, Customers: []string{in.CurrentCustomer}, Data: []string{"meter_number"}}
	if cur.Locked {
		ev.Decision = &audit.Decision{Outcome: "refused", Reason: "locked"}
		if _, err := s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error { return choose(ctx) }); err != nil {
			return Verification{}, err
		}
		return Verification{}, coupole.Errorf(coupole.EFORBIDDEN, "too many failed verifications: this access point is locked for this interaction")
	}
	ap, err := s.Grid.AccessPoint(ctx, in.CurrentEAN)
	if err != nil {
		return Verification{}, err
	}
	m, inPlace := ap.MeterOn(coupole.Date(in.OpenedAt))
	ok := inPlace && m.Number == given
	locks := !ok && cur.FailedAttempts+1 >= s.maxFailures()
	switch {
	case ok:
		ev.Decision = &audit.Decision{Outcome: "verified", Reason: "meter_matches"}
	case locks:
		ev.Decision = &audit.Decision{Outcome: "locked", Reason: "too_many_failures"}
		ev.Data = append(ev.Data, "alert=verification_locked")
	default:
		ev.Decision = &audit.Decision{Outcome: "failed", Reason: "meter_mismatch"}
	}
	alert := coupole.InteractionAlert{ID: newID("al-", s.Clock.Now()), InteractionID: in.ID, StaffID: a.StaffID, EAN: in.CurrentEAN, Kind: "verification_locked", RaisedAt: s.Clock.Now()}
	var p coupole.InteractionPoint
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		if err := choose(ctx); err != nil {
			return err
		}
		var err error
		p, err = s.Store.RecordVerification(ctx, in.ID, in.CurrentEAN, ok, s.maxFailures(), alert)
		return err
	})
	if err != nil {
		return Verification{}, err
	}
	if p.Locked && s.Logger != nil {
		s.Logger.Warn("interaction: access point locked after failed verifications", "interaction", in.ID, "staff", a.StaffID, "ean", in.CurrentEAN.Masked())
	}
	return Verification{Verified: p.Verified, AttemptsLeft: max(0, s.maxFailures()-p.FailedAttempts), Locked: p.Locked, Current: in.CurrentEAN.Masked()}, nil
}

// subject is what the facts are derived from.
type subject struct {
	in       coupole.Interaction
	points   []coupole.InteractionPoint
	point    coupole.InteractionPoint
	ap       coupole.AccessPoint
	customer coupole.Customer
	occs     []coupole.Occupancy // the customer's occupancies of the current point
}

func (s *Service) subject(ctx context.Context, in coupole.Interaction) (subject, error) {
	sj := subject{in: in}
	var err error
	if sj.points, err = s.Store.InteractionPoints(ctx, in.ID); err != nil {
		return sj, err
	}
	if in.CurrentEAN == "" {
		return sj, nil
	}
	for _, p := range sj.points {
		if p.EAN == in.CurrentEAN {
			sj.point = p
		}
	}
	if sj.ap, err = s.Grid.AccessPoint(ctx, in.CurrentEAN); err != nil {
		return sj, err
	}
	if sj.customer, err = s.Grid.Customer(ctx, in.CurrentCustomer); err != nil {
		return sj, err
	}
	occs, err := s.Grid.OccupanciesOfCustomer(ctx, in.CurrentCustomer)
	if err != nil {
		return sj, err
	}
	for _, o := range occs {
		if o.EAN == in.CurrentEAN {
			sj.occs = append(sj.occs, o)
		}
	}
	return sj, nil
}

// facts derives the disclosure facts from the data: none is typed by the
// advisor (issue 6, point 1).
func (s *Service) facts(ctx context.Context, sj subject) (policy.Facts, error) {
	f := policy.Facts{Occupancy: policy.OccupancyNone, Mandate: policy.MandateNone, EANCount: max(1, len(sj.points))}
	if sj.in.CurrentEAN == "" {
		return f, nil
	}
	at := sj.in.OpenedAt
	f.MeterVerified = sj.point.Verified
	f.Occupancy = coupole.RelationOn(sj.occs, at)
	// Only a number registered before the interaction began counts (D4).
	f.RegisteredMobile = sj.customer.HasMobileRegisteredBefore(at)
	f.ReadingRegime = sj.ap.Regime
	switch policy.Requester(sj.in.Requester) {
	case policy.RequesterMandatary, policy.RequesterCPAS:
		ms, err := s.Grid.MandatesOfCustomer(ctx, sj.customer.ID)
		if err != nil {
			return f, err
		}
		f.Mandate = mandateOf(ms, sj.in, at)
	}
	return f, nil
}

// mandateOf is the best state of the mandates the requester holds from the
// customer on day t: a CPAS's by its id (D6), a person's by the name they
// gave (accents and case ignored).
func mandateOf(ms []coupole.Mandate, in coupole.Interaction, t time.Time) policy.Mandate {
	best := policy.MandateNone
	for _, m := range ms {
		if in.Requester == string(policy.RequesterCPAS) {
			if in.CPASID == "" || m.CPASID != in.CPASID {
				continue
			}
		} else if m.CPASID != "" || in.MandataryName == "" || textfold.Fold(m.MandataryName) != textfold.Fold(in.MandataryName) {
			continue
		}
		switch m.ValidityOn(t) {
		case coupole.MandateValid:
			return policy.MandateValid
		case coupole.MandateExpired:
			best = policy.MandateExpired
		}
	}
	return best
}

// Decide asks the disclosure policy about item for the current access point,
// with facts derived from the data. When the outcome is to tell it now, the
// answer carries the data, scoped to the requester's occupancy periods and
// the last three years (D1, D8). The decision and what was disclosed are
// traced before anything is returned.
func (s *Service) Decide(ctx context.Context, a Actor, id string, r DecideRequest) (DecisionView, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return DecisionView{}, err
	}
	dv, sj, err := s.decide(ctx, a, in, r.Item)
	if err != nil {
		return DecisionView{}, err
	}
	ev := s.decisionEvent("interaction.decide", dv)
	if dv.Destination != "" {
		ev.Data = append(ev.Data, "masked_destination")
	}
	if dv.Outcome == string(policy.OutcomeOral) && sj.in.CurrentEAN != "" {
		d, data, err := s.disclose(ctx, sj, policy.Item(r.Item))
		if err != nil {
			return DecisionView{}, err
		}
		dv.Disclosure = d
		ev.Data = append(ev.Data, data...)
	}
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return DecisionView{}, err
	}
	return dv, nil
}

func (s *Service) decide(ctx context.Context, a Actor, in coupole.Interaction, item string) (DecisionView, subject, error) {
	if err := checkEnum("item", item, policy.Items); err != nil {
		return DecisionView{}, subject{}, err
	}
	sj, err := s.subject(ctx, in)
	if err != nil {
		return DecisionView{}, sj, err
	}
	f, err := s.facts(ctx, sj)
	if err != nil {
		return DecisionView{}, sj, err
	}
	req := policy.Request{Requester: policy.Requester(in.Requester), Channel: policy.Channel(in.Channel), Item: policy.Item(item), Facts: f, Lang: a.Lang}
	d, err := s.Policy.Decide(ctx, req)
	if err != nil {
		return DecisionView{}, sj, err
	}
	dv := DecisionView{
		Item: item, Outcome: string(d.Outcome), Reason: d.Reason, Scope: string(d.Scope), Policies: nonNil(d.Policies), Explanation: d.Explanation,
		Facts:    FactsView{f.MeterVerified, string(f.Occupancy), string(f.Mandate), f.RegisteredMobile, f.EANCount, string(f.ReadingRegime)},
		decision: d, point: in.CurrentEAN, customer: in.CurrentCustomer, request: req,
	}
	// The same destination Execute would use, masked, so the advisor can
	// say where it goes before sending it.
	switch d.Outcome {
	case policy.OutcomeSMS:
		if sj.customer.HasMobileRegisteredBefore(in.OpenedAt) {
			dv.Destination = MaskMobile(sj.customer.Mobile)
		}
	case policy.OutcomeLetter:
		if in.CurrentEAN != "" {
			dv.Destination = sj.ap.Address.Masked()
		}
	}
	return dv, sj, nil
}

// MaskMobile shows a registered mobile masked the way advisors and callers
// say it: a Belgian mobile (+32 4xx xx xx xx) in its national form with its
// last two digits, "04•• •• •• 56"; any other number in the international
// masked form of coupole.MaskPhone.
func MaskMobile(e164 string) string {
	if rest, ok := strings.CutPrefix(e164, "+324"); ok && len(rest) == 8 && strings.Trim(rest, "0123456789") == "" {
		return "04•• •• •• " + rest[6:]
	}
	return coupole.MaskPhone(e164)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Service) decisionEvent(action string, dv DecisionView) audit.Event {
	f := dv.request.Facts
	ev := audit.Event{Action: action,
		Decision: &audit.Decision{Outcome: dv.Outcome, Reason: dv.Reason, Policies: dv.Policies, PolicySet: dv.decision.PolicySet},
		Data: []string{"item=" + dv.Item, "meter_verified=" + strconv.FormatBool(f.MeterVerified), "occupancy=" + string(f.Occupancy),
			"mandate=" + string(f.Mandate), "registered_mobile=" + strconv.FormatBool(f.RegisteredMobile), "ean_count=" + strconv.Itoa(f.EANCount)}}
	if f.ReadingRegime != "" {
		ev.Data = append(ev.Data, "reading_regime="+string(f.ReadingRegime))
	}
	if dv.point != "" {
		ev.AccessPoints, ev.Customers = []string{string(dv.point)}, []string{dv.customer}
	}
	return ev
}

// period is a span of days [from, to); to zero means open-ended.
type period struct{ from, to time.Time }

// scope returns the requester's occupancy periods of the point clipped to
// the last three years, oldest first (D1, D8).
func (s *Service) scope(sj subject) ([]period, time.Time) {
	today := coupole.Date(s.Clock.Now())
	floor := today.AddDate(-coupole.HistoryYears, 0, 0)
	var out []period
	for _, o := range sj.occs {
		p := period{o.MoveIn, o.MoveOut}
		if p.from.Before(floor) {
			p.from = floor
		}
		if !p.to.IsZero() && !p.to.After(p.from) {
			continue
		}
		out = append(out, p)
	}
	// A CPAS or a mandatary speaks for the customer: the customer's
	// occupancy is the scope. Without any, nothing is in scope.
	slices.SortFunc(out, func(x, y period) int { return x.from.Compare(y.from) })
	return out, floor
}

func (p period) contains(t time.Time) bool {
	return !t.Before(p.from) && (p.to.IsZero() || t.Before(p.to))
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// disclose gathers the data of an oral answer, scoped; data names what was
// disclosed, for the trace.
func (s *Service) disclose(ctx context.Context, sj subject, item policy.Item) (*Disclosure, []string, error) {
	periods, floor := s.scope(sj)
	d := &Disclosure{HistoryFrom: day(floor)}
	for _, p := range periods {
		pv := PeriodView{From: day(p.from)}
		if !p.to.IsZero() {
			pv.To = day(p.to)
		}
		d.Periods = append(d.Periods, pv)
	}
	in := func(t time.Time) bool {
		for _, p := range periods {
			if p.contains(t) {
				return true
			}
		}
		return false
	}
	switch item {
	case policy.ItemConsumptionHistory:
		rs, err := s.Grid.Readings(ctx, sj.ap.EAN, floor, coupole.Date(s.Clock.Now()).AddDate(0, 0, 1))
		if err != nil {
			return nil, nil, err
		}
		d.Readings = []ReadingView{}
		for _, r := range rs {
			if !in(r.Date) {
				continue
			}
			d.Readings = append(d.Readings, readingView(r, sj.ap.Energy))
		}
		return d, []string{"disclosed=consumption_history", "readings=" + strconv.Itoa(len(d.Readings))}, nil
	case policy.ItemSupplier:
		sps, err := s.Grid.SupplyPeriods(ctx, sj.ap.EAN)
		if err != nil {
			return nil, nil, err
		}
		d.Suppliers = []SupplyView{}
		for _, sp := range sps {
			overlaps := false
			for _, p := range periods {
				if (sp.To.IsZero() || sp.To.After(p.from)) && (p.to.IsZero() || sp.From.Before(p.to)) {
					overlaps = true
				}
			}
			if !overlaps {
				continue
			}
			sup, err := s.Grid.Supplier(ctx, sp.SupplierID)
			if err != nil {
				return nil, nil, err
			}
			v := SupplyView{Supplier: sup.Name, From: day(sp.From)}
			if !sp.To.IsZero() {
				v.To = day(sp.To)
			}
			d.Suppliers = append(d.Suppliers, v)
		}
		return d, []string{"disclosed=supplier"}, nil
	case policy.ItemCaseStatus:
		// Cases are encoded by the back office (a later issue); until
		// then the status is that there is no open case in Coupole.
		d.CaseStatus = "no_open_case"
		return d, []string{"disclosed=case_status"}, nil
	}
	return nil, nil, nil
}

func readingView(r coupole.Reading, e coupole.Energy) ReadingView {
	v := ReadingView{Date: day(r.Date), Meter: r.Meter.Masked(), Source: string(r.Source)}
	f := func(x float64) *float64 { return &x }
	if e == coupole.Gas {
		v.GasM3 = f(r.Registers.GasM3)
		return v
	}
	if r.Registers.NightKWh > 0 || r.Registers.DayKWh > 0 {
		v.DayKWh = f(r.Registers.DayKWh)
	}
	if r.Registers.NightKWh > 0 {
		v.NightKWh = f(r.Registers.NightKWh)
	}
	if r.Registers.ExclusiveNightKWh > 0 {
		v.ExclusiveNightKWh = f(r.Registers.ExclusiveNightKWh)
	}
	return v
}

// Execute creates the SMS, letter or back-office case that the policy's
// decision on item calls for, now, with facts derived from the data. The
// trace is written first and its index stored in the delivery: a delivery
// never exists without its trace. A repeated idempotency key returns the
// delivery created the first time.
func (s *Service) Execute(ctx context.Context, a Actor, id string, r ExecuteRequest) (DeliveryView, error) {
	key := strings.TrimSpace(r.IdempotencyKey)
	if key == "" || len(key) > 200 {
		return DeliveryView{}, coupole.Errorf(coupole.EINVALID, "Idempotency-Key: required (1 to 200 characters) on a request that creates a delivery")
	}
	sum := sha256.Sum256([]byte(id + "\x00" + r.Item))
	hash := hex.EncodeToString(sum[:])
	if have, err := s.Store.DeliveryByKey(ctx, a.StaffID, key); err == nil {
		return s.replay(have, hash)
	} else if coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return DeliveryView{}, err
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return DeliveryView{}, err
	}
	dv, sj, err := s.decide(ctx, a, in, r.Item)
	if err != nil {
		return DeliveryView{}, err
	}
	d := coupole.Delivery{ID: newID("d-", s.Clock.Now()), InteractionID: in.ID, StaffID: a.StaffID, Item: r.Item, EAN: in.CurrentEAN, CustomerID: in.CurrentCustomer,
		IdempotencyKey: key, RequestHash: hash, Status: "pending", CreatedAt: s.Clock.Now()}
	shown := ""
	switch policy.Outcome(dv.Outcome) {
	case policy.OutcomeSMS:
		// Only ever the number registered before the interaction began (D4):
		// the policy allowed the SMS on that fact; never a number given now.
		if !sj.customer.HasMobileRegisteredBefore(in.OpenedAt) {
			return DeliveryView{}, coupole.Errorf(coupole.ECONFLICT, "no mobile number was registered before this interaction")
		}
		d.Kind, d.Recipient, shown = coupole.DeliverySMS, sj.customer.Mobile, coupole.MaskPhone(sj.customer.Mobile)
	case policy.OutcomeLetter:
		d.Kind, d.Recipient, shown = coupole.DeliveryLetter, "installation_address", sj.ap.Address.Masked()
	case policy.OutcomeBackOfficeCase:
		d.Kind, d.Recipient, shown = coupole.DeliveryBackOfficeCase, "back_office", "back_office"
	default:
		ev := s.decisionEvent("interaction.execute_refused", dv)
		if _, err := s.trace(ctx, a, in, ev); err != nil {
			return DeliveryView{}, err
		}
		return DeliveryView{}, coupole.Errorf(coupole.ECONFLICT, "the decision for this request is %q (%s): nothing is sent", dv.Outcome, dv.Reason)
	}
	ev := s.decisionEvent("interaction.deliver", dv)
	recipient := d.Recipient
	if d.Kind == coupole.DeliverySMS {
		recipient = "registered_mobile"
	}
	ev.Data = append(ev.Data, "delivery="+d.ID, "kind="+d.Kind, "recipient="+recipient)
	var stored coupole.Delivery
	var created bool
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, idx uint64) error {
		d.AuditIndex = idx
		var err error
		stored, created, err = s.Store.CreateDelivery(ctx, d)
		return err
	})
	if err != nil {
		return DeliveryView{}, err
	}
	if !created { // a concurrent request with the same key won
		return s.replay(stored, hash)
	}
	return DeliveryView{ID: d.ID, Kind: d.Kind, Item: d.Item, Recipient: shown, Status: d.Status, CreatedAt: d.CreatedAt}, nil
}

func (s *Service) replay(d coupole.Delivery, hash string) (DeliveryView, error) {
	if d.RequestHash != hash {
		return DeliveryView{}, coupole.Errorf(coupole.ECONFLICT, "Idempotency-Key: already used for another request")
	}
	shown := d.Recipient
	if d.Kind == coupole.DeliverySMS {
		shown = coupole.MaskPhone(d.Recipient)
	}
	return DeliveryView{ID: d.ID, Kind: d.Kind, Item: d.Item, Recipient: shown, Status: d.Status, CreatedAt: d.CreatedAt, Replayed: true}, nil
}

// Close closes the interaction with at least one call reason of the
// taxonomy (C4); reasons with a legal retention are flagged.
func (s *Service) Close(ctx context.Context, a Actor, id string, r CloseRequest) (View, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return View{}, err
	}
	if len(r.CallReasons) == 0 {
		return View{}, coupole.Errorf(coupole.EINVALID, "call_reasons: at least one call reason is required to close an interaction (C4)")
	}
	var codes, legal []string
	for _, code := range r.CallReasons {
		i := slices.IndexFunc(s.reasons(), func(cr CallReason) bool { return cr.Code == code })
		if i < 0 {
			return View{}, coupole.Errorf(coupole.EINVALID, "call_reasons: unknown call reason %q (see GET /api/v1/call-reasons)", code)
		}
		if slices.Contains(codes, code) {
			continue
		}
		codes = append(codes, code)
		if s.reasons()[i].LegalRetention {
			legal = append(legal, code)
		}
	}
	now := s.Clock.Now()
	ev := audit.Event{Action: "interaction.close", CallReason: strings.Join(codes, ",")}
	if len(legal) > 0 {
		ev.Data = append(ev.Data, "legal_retention="+strings.Join(legal, ","))
	}
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		return s.Store.CloseInteraction(ctx, in.ID, codes, now)
	})
	if err != nil {
		return View{}, err
	}
	in.ClosedAt, in.CallReasons = now, codes
	return s.view(in, nil, nil), nil
}

// PublicInfo returns planned works and outages for a postcode (and street):
// public information for any caller, without identification (D9). The
// policy is still asked, and its decision traced.
func (s *Service) PublicInfo(ctx context.Context, a Actor, r PublicInfoRequest) (PublicInfo, error) {
	postcode := strings.TrimSpace(r.Postcode)
	if err := coupole.ValidatePostcode(postcode); err != nil {
		return PublicInfo{}, coupole.Errorf(coupole.EINVALID, "postcode: %s", coupole.ErrorMessage(err))
	}
	in := coupole.Interaction{Requester: string(policy.RequesterThirdParty), Channel: string(policy.ChannelPhone)}
	if r.InteractionID != "" {
		var err error
		if in, err = s.own(ctx, a, r.InteractionID, true); err != nil {
			return PublicInfo{}, err
		}
	}
	d, err := s.Policy.Decide(ctx, policy.Request{Requester: policy.Requester(in.Requester), Channel: policy.Channel(in.Channel), Item: policy.ItemPublicInfo, Lang: a.Lang})
	if err != nil {
		return PublicInfo{}, err
	}
	ev := audit.Event{Action: "public_info.read", Data: []string{"item=public_info", "postcode=" + postcode},
		Decision: &audit.Decision{Outcome: string(d.Outcome), Reason: d.Reason, Policies: d.Policies, PolicySet: d.PolicySet}}
	if d.Outcome == policy.OutcomeRefuse {
		if _, err := s.trace(ctx, a, in, ev); err != nil {
			return PublicInfo{}, err
		}
		return PublicInfo{}, coupole.Errorf(coupole.EFORBIDDEN, "%s", d.Explanation)
	}
	ns, err := s.Grid.PublicNotices(ctx, postcode, strings.TrimSpace(r.Street), s.Clock.Now())
	if err != nil {
		return PublicInfo{}, err
	}
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return PublicInfo{}, err
	}
	out := PublicInfo{Explanation: d.Explanation, Notices: []NoticeView{}}
	for _, n := range ns {
		v := NoticeView{Kind: string(n.Kind), Energy: string(n.Energy), Postcode: n.Postcode, Town: n.Town, Street: n.Street, From: day(n.From), Description: n.Description}
		if !n.To.IsZero() {
			v.To = day(n.To)
		}
		out.Notices = append(out.Notices, v)
	}
	return out, nil
}

// Alerts lists the anti-enumeration alerts of the last seven days, for team
// leads (C2). EANs are masked; the list is traced.
func (s *Service) Alerts(ctx context.Context, a Actor) ([]AlertView, error) {
	as, err := s.Store.Alerts(ctx, s.Clock.Now().AddDate(0, 0, -7))
	if err != nil {
		return nil, err
	}
	if _, err := s.trace(ctx, a, coupole.Interaction{}, audit.Event{Action: "alert.list", Data: []string{"alerts=" + strconv.Itoa(len(as)), "masked_access_point"}}); err != nil {
		return nil, err
	}
	out := []AlertView{}
	for _, al := range as {
		out = append(out, AlertView{al.ID, al.InteractionID, al.StaffID, al.EAN.Masked(), al.Kind, al.RaisedAt})
	}
	return out, nil
}

// HandledInteractions is the need-to-know fact of the staff policy (C1):
// the customers and access points verified in the open interactions
// staffID handles. An identified but unverified point gives no access.
func (s *Service) HandledInteractions(ctx context.Context, staffID string) ([]coupole.HandledInteraction, error) {
	ins, err := s.Store.OpenInteractions(ctx, staffID)
	if err != nil {
		return nil, err
	}
	out := []coupole.HandledInteraction{}
	for _, in := range ins {
		points, err := s.Store.InteractionPoints(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		hi := coupole.HandledInteraction{ID: in.ID}
		for _, p := range points {
			if p.Verified {
				hi.EANs = append(hi.EANs, p.EAN)
				hi.CustomerIDs = appendNew(hi.CustomerIDs, p.CustomerID)
			}
		}
		out = append(out, hi)
	}
	return out, nil
}

// OpenInteractions lists the open interactions' metadata, for supervision.
func (s *Service) OpenInteractions(ctx context.Context) ([]coupole.InteractionMeta, error) {
	ins, err := s.Store.OpenInteractions(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]coupole.InteractionMeta, 0, len(ins))
	for _, in := range ins {
		out = append(out, coupole.InteractionMeta{ID: in.ID, StaffID: in.StaffID, Channel: in.Channel, OpenedAt: in.OpenedAt})
	}
	return out, nil
}

// Handles reports whether staffID handles the open interaction id: the
// need-to-know fact for working in it (C1).
func (s *Service) Handles(ctx context.Context, staffID, id string) (bool, error) {
	in, err := s.Store.Interaction(ctx, id)
	if err == nil {
		s.memo(ctx, id, in)
	}
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return in.StaffID == staffID && in.Open(), nil
}

// A request's interaction, read once: the staff policy's need-to-know fact
// (Handles) and then the service's ownership check (own) read the same row,
// one right after the other in one request. In a request whose context
// carries a memo (WithInteractionMemo), Handles leaves the row it read and the
// next ownership check takes it: taken once, so a read after the request's
// own writes always goes to the store.
type interactionMemo struct {
	id  string
	in  coupole.Interaction
	set bool
}

type memoKey struct{}

// WithInteractionMemo returns a context in which the first read of an
// interaction is remembered for later reads of the same one. Give it one
// request's context, never a longer-lived one.
func WithInteractionMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &interactionMemo{})
}

func (s *Service) memo(ctx context.Context, id string, in coupole.Interaction) {
	if m, _ := ctx.Value(memoKey{}).(*interactionMemo); m != nil {
		m.id, m.in, m.set = id, in, true
	}
}

func (s *Service) takeMemo(ctx context.Context, id string) (coupole.Interaction, error) {
	if m, _ := ctx.Value(memoKey{}).(*interactionMemo); m != nil && m.set {
		in, same := m.in, m.id == id
		*m = interactionMemo{}
		if same {
			return in, nil
		}
	}
	return s.Store.Interaction(ctx, id)
}
