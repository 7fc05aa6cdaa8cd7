package interaction

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

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
	ds, err := s.Store.Deliveries(ctx, id)
	if err != nil {
		return View{}, err
	}
	if len(ds) > 0 {
		ev.Data = append(ev.Data, "deliveries_masked")
	}
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return View{}, err
	}
	v := s.view(in, points, cur)
	for _, d := range ds {
		v.Deliveries = append(v.Deliveries, NewDeliveryView(d))
	}
	return v, nil
}

func (s *Service) pointView(ctx context.Context, in coupole.Interaction, points []coupole.InteractionPoint) (PointView, error) {
	ap, err := s.accessPoint(ctx, in.CurrentEAN)
	if err != nil {
		return PointView{}, err
	}
	c, err := s.customer(ctx, in.CurrentCustomer)
	if err != nil {
		return PointView{}, err
	}
	pv := PointView{EAN: ap.EAN.Masked(), Energy: string(ap.Energy), Address: ap.Address.Masked(), Customer: c.MaskedName(), Regime: string(ap.Regime), AttemptsLeft: s.maxFailures()}
	for _, p := range points {
		if p.EAN == in.CurrentEAN {
			pv.Verified, pv.Locked, pv.AttemptsLeft = p.Verified, p.Locked, max(0, s.maxFailures()-p.FailedAttempts)
		}
	}
	if !pv.Verified && !pv.Locked {
		// The point's budget across interactions (issue 10).
		b, err := s.Store.VerificationBudget(ctx, in.CurrentEAN, s.budget(), s.Clock.Now())
		if err != nil {
			return PointView{}, err
		}
		pv.AttemptsLeft = min(pv.AttemptsLeft, b.Left(s.budget()))
		pv.Locked, pv.BudgetSpent = b.Spent, b.Spent
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
		occs, err := s.occupanciesOfAccessPoint(ctx, ap.EAN)
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
		occs, err := s.occupanciesOfCustomer(ctx, c.ID)
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
			if ap, err = s.accessPoint(ctx, p.ean); err != nil {
				return Identification{}, err
			}
			apByEAN[p.ean] = ap
		}
		c, ok := names[p.cust]
		if !ok {
			if c, err = s.customer(ctx, p.cust); err != nil {
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
		ap, err := s.accessPoint(ctx, ean)
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

// selectRef makes candidate ref the current point, traced first with the
// point and customer chosen (T1): the choice decides whose data the next
// steps read.
func (s *Service) selectRef(ctx context.Context, a Actor, in coupole.Interaction, ref string) (coupole.InteractionPoint, error) {
	p, err := s.candidate(ctx, in, ref)
	if err != nil {
		return p, err
	}
	ev := audit.Event{Action: "interaction.select", AccessPoints: []string{string(p.EAN)}, Customers: []string{p.CustomerID}, Data: []string{"ref=" + ref}}
	var chosen coupole.InteractionPoint
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		var err error
		chosen, err = s.Store.SelectPoint(ctx, in.ID, p)
		return err
	})
	return chosen, err
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
