package interaction

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/textfold"
)

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
	if sj.ap, err = s.accessPoint(ctx, in.CurrentEAN); err != nil {
		return sj, err
	}
	if sj.customer, err = s.customer(ctx, in.CurrentCustomer); err != nil {
		return sj, err
	}
	occs, err := s.occupanciesOfCustomer(ctx, in.CurrentCustomer)
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
// advisor (issue 6, point 1). scopes are the scopes of every valid mandate
// the requester holds, widest first; the facts carry the first.
func (s *Service) facts(ctx context.Context, sj subject) (f policy.Facts, scopes []policy.MandateScope, err error) {
	f = policy.Facts{Occupancy: policy.OccupancyNone, Mandate: policy.MandateNone, MandateScope: policy.MandateScopeAll, EANCount: max(1, len(sj.points))}
	if sj.in.CurrentEAN == "" {
		return f, nil, nil
	}
	at := sj.in.OpenedAt
	f.MeterVerified = sj.point.Verified
	f.Occupancy = coupole.RelationOn(sj.occs, at)
	// Only a number registered before the interaction began counts (D4).
	f.RegisteredMobile = sj.customer.HasMobileRegisteredBefore(at)
	// Where a former occupant's letter may go: a postal address on file
	// that is not the installation address (docs/policies.md).
	f.PostalAddress = hasOtherPostalAddress(sj.customer, sj.ap)
	f.ReadingRegime = sj.ap.Regime
	switch policy.Requester(sj.in.Requester) {
	case policy.RequesterMandatary, policy.RequesterCPAS:
		ms, err := s.Grid.MandatesOfCustomer(ctx, sj.customer.ID)
		if err != nil {
			return f, nil, err
		}
		f.Mandate, scopes = mandateOf(ms, sj.in, at)
		if len(scopes) > 0 {
			f.MandateScope = scopes[0]
		}
	}
	return f, scopes, nil
}

// mandateOf is the best state of the mandates the requester holds from the
// customer on day t: a CPAS's by its id (D6), a person's by the name they
// gave (accents and case ignored). When valid, scopes are what the valid
// ones cover (D1, facts.mandate_scope), each once, widest first: all,
// consumption, case.
func mandateOf(ms []coupole.Mandate, in coupole.Interaction, t time.Time) (policy.Mandate, []policy.MandateScope) {
	best := policy.MandateNone
	var scopes []policy.MandateScope
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
			best = policy.MandateValid
			if !slices.Contains(scopes, m.Scope) {
				scopes = append(scopes, m.Scope)
			}
		case coupole.MandateExpired:
			if best == policy.MandateNone {
				best = policy.MandateExpired
			}
		}
	}
	slices.SortFunc(scopes, func(x, y policy.MandateScope) int {
		return slices.Index(policy.MandateScopes, x) - slices.Index(policy.MandateScopes, y)
	})
	return best, scopes
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
	f, scopes, err := s.facts(ctx, sj)
	if err != nil {
		return DecisionView{}, sj, err
	}
	req := policy.Request{Requester: policy.Requester(in.Requester), Channel: policy.Channel(in.Channel), Item: policy.Item(item), Facts: f, Lang: a.Lang}
	d, err := s.Policy.Decide(ctx, req)
	if err != nil {
		return DecisionView{}, sj, err
	}
	// A requester holding valid mandates of several scopes is answered on
	// the first whose scope the policy finds covering (D1); the decision
	// and its trace show that scope.
	for _, sc := range scopes[min(1, len(scopes)):] {
		if d.Outcome != policy.OutcomeRefuse {
			break
		}
		other := req
		other.Facts.MandateScope = sc
		od, err := s.Policy.Decide(ctx, other)
		if err != nil {
			return DecisionView{}, sj, err
		}
		if od.Outcome != policy.OutcomeRefuse {
			req, f, d = other, other.Facts, od
		}
	}
	dv := DecisionView{
		Item: item, Outcome: string(d.Outcome), Reason: d.Reason, Scope: string(d.Scope), Policies: nonNil(d.Policies), Explanation: d.Explanation, Requirements: d.Requirements,
		Facts: FactsView{MeterVerified: f.MeterVerified, Occupancy: string(f.Occupancy), Mandate: string(f.Mandate), MandateScope: string(f.MandateScope),
			RegisteredMobile: f.RegisteredMobile, PostalAddress: f.PostalAddress, EANCount: f.EANCount, ReadingRegime: string(f.ReadingRegime)},
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
			dv.Destination = letterAddress(sj, d.Recipient).Masked()
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
			"mandate=" + string(f.Mandate), "mandate_scope=" + string(f.MandateScope), "registered_mobile=" + strconv.FormatBool(f.RegisteredMobile), "ean_count=" + strconv.Itoa(f.EANCount)}}
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

