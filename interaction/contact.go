package interaction

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
)

// ContactRequest holds the contact details to change (D7); a field left out
// (nil) is not changed. Values travel in the body only, never in a URL.
type ContactRequest struct {
	Mobile        *string       `json:"mobile,omitempty"`   // as said by the caller: 0470 12 34 56, +32 470…
	Email         *string       `json:"email,omitempty"`    // a bare address, no display name
	Language      *string       `json:"language,omitempty"` // fr, nl, de, en
	PostalAddress *AddressInput `json:"postal_address,omitempty"`
}

// AddressInput is a correspondence address as typed by the advisor.
type AddressInput struct {
	Street   string `json:"street"`
	Number   string `json:"number"`
	Box      string `json:"box,omitempty"`
	Postcode string `json:"postcode"`
	Town     string `json:"town"`
}

// ContactView shows a customer's contact details masked, the way the
// advisor reads them back to the caller.
type ContactView struct {
	Mobile        string `json:"mobile,omitempty"` // 04•• •• •• 56
	Email         string `json:"email,omitempty"`  // j•••@e•••.be
	Language      string `json:"language"`
	PostalAddress string `json:"postal_address,omitempty"` // Rue Haute ••, 1000 Bruxelles
}

// ContactResult is a change made: the fields changed, the details as they
// are now (masked), and the notices sent to the previous mobile or e-mail.
type ContactResult struct {
	Changed []string       `json:"changed"`
	Contact ContactView    `json:"contact"`
	Notices []DeliveryView `json:"notices"`
}

// Bounds of what a caller may give: generous for real values, small enough
// that nothing oversized reaches the store or the trace.
const (
	maxMobileInput = 40
	maxEmail       = 254 // RFC 5321 path limit
	maxEmailLocal  = 64
	maxAddressPart = 120
)

