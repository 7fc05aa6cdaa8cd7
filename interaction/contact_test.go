package interaction_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

func str(s string) *string { return &s }

// eventText is everything an event holds, for searching values in it.
func eventText(ev audit.Event) string { return fmt.Sprintf("%+v %+v", ev, ev.Decision) }

// TestContactChangeDecidedByThePolicy: D7, D1, D6 — the disclosure policy's
// decision on contact_details, with facts from the data, says who may change
// contact details: the verified current occupant, a mandatary of scope all,
// a CPAS on its line with a mandate of scope all. Anyone else is refused,
// traced with the customer as target, and nothing is changed, recorded or
// announced.
func TestContactChangeDecidedByThePolicy(t *testing.T) {
	extra := &coupole.Batch{Mandates: []coupole.Mandate{
		{ID: "M-CT-1", CustomerID: "C-21", MandataryName: "Alain Tout", Scope: coupole.ScopeAll, ValidFrom: storetest.Day("2023-06-01")},
		{ID: "M-CT-2", CustomerID: "C-21", MandataryName: "CPAS de Namur", CPASID: "CPAS-NAMUR", Scope: coupole.ScopeAll, ValidFrom: storetest.Day("2023-06-01")},
	}}
	customer := interaction.OpenRequest{Channel: "phone", Requester: "customer"}
	for _, tc := range []struct {
		caller
		allCPAS  bool   // load the CPAS's mandate of scope all
		reason   string // refusal reason; "" when the change is made
		customer string
	}{
		{caller: caller{name: "landlord who knows the meter number", open: interaction.OpenRequest{Channel: "phone", Requester: "landlord"}, candidate: currName, verify: true}, reason: "no_relation", customer: "C-21"},
		{caller: caller{name: "third party who knows the meter number", open: interaction.OpenRequest{Channel: "chat", Requester: "third_party"}, candidate: currName, verify: true}, reason: "no_relation", customer: "C-21"},
		{caller: caller{name: "supplier", open: interaction.OpenRequest{Channel: "phone", Requester: "supplier"}, candidate: currName, verify: true}, reason: "no_relation", customer: "C-21"},
		{caller: caller{name: "past occupant who knows the meter number", open: customer, candidate: pastName, verify: true}, reason: "no_relation", customer: "C-20"},
		{caller: caller{name: "current occupant, meter number not verified", open: customer, candidate: currName}, reason: "not_verified", customer: "C-21"},
		{caller: caller{name: "mandatary whose mandate covers the cases only", open: interaction.OpenRequest{Channel: "phone", Requester: "mandatary", MandataryName: "Luc Dossier"}, candidate: currName, verify: true}, reason: "mandate_invalid", customer: "C-21"},
		{caller: caller{name: "mandatary whose mandate covers consumption only", open: interaction.OpenRequest{Channel: "phone", Requester: "mandatary", MandataryName: "Eva Conso"}, candidate: currName, verify: true}, reason: "mandate_invalid", customer: "C-21"},
		{caller: caller{name: "CPAS line, consumption mandate only", cpas: true, candidate: currName}, reason: "mandate_invalid", customer: "C-21"},
		{caller: caller{name: "CPAS line for a past occupant (mandate of scope all)", cpas: true, candidate: pastName}, reason: "no_relation", customer: "C-20"},
		{caller: caller{name: "current occupant, verified", open: customer, candidate: currName, verify: true}, customer: "C-21"},
		{caller: caller{name: "mandatary of scope all", open: interaction.OpenRequest{Channel: "phone", Requester: "mandatary", MandataryName: "alain tout"}, candidate: currName, verify: true}, customer: "C-21"},
		{caller: caller{name: "CPAS line, mandate of scope all", cpas: true, candidate: currName}, allCPAS: true, customer: "C-21"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := sqltest.MustOpenSQLite(t)
			s, tr := mustMovedService(t, db)
			b := extra
			if !tc.allCPAS {
				b = &coupole.Batch{Mandates: extra.Mandates[:1]}
			}
			storetest.MustLoad(t, db, b)
			id := tc.reach(t, s)
			before, _ := db.Customer(ctx, tc.customer)
			res, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Email: str("anne.n@example.be"), Language: str("nl")})
			ev := tr.Last()
			after, _ := db.Customer(ctx, tc.customer)
			history, _ := db.ContactChanges(ctx, tc.customer)
			if tc.reason != "" {
				if coupole.ErrorCode(err) != coupole.ECONFLICT || !strings.HasPrefix(coupole.ErrorMessage(err), "contact details not changed: ") {
					t.Fatalf("change by a %s: %+v, %v; want a refusal", tc.name, res, err)
				}
				if after != before || len(history) != 0 {
					t.Errorf("refused change written: %+v, history %+v", after, history)
				}
				if ev.Action != "interaction.contact_refused" || ev.Decision == nil || ev.Decision.Reason != tc.reason || !slices.Contains(ev.Customers, tc.customer) ||
					!slices.Contains(ev.AccessPoints, string(eanMoved)) || !slices.Contains(ev.Data, "item=contact_details") {
					t.Errorf("refusal traced as %+v (decision %+v), want contact_refused/%s with its target", ev, ev.Decision, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("change by the %s: %v", tc.name, err)
			}
			if after.Email != "anne.n@example.be" || after.Language != coupole.Dutch || len(history) != 2 {
				t.Errorf("after the change: %+v, history %+v", after, history)
			}
			if ev.Action != "interaction.contact" || !slices.Contains(ev.Customers, "C-21") {
				t.Errorf("change traced as %+v", ev)
			}
			// Anne had neither mobile nor e-mail: nobody to tell (D7).
			if len(res.Notices) != 0 || !slices.Contains(ev.Data, "notice=none") {
				t.Errorf("notices without a previous contact: %+v, %v", res.Notices, ev.Data)
			}
			if ds, _ := db.Deliveries(ctx, id); len(ds) != 0 {
				t.Errorf("deliveries without a previous contact: %+v", ds)
			}
		})
	}
}

