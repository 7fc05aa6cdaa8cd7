package interaction

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
)

// E-mail and chat bodies attached to an interaction (R1 (c), issue 13).
// Coupole keeps them itself, sealed in the blob store, registered for
// retention like a call recording. A body is personal data: it is read
// only by whoever handles the open interaction (C1), every read traced
// first (T1), and it appears in no event, log line or error.

// MessageKeeper keeps message bodies; *retention.Service is one.
type MessageKeeper interface {
	AttachBody(ctx context.Context, actor string, m retention.Message) (retention.Item, error)
	RetentionItem(ctx context.Context, id string) (retention.Item, error)
	InteractionItems(ctx context.Context, interactionID string) ([]retention.Item, error)
	OpenBody(ctx context.Context, it retention.Item) ([]byte, error)
	// Wrapup applies the call reasons of a close to the interaction's items.
	Wrapup(ctx context.Context, actor, interactionID string, reasons []string) error
}

// MessageRequest attaches an e-mail or a chat transcript.
type MessageRequest struct {
	Channel     string     `json:"channel"`   // email or chat
	Direction   string     `json:"direction"` // inbound or outbound
	StartedAt   time.Time  `json:"started_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	ContentType string     `json:"content_type,omitempty"`
	Body        string     `json:"body"`
}

// MessageView describes a kept message, without its body.
type MessageView struct {
	ID          string    `json:"id"`
	Channel     string    `json:"channel"`
	Direction   string    `json:"direction"`
	StartedAt   time.Time `json:"started_at"`
	EndedAt     time.Time `json:"ended_at"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	// RetentionClass and DueAt say how long it is kept (R2, R3).
	RetentionClass string    `json:"retention_class"`
	DueAt          time.Time `json:"due_at"`
	State          string    `json:"state"` // kept, deleting, purged
}

// MessageBody is a message with its body.
type MessageBody struct {
	MessageView
	Body string `json:"body"`
}

func messageView(it retention.Item) MessageView {
	return MessageView{ID: it.ID, Channel: it.Kind, Direction: it.Direction, StartedAt: it.Start, EndedAt: it.End, ContentType: it.ContentType,
		Size: it.Size, SHA256: it.SHA256, RetentionClass: it.Class, DueAt: it.Due, State: it.State}
}

func (s *Service) messages() (MessageKeeper, error) {
	if s.Messages == nil {
		return nil, coupole.Errorf(coupole.EUNAVAILABLE, "message bodies are not kept by this server (no blob store configured)")
	}
	return s.Messages, nil
}

// AttachMessage keeps an e-mail or chat of the open interaction id that a
// handles. Its class is the default until the close's call reasons apply.
func (s *Service) AttachMessage(ctx context.Context, a Actor, id string, r MessageRequest) (MessageView, error) {
	keeper, err := s.messages()
	if err != nil {
		return MessageView{}, err
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return MessageView{}, err
	}
	m := retention.Message{Kind: r.Channel, Direction: r.Direction, Start: r.StartedAt, ContentType: r.ContentType,
		Body: []byte(r.Body), InteractionID: in.ID, CallReasons: in.CallReasons}
	if r.EndedAt != nil {
		m.End = *r.EndedAt
	}
	if err := m.Validate(); err != nil {
		return MessageView{}, err
	}
	if m.Start.After(s.Clock.Now().Add(5 * time.Minute)) {
		return MessageView{}, coupole.Errorf(coupole.EINVALID, "started_at is in the future")
	}
	// The customer the conversation is about, once verified: a hold on
	// that customer covers the message.
	if in.CurrentCustomer != "" {
		points, err := s.Store.InteractionPoints(ctx, in.ID)
		if err != nil {
			return MessageView{}, err
		}
		for _, p := range points {
			if p.EAN == in.CurrentEAN && p.Verified {
				m.CustomerID = in.CurrentCustomer
			}
		}
	}
	it, err := keeper.AttachBody(ctx, a.StaffID, m)
	if err != nil {
		return MessageView{}, err
	}
	return messageView(it), nil
}

// ListMessages lists the messages of the open interaction id, without
// their bodies (no personal data: not traced as a read of one).
func (s *Service) ListMessages(ctx context.Context, a Actor, id string) ([]MessageView, error) {
	keeper, err := s.messages()
	if err != nil {
		return nil, err
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return nil, err
	}
	items, err := keeper.InteractionItems(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	out := []MessageView{}
	for _, it := range items {
		if it.Kind == retention.KindEmail || it.Kind == retention.KindChat {
			out = append(out, messageView(it))
		}
	}
	return out, nil
}

// ReadMessage returns a message's body to the handler of its open
// interaction, the read traced first (T1): interaction.message_read names
// the message, the interaction, its call reasons and the customer. A
// message of another interaction is "not found", and traced as refused.
func (s *Service) ReadMessage(ctx context.Context, a Actor, id, messageID string) (MessageBody, error) {
	keeper, err := s.messages()
	if err != nil {
		return MessageBody{}, err
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return MessageBody{}, err
	}
	it, err := keeper.RetentionItem(ctx, messageID)
	if err != nil && coupole.ErrorCode(err) != coupole.ENOTFOUND {
		return MessageBody{}, err
	}
	if err != nil || it.InteractionID != in.ID || (it.Kind != retention.KindEmail && it.Kind != retention.KindChat) {
		ev := audit.Event{Action: "interaction.refused", Decision: &audit.Decision{Outcome: "refused", Reason: "message_not_in_interaction"},
			Data: []string{"message:" + messageID}}
		s.trace(ctx, a, in, ev)
		return MessageBody{}, coupole.Errorf(coupole.ENOTFOUND, "message %s not found in interaction %s", messageID, id)
	}
	ev := audit.Event{Action: "interaction.message_read", Data: []string{"message:" + it.ID, "kind:" + it.Kind, "message_body"}}
	if it.CustomerID != "" {
		ev.Customers = []string{it.CustomerID}
	}
	// Traced, then read: the blob store (possibly over the network) is not
	// read inside the audit log's transaction. A read that fails after its
	// event leaves the event, an attempted read.
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return MessageBody{}, err
	}
	body, err := keeper.OpenBody(ctx, it)
	if err != nil {
		return MessageBody{}, err
	}
	return MessageBody{MessageView: messageView(it), Body: string(body)}, nil
}