// ChangeContact changes the current customer's contact details within the
// interaction (D7). Who may is the disclosure policy's decision on item
// contact_details, with facts derived from the data, like an index (C3); a
// refusal is traced with its target and nothing is changed.
//
// The change is traced first: one event with, for each field changed, the
// old and new values masked and a commitment to the full values (see
// coupole.ContactChange), written in the same transaction as the new
// details, their history and the notices. A new mobile is registered at the
// change time, so it receives nothing disclosed in this interaction (D4:
// only a number registered before the interaction opened does). The holder
// of the previous mobile and of the previous e-mail address is told of the
// change, in the customer's language as it was, with no new value: an SMS
// or an e-mail for the outbound worker. A customer with neither gets no
// notice.
func (s *Service) ChangeContact(ctx context.Context, a Actor, id string, r ContactRequest) (ContactResult, error) {
	if r.Mobile == nil && r.Email == nil && r.Language == nil && r.PostalAddress == nil {
		return ContactResult{}, coupole.Errorf(coupole.EINVALID, "contact details: give at least one of mobile, email, language, postal_address")
	}
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return ContactResult{}, err
	}
	dv, sj, err := s.decide(ctx, a, in, string(policy.ItemContactDetails))
	if err != nil {
		return ContactResult{}, err
	}
	if dv.Outcome != string(policy.OutcomeOral) || in.CurrentEAN == "" || sj.customer.ID == "" {
		if _, err := s.trace(ctx, a, in, s.decisionEvent("interaction.contact_refused", dv)); err != nil {
			return ContactResult{}, err
		}
		return ContactResult{}, coupole.Errorf(coupole.ECONFLICT, "contact details not changed: the disclosure policy refuses it (%s)", dv.Reason)
	}
	// Every value is checked before anything is written: a bad one names
	// its field and leaves the others unchanged too.
	next, err := parseContact(r)
	if err != nil {
		return ContactResult{}, err
	}
	old := sj.customer
	now := s.Clock.Now()
	u := coupole.ContactUpdate{CustomerID: old.ID, InteractionID: in.ID, StaffID: a.StaffID, At: now, Previous: &old}
	ev := s.decisionEvent("interaction.contact", dv)
	var changed []string
	change := func(field, was, is, wasMasked, isMasked string) error {
		if was == is {
			return nil
		}
		nonce := make([]byte, 32)
		if _, err := rand.Read(nonce); err != nil {
			return coupole.Wrap(err, coupole.EINTERNAL, "contact details: no randomness for the commitment")
		}
		c := coupole.ContactChange{Field: field, OldMasked: wasMasked, NewMasked: isMasked, Nonce: hex.EncodeToString(nonce), Commitment: commit(nonce, was, is)}
		u.History = append(u.History, c)
		changed = append(changed, field)
		ev.Data = append(ev.Data, "contact."+field+".old="+orNone(wasMasked), "contact."+field+".new="+isMasked, "contact."+field+".commitment="+c.Commitment)
		return nil
	}
	if next.Mobile != nil {
		if err := change(coupole.ContactMobile, old.Mobile, *next.Mobile, maskMobileOrEmpty(old.Mobile), MaskMobile(*next.Mobile)); err != nil {
			return ContactResult{}, err
		}
		u.Mobile = next.Mobile
	}
	if next.Email != nil {
		if err := change(coupole.ContactEmail, old.Email, *next.Email, MaskEmail(old.Email), MaskEmail(*next.Email)); err != nil {
			return ContactResult{}, err
		}
		u.Email = next.Email
	}
	if next.Language != nil {
		// A language is no secret: shown as it is.
		if err := change(coupole.ContactLanguage, string(old.Language), string(*next.Language), string(old.Language), string(*next.Language)); err != nil {
			return ContactResult{}, err
		}
		u.Language = next.Language
	}
	if next.PostalAddress != nil {
		if err := change(coupole.ContactPostalAddress, addressKey(old.PostalAddress), addressKey(*next.PostalAddress), maskAddress(old.PostalAddress), next.PostalAddress.Masked()); err != nil {
			return ContactResult{}, err
		}
		u.PostalAddress = next.PostalAddress
	}
	res := ContactResult{Changed: nonNil(changed), Notices: []DeliveryView{}}
	cur := old
	if len(changed) == 0 {
		// The values given are the current ones: nothing to change, but
		// the caller was told they match, which is traced.
		ev.Data = append(ev.Data, "changed=none")
		if _, err := s.trace(ctx, a, in, ev); err != nil {
			return ContactResult{}, err
		}
		res.Contact = contactView(cur)
		return res, nil
	}
	ev.Data = append(ev.Data, "changed="+strings.Join(changed, ","))
	notices := s.notices(in, a, old, changed, now)
	for _, d := range notices {
		recipient := "previous_mobile"
		if d.Kind == coupole.DeliveryEmail {
			recipient = "previous_email"
		}
		ev.Data = append(ev.Data, "notice="+d.ID, "notice."+d.ID+".kind="+d.Kind, "notice."+d.ID+".recipient="+recipient)
	}
	if len(notices) == 0 {
		ev.Data = append(ev.Data, "notice=none")
	}
	_, err = s.traceThen(ctx, a, in, ev, func(ctx context.Context, idx uint64) error {
		u.AuditIndex = idx
		if err := s.Grid.UpdateContact(ctx, u); err != nil {
			return err
		}
		for i := range notices {
			notices[i].AuditIndex = idx
			if _, _, err := s.Store.CreateDelivery(ctx, notices[i]); err != nil {
				return err
			}
		}
		return nil
	})
	// The customer's cached read goes once the change is committed (or
	// not): the next step of this process reads the new contact details.
	s.grid.customers.forget(u.CustomerID)
	if err != nil {
		return ContactResult{}, err
	}
	if u.Mobile != nil {
		cur.Mobile, cur.MobileRegisteredAt = *u.Mobile, now
	}
	if u.Email != nil {
		cur.Email = *u.Email
	}
	if u.Language != nil {
		cur.Language = *u.Language
	}
	if u.PostalAddress != nil {
		cur.PostalAddress = *u.PostalAddress
	}
	res.Contact = contactView(cur)
	for _, d := range notices {
		shown := MaskEmail(d.Recipient)
		if d.Kind == coupole.DeliverySMS {
			shown = coupole.MaskPhone(d.Recipient)
		}
		res.Notices = append(res.Notices, DeliveryView{ID: d.ID, Kind: d.Kind, Item: d.Item, Recipient: shown, Status: d.Status, CreatedAt: d.CreatedAt})
	}
	return res, nil
}