// TestContactChangeTracedAndAnnounced: D7, T1 — on both engines, a change is
// traced first with the old and new values masked and a commitment to the
// full values (checkable with the history's nonce), stored with its history
// in the event's step, and announced to the previous mobile and the
// previous e-mail address in the customer's language as it was, holding no
// new value. The answer shows the details masked.
func TestContactChangeTracedAndAnnounced(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		id := verifiedInteraction(t, s, adv)
		addr := &interaction.AddressInput{Street: "Rue Haute", Number: "3", Box: "2", Postcode: "1000", Town: "Bruxelles"}
		res, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Mobile: str("0471 23 45 78"), Email: str("gerard.new@example.org"), Language: str("nl"), PostalAddress: addr})
		if err != nil {
			t.Fatal(err)
		}
		wantView := interaction.ContactView{Mobile: "04•• •• •• 78", Email: "g•••@e•••.org", Language: "nl", PostalAddress: "Rue Haute ••, 1000 Bruxelles"}
		if res.Contact != wantView || !slices.Equal(res.Changed, []string{"mobile", "email", "language", "postal_address"}) {
			t.Errorf("result = %+v", res)
		}
		c, _ := db.Customer(ctx, "C-1")
		if c.Mobile != "+32471234578" || !c.MobileRegisteredAt.Equal(now) || c.Email != "gerard.new@example.org" || c.Language != coupole.Dutch ||
			c.PostalAddress != (coupole.Address{Street: "Rue Haute", Number: "3", Box: "2", Postcode: "1000", Town: "Bruxelles"}) {
			t.Errorf("customer after the change: %+v", c)
		}

		idx := uint64(len(tr.Events()) - 1)
		ev := tr.Last()
		if ev.Action != "interaction.contact" || ev.Decision == nil || ev.Decision.Outcome != "oral" || !slices.Contains(ev.Customers, "C-1") {
			t.Fatalf("event = %+v", ev)
		}
		for _, want := range []string{"contact.mobile.old=04•• •• •• 56", "contact.mobile.new=04•• •• •• 78", "contact.email.old=g•••@e•••.be",
			"contact.email.new=g•••@e•••.org", "contact.language.old=fr", "contact.language.new=nl", "contact.postal_address.old=Rue de l'Église ••, 5000 Namur",
			"contact.postal_address.new=Rue Haute ••, 1000 Bruxelles", "changed=mobile,email,language,postal_address"} {
			if !slices.Contains(ev.Data, want) {
				t.Errorf("event data %q missing: %v", want, ev.Data)
			}
		}
		text := eventText(ev)
		for _, secret := range []string{"470123456", "471234578", "gd@example.be", "gerard.new", "Rue Haute 3", "Haute\x1f", "Église\x1f12"} {
			if strings.Contains(text, secret) {
				t.Errorf("event holds %q in clear: %s", secret, text)
			}
		}

		// The history: one line per field, masked, with the event's index;
		// its commitment is the event's and opens on the full values.
		h, err := db.ContactChanges(ctx, "C-1")
		if err != nil || len(h) != 4 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		full := map[string][2]string{"mobile": {"+32470123456", "+32471234578"}, "email": {"gd@example.be", "gerard.new@example.org"}, "language": {"fr", "nl"}}
		for _, l := range h {
			if l.AuditIndex != idx || l.InteractionID != id || l.StaffID != adv.StaffID || !l.At.Equal(now) {
				t.Errorf("history line %+v, want event %d of %s", l, idx, id)
			}
			if !slices.Contains(ev.Data, "contact."+l.Field+".commitment="+l.Commitment) {
				t.Errorf("commitment of %s not in the event", l.Field)
			}
			if v, ok := full[l.Field]; ok {
				nonce, _ := hex.DecodeString(l.Nonce)
				sum := sha256.Sum256(append(append(append(nonce, v[0]...), 0), v[1]...))
				if hex.EncodeToString(sum[:]) != l.Commitment {
					t.Errorf("commitment of %s does not open on the full values", l.Field)
				}
			}
		}

		// The notices: to the previous mobile and e-mail, in French (the
		// customer's language before the change), with no new value.
		ds, _ := db.Deliveries(ctx, id)
		if len(ds) != 2 || len(res.Notices) != 2 {
			t.Fatalf("deliveries = %+v, notices %+v", ds, res.Notices)
		}
		slices.SortFunc(ds, func(a, b coupole.Delivery) int { return strings.Compare(b.Kind, a.Kind) })
		want := interaction.ContactNotice(coupole.French, res.Changed, now)
		for i, w := range []struct{ kind, to string }{{"sms", "+32470123456"}, {"email", "gd@example.be"}} {
			d := ds[i]
			if d.Kind != w.kind || d.Recipient != w.to || d.Item != "contact_changed" || d.Text != want || d.AuditIndex != idx || d.Status != "pending" || d.CustomerID != "C-1" {
				t.Errorf("notice %d = %+v, want %s to %s", i, d, w.kind, w.to)
			}
			for _, secret := range []string{"471", "78", "gerard.new", "Haute", "Bruxelles"} {
				if strings.Contains(d.Text, secret) {
					t.Errorf("notice text holds the new value %q: %s", secret, d.Text)
				}
			}
		}
		if !strings.Contains(want, "appelez-nous") || !strings.Contains(want, "02/05/2024") {
			t.Errorf("notice = %q", want)
		}
		for _, n := range res.Notices {
			if strings.Contains(n.Recipient, "470123456") || strings.Contains(n.Recipient, "gd@") {
				t.Errorf("notice recipient shown in clear: %+v", n)
			}
		}

		// The same values again: nothing changes, nobody is told.
		res, err = s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Email: str("gerard.new@example.org")})
		if err != nil || len(res.Changed) != 0 || len(res.Notices) != 0 {
			t.Errorf("same values again: %+v, %v", res, err)
		}
		if ds, _ := db.Deliveries(ctx, id); len(ds) != 2 {
			t.Errorf("deliveries after a change to the same values: %d", len(ds))
		}
	})
}

