package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

func ptr[T any](v T) *T { return &v }

// testUpdateContact: D7, D4 — a change of contact details writes only the
// fields given, registers a new mobile at the change time and keeps its
// history, masked; a change that cannot be made leaves nothing, customer and
// history alike.
func testUpdateContact(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	before, err := s.Customer(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	u := coupole.ContactUpdate{CustomerID: "C-1", InteractionID: "i-1", StaffID: "s-1", AuditIndex: 7, At: at,
		Mobile:  ptr("+32470999978"),
		History: []coupole.ContactChange{{Field: coupole.ContactMobile, OldMasked: "04•• •• •• 56", NewMasked: "04•• •• •• 78", Commitment: "c1", Nonce: "n1"}}}
	if err := s.UpdateContact(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.Customer(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want.Mobile, want.MobileRegisteredAt = "+32470999978", at
	if got.Mobile != want.Mobile || !got.MobileRegisteredAt.Equal(at) || got.Email != before.Email || got.Language != before.Language || got.PostalAddress != before.PostalAddress {
		t.Errorf("after a mobile change: %+v, want %+v", got, want)
	}

	// Only e-mail, language and address: the mobile and its registration stay.
	addr := coupole.Address{Street: "Rue Haute", Number: "3", Box: "2", Postcode: "1000", Town: "Bruxelles"}
	later := at.Add(time.Hour)
	u2 := coupole.ContactUpdate{CustomerID: "C-1", InteractionID: "i-2", StaffID: "s-2", AuditIndex: 9, At: later,
		Email: ptr("new@example.be"), Language: ptr(coupole.Dutch), PostalAddress: &addr,
		History: []coupole.ContactChange{
			{Field: coupole.ContactEmail, OldMasked: "g•••@e•••.be", NewMasked: "n•••@e•••.be", Commitment: "c2", Nonce: "n2"},
			{Field: coupole.ContactLanguage, OldMasked: "fr", NewMasked: "nl", Commitment: "c3", Nonce: "n3"},
			{Field: coupole.ContactPostalAddress, OldMasked: "a", NewMasked: "b", Commitment: "c4", Nonce: "n4"}}}
	if err := s.UpdateContact(ctx, u2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Customer(ctx, "C-1")
	if got.Mobile != "+32470999978" || !got.MobileRegisteredAt.Equal(at) || got.Email != "new@example.be" || got.Language != coupole.Dutch || got.PostalAddress != addr {
		t.Errorf("after e-mail, language and address: %+v", got)
	}
	h, err := s.ContactChanges(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 4 || h[0].Field != coupole.ContactMobile || h[0].AuditIndex != 7 || h[0].InteractionID != "i-1" || h[0].StaffID != "s-1" ||
		!h[0].At.Equal(at) || h[0].OldMasked != "04•• •• •• 56" || h[0].NewMasked != "04•• •• •• 78" || h[0].Commitment != "c1" || h[0].Nonce != "n1" ||
		h[1].Field != coupole.ContactEmail || h[2].Field != coupole.ContactLanguage || h[3].Field != coupole.ContactPostalAddress || !h[3].At.Equal(later) {
		t.Errorf("history = %+v", h)
	}

	// Nothing half-written: an unknown customer, a bad value, an unknown
	// field in the history, a repeated history line.
	for _, tt := range []struct {
		name string
		u    coupole.ContactUpdate
		code string
	}{
		{"unknown customer", coupole.ContactUpdate{CustomerID: "C-404", At: later, Email: ptr("x@example.be"),
			History: []coupole.ContactChange{{Field: coupole.ContactEmail}}}, coupole.ENOTFOUND},
		{"mobile not E.164", coupole.ContactUpdate{CustomerID: "C-1", At: later, Mobile: ptr("0470 12 34 56"), Email: ptr("y@example.be")}, coupole.EINVALID},
		{"unknown language", coupole.ContactUpdate{CustomerID: "C-1", At: later, Language: ptr(coupole.Language("it")), Email: ptr("y@example.be")}, coupole.EINVALID},
		{"empty address", coupole.ContactUpdate{CustomerID: "C-1", At: later, PostalAddress: &coupole.Address{}, Email: ptr("y@example.be")}, coupole.EINVALID},
		{"nothing to change", coupole.ContactUpdate{CustomerID: "C-1", At: later}, coupole.EINVALID},
		{"unknown history field", coupole.ContactUpdate{CustomerID: "C-1", At: later, Email: ptr("y@example.be"),
			History: []coupole.ContactChange{{Field: "name"}}}, coupole.EINVALID},
		{"history line already recorded", coupole.ContactUpdate{CustomerID: "C-1", AuditIndex: 7, At: later, Email: ptr("y@example.be"),
			History: []coupole.ContactChange{{Field: coupole.ContactMobile}}}, coupole.ECONFLICT},
	} {
		wantCode(t, tt.name, s.UpdateContact(ctx, tt.u), tt.code)
	}
	after, _ := s.Customer(ctx, "C-1")
	if after != got {
		t.Errorf("a refused change wrote something: %+v, was %+v", after, got)
	}
	if h2, _ := s.ContactChanges(ctx, "C-1"); len(h2) != 4 {
		t.Errorf("a refused change wrote history: %+v", h2)
	}
	if h3, err := s.ContactChanges(ctx, "C-2"); err != nil || len(h3) != 0 {
		t.Errorf("history of a customer without changes: %+v, %v", h3, err)
	}

	// Compare and set (D7): a change prepared from a stale read — another
	// change of the same field won meanwhile — is refused and writes
	// nothing; one prepared from the current values goes through.
	stale := before // read before the two changes above
	u3 := coupole.ContactUpdate{CustomerID: "C-1", InteractionID: "i-3", StaffID: "s-3", AuditIndex: 11, At: later.Add(time.Hour),
		Email: ptr("stale@example.be"), Previous: &stale,
		History: []coupole.ContactChange{{Field: coupole.ContactEmail, OldMasked: "g•••@e•••.be", NewMasked: "s•••@e•••.be", Commitment: "c5", Nonce: "n5"}}}
	wantCode(t, "UpdateContact(stale previous e-mail)", s.UpdateContact(ctx, u3), coupole.ECONFLICT)
	if now, _ := s.Customer(ctx, "C-1"); now != after {
		t.Errorf("a stale change wrote something: %+v", now)
	}
	if h4, _ := s.ContactChanges(ctx, "C-1"); len(h4) != 4 {
		t.Errorf("a stale change wrote history: %d lines", len(h4))
	}
	current := after
	u3.Previous = &current
	if err := s.UpdateContact(ctx, u3); err != nil {
		t.Errorf("a change from the current values: %v", err)
	}
	u4 := u3
	u4.CustomerID, u4.Previous = "C-404", &current
	wantCode(t, "UpdateContact(unknown customer, with previous values)", s.UpdateContact(ctx, u4), coupole.ENOTFOUND)
}