// ContactDetails shows the current customer's contact details, masked, to
// an advisor whom the policy lets change them (the form shows what is
// there). It is a read of personal data: traced first.
func (s *Service) ContactDetails(ctx context.Context, a Actor, id string) (ContactView, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return ContactView{}, err
	}
	dv, sj, err := s.decide(ctx, a, in, string(policy.ItemContactDetails))
	if err != nil {
		return ContactView{}, err
	}
	if dv.Outcome != string(policy.OutcomeOral) || in.CurrentEAN == "" || sj.customer.ID == "" {
		if _, err := s.trace(ctx, a, in, s.decisionEvent("interaction.contact_read_refused", dv)); err != nil {
			return ContactView{}, err
		}
		return ContactView{}, coupole.Errorf(coupole.ECONFLICT, "contact details not shown: the disclosure policy refuses it (%s)", dv.Reason)
	}
	ev := s.decisionEvent("interaction.contact_read", dv)
	ev.Data = append(ev.Data, "disclosed=contact_details_masked")
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return ContactView{}, err
	}
	return contactView(sj.customer), nil
}

// contactValues are the parsed, normalised values of a ContactRequest.
type contactValues struct {
	Mobile        *string
	Email         *string
	Language      *coupole.Language
	PostalAddress *coupole.Address
}

// parseContact checks and normalises every value given; an error names the
// field.
func parseContact(r ContactRequest) (contactValues, error) {
	var v contactValues
	if r.Mobile != nil {
		m, err := ParseMobile(*r.Mobile)
		if err != nil {
			return v, err
		}
		v.Mobile = &m
	}
	if r.Email != nil {
		e, err := ParseEmail(*r.Email)
		if err != nil {
			return v, err
		}
		v.Email = &e
	}
	if r.Language != nil {
		l := strings.TrimSpace(*r.Language)
		// The value is not echoed: the message stays short whatever came.
		if !slices.Contains(coupole.Languages, coupole.Language(l)) {
			return v, coupole.Errorf(coupole.EINVALID, "language: unknown language (expected fr, nl, de or en)")
		}
		lang := coupole.Language(l)
		v.Language = &lang
	}
	if p := r.PostalAddress; p != nil {
		a := coupole.Address{Street: strings.TrimSpace(p.Street), Number: strings.TrimSpace(p.Number), Box: strings.TrimSpace(p.Box),
			Postcode: strings.TrimSpace(p.Postcode), Town: strings.TrimSpace(p.Town)}
		for _, part := range []string{a.Street, a.Number, a.Box, a.Postcode, a.Town} {
			if len(part) > maxAddressPart || strings.ContainsAny(part, "\r\n\t\x00") {
				return v, coupole.Errorf(coupole.EINVALID, "postal_address: each part must be one line of at most %d characters", maxAddressPart)
			}
		}
		if err := a.Validate(); err != nil {
			return v, coupole.Errorf(coupole.EINVALID, "postal_address: %s", strings.TrimPrefix(coupole.ErrorMessage(err), "address: "))
		}
		v.PostalAddress = &a
	}
	return v, nil
}