// TestNewMobileGetsNothingInTheSameInteraction: D4, D7 — a mobile
// registered during an interaction never receives a disclosure in it: the
// EAN asked right after the change goes by letter, nothing is sent to the
// new number; the next interaction may use it.
func TestNewMobileGetsNothingInTheSameInteraction(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := mustService(t, db)
		clock := s.Clock.(*coupole.FixedClock)
		id := verifiedInteraction(t, s, adv)
		clock.T = now.Add(2 * time.Minute) // the change comes after the interaction opened
		if _, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Mobile: str("+32 471 23 45 78")}); err != nil {
			t.Fatal(err)
		}
		d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"})
		if err != nil || d.Outcome == "sms" || d.Facts.RegisteredMobile || strings.Contains(d.Destination, "78") {
			t.Fatalf("ean after the change: %+v, %v; want no SMS", d, err)
		}
		del, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "ean-after-change"})
		if err == nil && del.Kind == "sms" {
			t.Fatalf("SMS created to the new mobile: %+v", del)
		}
		ds, _ := db.Deliveries(ctx, id)
		for _, x := range ds {
			if x.Recipient == "+32471234578" {
				t.Errorf("delivery to the mobile registered in this interaction: %+v", x)
			}
			if x.Item == "ean" && x.Kind != "letter" {
				t.Errorf("ean delivered as %s, want a letter", x.Kind)
			}
		}
		// The next interaction opens after the registration: the SMS goes
		// to the new number.
		clock.T = now.Add(time.Hour)
		next := verifiedInteraction(t, s, adv)
		if d, err := s.Decide(ctx, adv, next, interaction.DecideRequest{Item: "ean"}); err != nil || d.Outcome != "sms" || d.Destination != "04•• •• •• 78" {
			t.Errorf("ean in the next interaction: %+v, %v", d, err)
		}
	})
}

