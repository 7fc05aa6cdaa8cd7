package interaction

import (
	"context"
	"strings"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/policy"
)

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