// inPeriods says whether day t is in one of ps.
func inPeriods(ps []period, t time.Time) bool {
	for _, p := range ps {
		if p.contains(t) {
			return true
		}
	}
	return false
}

// clip returns the part of [from, to) (to zero: open-ended) within p, and
// whether there is one.
func (p period) clip(from, to time.Time) (time.Time, time.Time, bool) {
	if from.Before(p.from) {
		from = p.from
	}
	if !p.to.IsZero() && (to.IsZero() || p.to.Before(to)) {
		to = p.to
	}
	return from, to, to.IsZero() || to.After(from)
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
	switch item {
	case policy.ItemConsumptionHistory:
		rs, err := s.Grid.Readings(ctx, sj.ap.EAN, floor, coupole.Date(s.Clock.Now()).AddDate(0, 0, 1))
		if err != nil {
			return nil, nil, err
		}
		d.Readings = []ReadingView{}
		var kept []coupole.Reading
		for _, r := range rs {
			if !inPeriods(periods, r.Date) {
				continue
			}
			kept = append(kept, r)
			d.Readings = append(d.Readings, readingView(r, sj.ap.Energy))
		}
		d.Consumption = consumption(kept, periods, sj.ap.Energy)
		return d, []string{"disclosed=consumption_history", "readings=" + strconv.Itoa(len(d.Readings))}, nil
	case policy.ItemSupplier:
		sps, err := s.Grid.SupplyPeriods(ctx, sj.ap.EAN)
		if err != nil {
			return nil, nil, err
		}
		// Each contract is cut to the requester's own occupancy (D1): a
		// former occupant learns who supplied them, never their
		// successor's supplier (issue 10, item 6).
		d.Suppliers = []SupplyView{}
		names := map[string]string{}
		for _, sp := range sps {
			for _, p := range periods {
				from, to, ok := p.clip(sp.From, sp.To)
				if !ok {
					continue
				}
				name, known := names[sp.SupplierID]
				if !known {
					sup, err := s.Grid.Supplier(ctx, sp.SupplierID)
					if err != nil {
						return nil, nil, err
					}
					name, names[sp.SupplierID] = sup.Name, sup.Name
				}
				v := SupplyView{Supplier: name, From: day(from)}
				if !to.IsZero() {
					v.To = day(to)
				}
				d.Suppliers = append(d.Suppliers, v)
			}
		}
		return d, []string{"disclosed=supplier"}, nil
	case policy.ItemCaseStatus:
		// The customer's own cases about this access point, opened
		// within the requester's occupancy (D1, issue 11).
		status, cases, err := s.caseStatus(ctx, sj, periods)
		if err != nil {
			return nil, nil, err
		}
		d.CaseStatus, d.Cases = status, cases
		return d, []string{"disclosed=case_status", "cases=" + strconv.Itoa(len(cases))}, nil
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

// hasOtherPostalAddress reports whether c has a complete postal address on
// file that is not the installation address of ap (accents, case and
// spacing ignored): one a letter may go to instead.
func hasOtherPostalAddress(c coupole.Customer, ap coupole.AccessPoint) bool {
	p, i := c.PostalAddress, ap.Address
	if p.Validate() != nil {
		return false
	}
	same := func(a, b string) bool { return textfold.Fold(a) == textfold.Fold(b) }
	return !(same(p.Street, i.Street) && same(p.Number, i.Number) && same(p.Box, i.Box) && p.Postcode == i.Postcode)
}

// letterAddress is the address a letter is printed for, as the decision's
// recipient says (@recipient in the policies): the customer's postal
// address, or the installation address.
func letterAddress(sj subject, recipient string) coupole.Address {
	if recipient == policy.RecipientPostalAddress {
		return sj.customer.PostalAddress
	}
	return sj.ap.Address
}