// TestContactChangeTraceFirst: T1, D7 — when the audit log cannot record the
// change, nothing is changed, recorded or announced, and the caller gets
// EUNAVAILABLE (503).
func TestContactChangeTraceFirst(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		id := verifiedInteraction(t, s, adv)
		before, _ := db.Customer(ctx, "C-1")
		tr.SetFail(true)
		_, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Mobile: str("0471 23 45 78"), Email: str("x@example.be")})
		if coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Fatalf("change with the audit log down: %v, want EUNAVAILABLE", err)
		}
		after, _ := db.Customer(ctx, "C-1")
		h, _ := db.ContactChanges(ctx, "C-1")
		ds, _ := db.Deliveries(ctx, id)
		if after != before || len(h) != 0 || len(ds) != 0 {
			t.Errorf("written without its trace: %+v, history %+v, deliveries %+v", after, h, ds)
		}
	})
}

// TestContactChangeBadInput: D7, V2 — a value that is not valid is refused
// with a message naming its field; nothing is written, not even the valid
// fields of the same request.
func TestContactChangeBadInput(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	s, _ := mustService(t, db)
	id := verifiedInteraction(t, s, adv)
	before, _ := db.Customer(ctx, "C-1")
	good := str("valid@example.be")
	for _, tc := range []struct {
		name  string
		req   interaction.ContactRequest
		field string
	}{
		{"nothing given", interaction.ContactRequest{}, "contact details: "},
		{"letters for a number", interaction.ContactRequest{Email: good, Mobile: str("not a number")}, "mobile: "},
		{"a landline", interaction.ContactRequest{Email: good, Mobile: str("081 22 33 44")}, "mobile: "},
		{"too short", interaction.ContactRequest{Email: good, Mobile: str("0471")}, "mobile: "},
		{"empty mobile", interaction.ContactRequest{Email: good, Mobile: str("")}, "mobile: "},
		{"oversized mobile", interaction.ContactRequest{Email: good, Mobile: str(strings.Repeat("4", 41))}, "mobile: "},
		{"e-mail without @", interaction.ContactRequest{Mobile: str("0471234578"), Email: str("gerard.example.be")}, "email: "},
		{"e-mail with a display name", interaction.ContactRequest{Email: str("Gérard <g@example.be>")}, "email: "},
		{"e-mail without a domain dot", interaction.ContactRequest{Email: str("g@localhost")}, "email: "},
		{"e-mail header injection", interaction.ContactRequest{Email: str("g@example.be\r\nBcc: x@evil.be")}, "email: "},
		{"oversized e-mail", interaction.ContactRequest{Email: str(strings.Repeat("a", 250) + "@x.be")}, "email: "},
		{"oversized local part", interaction.ContactRequest{Email: str(strings.Repeat("a", 65) + "@example.be")}, "email: "},
		{"unknown language", interaction.ContactRequest{Email: good, Language: str("it")}, "language: "},
		{"empty address", interaction.ContactRequest{Email: good, PostalAddress: &interaction.AddressInput{}}, "postal_address: "},
		{"address without a town", interaction.ContactRequest{Email: good, PostalAddress: &interaction.AddressInput{Street: "Rue Haute", Number: "3", Postcode: "1000"}}, "postal_address: "},
		{"address with a bad postcode", interaction.ContactRequest{Email: good, PostalAddress: &interaction.AddressInput{Street: "Rue Haute", Number: "3", Postcode: "0100", Town: "X"}}, "postal_address: "},
		{"address on two lines", interaction.ContactRequest{Email: good, PostalAddress: &interaction.AddressInput{Street: "Rue Haute\nBcc", Number: "3", Postcode: "1000", Town: "X"}}, "postal_address: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ChangeContact(ctx, adv, id, tc.req)
			if coupole.ErrorCode(err) != coupole.EINVALID || !strings.HasPrefix(coupole.ErrorMessage(err), tc.field) {
				t.Errorf("%s: %v, want EINVALID naming %q", tc.name, err, tc.field)
			}
		})
	}
	after, _ := db.Customer(ctx, "C-1")
	h, _ := db.ContactChanges(ctx, "C-1")
	ds, _ := db.Deliveries(ctx, id)
	if after != before || len(h) != 0 || len(ds) != 0 {
		t.Errorf("bad input wrote something: %+v, history %+v, deliveries %+v", after, h, ds)
	}
}

