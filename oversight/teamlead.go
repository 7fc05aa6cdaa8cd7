package oversight

import (
	"context"
	"strconv"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/redact"
)

// InteractionReader is what the team lead's pages read of interactions:
// metadata, never the customer's data.
type InteractionReader interface {
	Interaction(ctx context.Context, id string) (coupole.Interaction, error)
	Deliveries(ctx context.Context, interactionID string) ([]coupole.Delivery, error)
}

// OpenView is an open interaction as a team lead sees it (issue 15, item
// 8): who handles it, on which channel, for which kind of requester, and
// for how long — no customer, no EAN, no caller number.
type OpenView struct {
	ID        string    `json:"id"`
	StaffID   string    `json:"staff_id"`
	Channel   string    `json:"channel"`
	Requester string    `json:"requester"`
	OpenedAt  time.Time `json:"opened_at"`
	AgeMin    int       `json:"age_minutes"`
	IdleMin   int       `json:"idle_minutes"`
	TooLong   bool      `json:"too_long"` // past the configured threshold (T1)
}

// MetadataView is one interaction's metadata, opened from an alert.
type MetadataView struct {
	OpenView
	ClosedAt     time.Time
	CloseReason  string
	CallReasons  []string
	LastActivity time.Time
	Identified   bool           // an access point was chosen (which one is not shown)
	Deliveries   map[string]int // by kind/status, e.g. "sms/sent"
	Alerts       []interaction.AlertView
}

// OpenInteractions lists the open interactions, oldest first, for team
// leads; the list is traced.
func (s *Service) OpenInteractions(ctx context.Context, a interaction.Actor) ([]OpenView, error) {
	ins, err := s.Store.OpenInteractions(ctx, "")
	if err != nil {
		return nil, err
	}
	ev := audit.Event{Actor: a.StaffID, Client: a.Client, Action: "interaction.list_open", Data: []string{"interactions=" + strconv.Itoa(len(ins)), "metadata_only"}}
	if _, err := interaction.TraceFirst(ctx, s.Audit, ev, nil); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := make([]OpenView, 0, len(ins))
	for _, in := range ins {
		out = append(out, s.openView(in, now))
	}
	return out, nil
}

func (s *Service) openView(in coupole.Interaction, now time.Time) OpenView {
	v := OpenView{ID: in.ID, StaffID: in.StaffID, Channel: in.Channel, Requester: in.Requester, OpenedAt: in.OpenedAt,
		AgeMin: int(now.Sub(in.OpenedAt) / time.Minute)}
	if !in.LastActivityAt.IsZero() {
		v.IdleMin = int(now.Sub(in.LastActivityAt) / time.Minute)
	}
	v.TooLong = in.Open() && s.OpenTooLong > 0 && now.Sub(in.OpenedAt) > s.OpenTooLong
	return v
}

// InteractionMetadata is one interaction's metadata and its alerts, for a
// team lead following an alert; the read is traced.
func (s *Service) InteractionMetadata(ctx context.Context, a interaction.Actor, id string) (MetadataView, error) {
	if s.Interactions == nil {
		return MetadataView{}, coupole.Errorf(coupole.EUNAVAILABLE, "interaction metadata is not available")
	}
	in, err := s.Interactions.Interaction(ctx, id)
	if err != nil {
		return MetadataView{}, err
	}
	ds, err := s.Interactions.Deliveries(ctx, id)
	if err != nil {
		return MetadataView{}, err
	}
	als, err := s.Store.ListAlerts(ctx, coupole.AlertFilter{InteractionID: id})
	if err != nil {
		return MetadataView{}, err
	}
	ev := audit.Event{Actor: a.StaffID, Client: a.Client, Action: "interaction.read_metadata", Interaction: id, Data: []string{"metadata_only"}}
	if _, err := interaction.TraceFirst(ctx, s.Audit, ev, nil); err != nil {
		return MetadataView{}, err
	}
	v := MetadataView{OpenView: s.openView(in, s.Clock.Now()), ClosedAt: in.ClosedAt, CloseReason: in.CloseReason, CallReasons: in.CallReasons,
		LastActivity: in.LastActivityAt, Identified: in.CurrentEAN != "", Deliveries: map[string]int{}}
	if !in.Open() {
		v.AgeMin, v.IdleMin = int(in.ClosedAt.Sub(in.OpenedAt)/time.Minute), 0
	}
	for _, d := range ds {
		v.Deliveries[d.Kind+"/"+d.Status]++
	}
	for _, al := range als {
		v.Alerts = append(v.Alerts, interaction.NewAlertView(al))
	}
	return v, nil
}

// RedactRequest is a text to redact and the names known in its interaction.
type RedactRequest struct {
	Text  string   `json:"text"`
	Names []string `json:"names,omitempty"`
}

// Redact removes the personal identifiers of a text (G5). Nothing is
// stored; the redaction is traced with its counts, never the text.
func (s *Service) Redact(ctx context.Context, a interaction.Actor, r RedactRequest) (redact.Response, error) {
	if r.Text == "" {
		return redact.Response{}, coupole.Errorf(coupole.EINVALID, "text: give the transcript or message to redact")
	}
	if len(r.Names) > 50 {
		return redact.Response{}, coupole.Errorf(coupole.EINVALID, "names: at most 50")
	}
	res := redact.NewResponse(redact.Text(r.Text, redact.Options{Names: r.Names}))
	data := []string{"bytes=" + strconv.Itoa(len(r.Text))}
	for _, k := range redact.Kinds {
		if n := res.Removed[string(k)]; n > 0 {
			data = append(data, "removed_"+string(k)+"="+strconv.Itoa(n))
		}
	}
	ev := audit.Event{Actor: a.StaffID, Client: a.Client, Action: "redact.text", Data: data}
	if _, err := interaction.TraceFirst(ctx, s.Audit, ev, nil); err != nil {
		return redact.Response{}, err
	}
	return res, nil
}