// ParseMobile normalises a mobile number as a caller says it (Belgian by
// default: 0470 12 34 56) to E.164; a number that is not a valid mobile
// number (a landline cannot receive an SMS) is refused, naming the field.
func ParseMobile(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := coupole.Errorf(coupole.EINVALID, "mobile: not a valid mobile number (say it as 0470 12 34 56 or +32 470 12 34 56)")
	if s == "" || len(s) > maxMobileInput {
		return "", bad
	}
	n, err := phonenumbers.Parse(s, "BE")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", bad
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", bad
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if coupole.ValidateE164(e164) != nil {
		return "", bad
	}
	return e164, nil
}

// ParseEmail checks a bare e-mail address (no display name, no comment):
// at most 254 characters, a local part of at most 64, a domain with a dot.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := coupole.Errorf(coupole.EINVALID, "email: not a valid e-mail address (name@domain.be)")
	if s == "" || len(s) > maxEmail {
		return "", bad
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", bad
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if at < 1 || len(local) > maxEmailLocal || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", bad
	}
	return s, nil
}

// MaskEmail keeps the first character of the local part, of the domain and
// the top-level domain: "jean.dupont@example.be" → "j•••@e•••.be".
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return ""
	}
	local, domain := s[:at], s[at+1:]
	tld := ""
	if dot := strings.LastIndexByte(domain, '.'); dot >= 0 {
		tld, domain = domain[dot:], domain[:dot]
	}
	return first(local) + "•••@" + first(domain) + "•••" + tld
}

func first(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

func maskMobileOrEmpty(m string) string {
	if m == "" {
		return ""
	}
	return MaskMobile(m)
}

func maskAddress(a coupole.Address) string {
	if a == (coupole.Address{}) {
		return ""
	}
	return a.Masked()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// addressKey is an address as one string, its parts kept apart.
func addressKey(a coupole.Address) string {
	return strings.Join([]string{a.Street, a.Number, a.Box, a.Postcode, a.Town}, "\x1f")
}

// commit is the hex SHA-256 of nonce ‖ old ‖ 0x00 ‖ new.
func commit(nonce []byte, was, is string) string {
	h := sha256.New()
	h.Write(nonce)
	h.Write([]byte(was))
	h.Write([]byte{0})
	h.Write([]byte(is))
	return hex.EncodeToString(h.Sum(nil))
}

func contactView(c coupole.Customer) ContactView {
	return ContactView{Mobile: maskMobileOrEmpty(c.Mobile), Email: MaskEmail(c.Email), Language: string(c.Language), PostalAddress: maskAddress(c.PostalAddress)}
}

// notices are the deliveries that tell the holder of the previous mobile
// and of the previous e-mail address that the details changed (D7): an SMS
// and an e-mail, each only if there was one (the mobile registered before
// the interaction opened), in the customer's language as
// it was, holding no new value.
func (s *Service) notices(in coupole.Interaction, a Actor, old coupole.Customer, changed []string, now time.Time) []coupole.Delivery {
	text := ContactNotice(old.Language, changed, now)
	var out []coupole.Delivery
	add := func(kind, to string) {
		id := newID("d-", now)
		sum := sha256.Sum256([]byte(in.ID + "\x00" + string(policy.ItemContactDetails) + "\x00" + id))
		out = append(out, coupole.Delivery{ID: id, InteractionID: in.ID, StaffID: a.StaffID, Kind: kind, Item: NoticeItem,
			EAN: in.CurrentEAN, CustomerID: old.ID, Recipient: to, IdempotencyKey: "contact-notice:" + id, RequestHash: hex.EncodeToString(sum[:]),
			Status: "pending", CreatedAt: now, Text: text})
	}
	// Only a mobile registered before the interaction opened is told (D4):
	// one registered during this call is not a previous contact of trust,
	// and nothing at all goes to it in this interaction.
	if old.HasMobileRegisteredBefore(in.OpenedAt) {
		add(coupole.DeliverySMS, old.Mobile)
	}
	if old.Email != "" {
		add(coupole.DeliveryEmail, old.Email)
	}
	return out
}

// NoticeItem is the item of a delivery that announces a change of contact
// details to the previous mobile or e-mail address.
const NoticeItem = "contact_changed"