// TestContactNoticeInFourLanguages: D7 — the notice exists in French,
// Dutch, German and English, names the day and the fields changed, tells
// to call if it was not them, and holds no value.
func TestContactNoticeInFourLanguages(t *testing.T) {
	at := time.Date(2024, 5, 2, 22, 30, 0, 0, time.UTC) // already 3 May in Brussels
	want := map[coupole.Language][]string{
		coupole.French:  {"03/05/2024", "numéro de mobile, adresse e-mail", "appelez-nous"},
		coupole.Dutch:   {"03-05-2024", "gsm-nummer, e-mailadres", "Bel ons"},
		coupole.German:  {"03.05.2024", "Mobilnummer, E-Mail-Adresse", "rufen Sie uns an"},
		coupole.English: {"3 May 2024", "mobile number, e-mail address", "call us"},
	}
	seen := map[string]bool{}
	for _, lang := range coupole.Languages {
		n := interaction.ContactNotice(lang, []string{coupole.ContactMobile, coupole.ContactEmail}, at)
		for _, w := range want[lang] {
			if !strings.Contains(n, w) {
				t.Errorf("%s notice %q lacks %q", lang, n, w)
			}
		}
		if strings.Contains(n, "%") || seen[n] {
			t.Errorf("%s notice %q: a placeholder or another language's text", lang, n)
		}
		seen[n] = true
		for _, f := range coupole.ContactFields {
			if n := interaction.ContactNotice(lang, []string{f}, at); strings.Contains(n, "()") || strings.Contains(n, "%!") {
				t.Errorf("%s notice for %s: %q", lang, f, n)
			}
		}
	}
	if len(want) != len(coupole.Languages) {
		t.Fatal("a language is not tested")
	}
}

