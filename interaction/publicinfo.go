package interaction

import (
	"context"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
)

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
		out = append(out, alertView(al))
	}
	return out, nil
}