// TestMaskEmail: the masked form of an e-mail address keeps one letter of
// the local part and of the domain, and the top-level domain.
func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{"jean.dupont@example.be": "j•••@e•••.be", "gd@example.be": "g•••@e•••.be", "": "", "é@ü.de": "é•••@ü•••.de"} {
		if got := interaction.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// failingNotices is the interaction store whose deliveries cannot be
// created: the last write of a contact change's step fails.
type failingNotices struct{ *sqlstore.DB }

func (failingNotices) CreateDelivery(context.Context, coupole.Delivery) (coupole.Delivery, bool, error) {
	return coupole.Delivery{}, false, coupole.Errorf(coupole.EINTERNAL, "deliveries unavailable")
}

// TestContactChangeIsOneTransaction: T1, D7 — with the real audit log on
// both engines, the change, its history and its notices are written in the
// audit event's own transaction: all of them with the event, or (a notice
// that cannot be created) none of them, the event staying as the attempt.
func TestContactChangeIsOneTransaction(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := mustService(t, db)
		alog, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: s.Clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { alog.Close() })
		s.Audit = alog
		id := verifiedInteraction(t, s, adv)
		before, _ := db.Customer(ctx, "C-1")

		s.Store = failingNotices{db}
		if _, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Mobile: str("0471 23 45 78")}); err == nil {
			t.Fatal("change whose notice cannot be created: no error")
		}
		after, _ := db.Customer(ctx, "C-1")
		h, _ := db.ContactChanges(ctx, "C-1")
		if after != before || len(h) != 0 {
			t.Errorf("half-written change: %+v, history %+v", after, h)
		}

		s.Store = db
		if _, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Mobile: str("0471 23 45 78")}); err != nil {
			t.Fatal(err)
		}
		h, _ = db.ContactChanges(ctx, "C-1")
		ds, _ := db.Deliveries(ctx, id)
		if len(h) != 1 || len(ds) != 2 || ds[0].AuditIndex != h[0].AuditIndex {
			t.Fatalf("history %+v, deliveries %+v", h, ds)
		}
		var ev audit.Event
		n := 0
		found, err := audit.NewReader(sqlstore.NewAuditStore(db)).Query(ctx, audit.Query{Interaction: id, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			if f.Event.Action == "interaction.contact" {
				ev, n = f.Event, n+1
			}
		}
		if n != 2 || !slices.Contains(ev.Data, "contact.mobile.commitment="+h[0].Commitment) {
			t.Errorf("%d contact events (want the failed attempt and the change), last %+v", n, ev)
		}
	})
}

// TestNoDeliveryToAMobileRegisteredDuringTheInteraction: D4, D7 — a
// property over random sequences of calls (seeded, reproducible): some
// change the mobile (possibly several times in one call), some ask for the
// EAN, in any order. Every SMS created — disclosures and change notices
// alike — goes to the mobile that was registered before its interaction
// opened, never to one given during it.
func TestNoDeliveryToAMobileRegisteredDuringTheInteraction(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	s, _ := mustService(t, db)
	clock := s.Clock.(*coupole.FixedClock)
	type registration struct {
		number string
		at     time.Time
	}
	regs := []registration{{"+32470123456", storetest.Day("2020-01-01")}} // the fixture's
	inForce := func(at time.Time) string {                                // the mobile registered strictly before at
		n := ""
		for _, r := range regs {
			if r.at.Before(at) {
				n = r.number
			}
		}
		return n
	}
	rng := uint64(11)
	next := func(n uint64) uint64 { rng = rng*6364136223846793005 + 1442695040888963407; return (rng >> 33) % n }
	opened := map[string]time.Time{}
	for call := range 25 {
		clock.T = now.Add(time.Duration(call) * time.Hour)
		id := verifiedInteraction(t, s, adv)
		opened[id] = clock.T
		for step := range 1 + int(next(4)) {
			clock.T = clock.T.Add(time.Minute)
			if next(2) == 0 {
				number := fmt.Sprintf("+3247%07d", 1000000+next(8999999))
				if _, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Mobile: str(number)}); err != nil {
					t.Fatalf("call %d step %d: change: %v", call, step, err)
				}
				regs = append(regs, registration{number, clock.T})
				continue
			}
			_, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: fmt.Sprintf("k-%d-%d", call, step)})
			if err != nil && coupole.ErrorCode(err) != coupole.ECONFLICT {
				t.Fatalf("call %d step %d: execute: %v", call, step, err)
			}
		}
	}
	sms := 0
	for id, at := range opened {
		ds, err := db.Deliveries(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Kind != coupole.DeliverySMS {
				continue
			}
			sms++
			if want := inForce(at); d.Recipient != want {
				t.Errorf("interaction opened %s: %s SMS to %s, want only %s (registered before it opened)", at.Format(time.TimeOnly), d.Item, coupole.MaskPhone(d.Recipient), coupole.MaskPhone(want))
			}
		}
	}
	if sms < 10 || len(regs) < 10 {
		t.Fatalf("only %d SMS and %d registrations: the property was barely exercised", sms, len(regs))
	}
}
