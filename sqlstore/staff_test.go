package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/secretkey"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func mustCreateStaff(tb testing.TB, db *sqlstore.DB, id string, kind coupole.StaffKind, roles ...coupole.Role) coupole.Staff {
	tb.Helper()
	s := coupole.Staff{ID: id, Kind: kind, Login: "login-" + id, DisplayName: "Agent " + id, Roles: roles, Status: coupole.StaffActive, CreatedAt: t0}
	if err := db.CreateStaff(context.Background(), s); err != nil {
		tb.Fatalf("create staff %s: %v", id, err)
	}
	return s
}

func hash64(c byte) string { return strings.Repeat(string(c), 64) }

func TestStaffStore(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		a := mustCreateStaff(t, db, "s-advisor", coupole.StaffOIDC, coupole.RoleAdvisor, coupole.RoleBackOffice)
		mustCreateStaff(t, db, "s-it", coupole.StaffLocal, coupole.RoleITAdmin)

		got, err := db.StaffByLogin(ctx, coupole.StaffOIDC, a.Login)
		if err != nil || got.ID != a.ID || len(got.Roles) != 2 || got.Roles[0] != coupole.RoleAdvisor || !got.CreatedAt.Equal(t0) {
			t.Fatalf("StaffByLogin = %+v, %v", got, err)
		}
		if _, err := db.StaffByLogin(ctx, coupole.StaffLocal, a.Login); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("login of another kind: %v, want not_found", err)
		}
		if err := db.CreateStaff(ctx, a); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("duplicate staff: %v, want conflict", err)
		}
		// Issue 12: an account may have no role (a joiner before its groups);
		// an invalid one (no login) is still refused.
		if err := db.CreateStaff(ctx, coupole.Staff{ID: "x", Kind: coupole.StaffOIDC, Status: coupole.StaffActive}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("staff without login: %v, want invalid", err)
		}

		// Role change (mover, S4).
		if err := db.SetRoles(ctx, a.ID, []coupole.Role{coupole.RoleSupervisor}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Staff(ctx, a.ID); len(got.Roles) != 1 || got.Roles[0] != coupole.RoleSupervisor {
			t.Errorf("roles after SetRoles = %v", got.Roles)
		}
		if err := db.SetRoles(ctx, "nobody", []coupole.Role{coupole.RoleAdvisor}); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("SetRoles unknown: %v", err)
		}
		list, err := db.ListStaff(ctx)
		if err != nil || len(list) != 2 || list[1].Roles[0] != coupole.RoleITAdmin {
			t.Errorf("ListStaff = %+v, %v", list, err)
		}
	})
}

func TestSessionsAndRevocation(t *testing.T) {
	// S6: revocation disables the account, destroys every session and ends
	// every break-glass grant, in one transaction.
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		po := mustCreateStaff(t, db, "s-po", coupole.StaffOIDC, coupole.RolePrivacyOfficer)
		sdm := mustCreateStaff(t, db, "s-sdm", coupole.StaffOIDC, coupole.RoleServiceDeliveryManager)
		for _, h := range []string{hash64('a'), hash64('b')} {
			if err := db.CreateSession(ctx, coupole.Session{IDHash: h, StaffID: po.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateSession(ctx, coupole.Session{IDHash: hash64('c'), StaffID: sdm.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, coupole.Session{IDHash: "short", StaffID: po.ID}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("short hash: %v, want invalid", err)
		}
		sess, st, err := db.ActiveSession(ctx, hash64('a'))
		if err != nil || st.ID != po.ID || !sess.ExpiresAt.Equal(t0.Add(8*time.Hour)) || st.Roles[0] != coupole.RolePrivacyOfficer {
			t.Fatalf("ActiveSession = %+v %+v %v", sess, st, err)
		}
		if err := db.TouchSession(ctx, hash64('a'), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if sess, _, _ := db.ActiveSession(ctx, hash64('a')); !sess.LastSeenAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("LastSeenAt after touch = %v", sess.LastSeenAt)
		}

		g := coupole.BreakGlassGrant{ID: "g1", StaffID: po.ID, CustomerID: "C1", Reason: "GDPR access request 42", RequestedAt: t0, Duration: time.Hour}
		if err := db.CreateGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveGrant(ctx, "g1", po.ID, t0); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("self-approval: %v, want forbidden (S7)", err)
		}
		approved, err := db.ApproveGrant(ctx, "g1", sdm.ID, t0.Add(time.Minute))
		if err != nil || !approved.Active(t0.Add(30*time.Minute)) || approved.Active(t0.Add(61*time.Minute)) {
			t.Fatalf("approved grant = %+v, %v", approved, err)
		}
		if _, err := db.ApproveGrant(ctx, "g1", sdm.ID, t0); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("second approval: %v", err)
		}

		rv, err := db.Revoke(ctx, po.ID, "left the company", t0.Add(2*time.Minute))
		if err != nil || rv.Sessions != 2 {
			t.Fatalf("Revoke = %+v, %v; want 2 sessions", rv, err)
		}
		if _, _, err := db.ActiveSession(ctx, hash64('b')); coupole.ErrorCode(err) != coupole.EUNAUTHORIZED {
			t.Errorf("session after revoke: %v", err)
		}
		if _, _, err := db.ActiveSession(ctx, hash64('c')); err != nil {
			t.Errorf("other staff's session must survive: %v", err)
		}
		if g, _ := db.Grant(ctx, "g1"); g.Active(t0.Add(3*time.Minute)) || g.RevokedAt.IsZero() {
			t.Errorf("grant after revoke = %+v", g)
		}
		if got, _ := db.Staff(ctx, po.ID); got.Status != coupole.StaffRevoked || got.RevokedReason != "left the company" {
			t.Errorf("staff after revoke = %+v", got)
		}
		if _, err := db.Revoke(ctx, po.ID, "again", t0); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("second revoke: %v", err)
		}
		if _, err := db.Revoke(ctx, sdm.ID, " ", t0); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("revoke without reason: %v", err)
		}
		if err := db.Reinstate(ctx, po.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.DeleteSessionsOf(ctx, sdm.ID); err != nil || n != 1 {
			t.Errorf("DeleteSessionsOf = %d, %v", n, err)
		}
		if list, _ := db.ListGrants(ctx); len(list) != 1 {
			t.Errorf("ListGrants = %d grants", len(list))
		}
	})
}

func TestTOTPStepNeverReused(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := mustCreateStaff(t, db, "s-bg", coupole.StaffLocal, coupole.RoleITAdmin)
		if err := db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: s.ID, PasswordHash: "plain", TOTPSecret: "X"}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("non-argon2id hash: %v", err)
		}
		if err := db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: s.ID, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y", TOTPSecret: secretkey.Ephemeral().Seal("JBSWY3DPEHPK3PXP", s.ID)}); err != nil {
			t.Fatal(err)
		}
		if err := db.UseTOTPStep(ctx, s.ID, 100); err != nil {
			t.Fatal(err)
		}
		for _, step := range []int64{100, 99} {
			if err := db.UseTOTPStep(ctx, s.ID, step); coupole.ErrorCode(err) != coupole.ECONFLICT {
				t.Errorf("step %d after 100: %v, want conflict", step, err)
			}
		}
		if c, err := db.LocalCredential(ctx, s.ID); err != nil || c.LastTOTPStep != 100 {
			t.Errorf("credential = %+v, %v", c, err)
		}
	})
}

// TestStaffLanguage: the language a staff member picks is kept with them,
// so it follows them to any browser (issue 7, point 2), and a session's
// staff member carries it.
func TestStaffLanguage(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		a := mustCreateStaff(t, db, "s-lang", coupole.StaffOIDC, coupole.RoleAdvisor)
		if got, _ := db.Staff(ctx, a.ID); got.Language != "" {
			t.Errorf("language before any choice = %q, want empty", got.Language)
		}
		if err := db.SetLanguage(ctx, a.ID, coupole.Dutch); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.StaffByLogin(ctx, coupole.StaffOIDC, a.Login); got.Language != coupole.Dutch {
			t.Errorf("language = %q, want nl", got.Language)
		}
		if err := db.CreateSession(ctx, coupole.Session{IDHash: hash64('l'), StaffID: a.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, st, err := db.ActiveSession(ctx, hash64('l')); err != nil || st.Language != coupole.Dutch {
			t.Errorf("session's staff language = %q, %v; want nl", st.Language, err)
		}
		if err := db.SetLanguage(ctx, a.ID, "xx"); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("unknown language: %v, want invalid", err)
		}
		if err := db.SetLanguage(ctx, "nobody", coupole.German); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("unknown staff: %v, want not_found", err)
		}
	})
}

// TOTP secrets are stored sealed only (issue 10, item 11): a secret in
// clear is refused, and one left in clear by an older version is listed
// and replaced with a compare-and-set.
func TestTOTPSecretsStoredSealed(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := mustCreateStaff(t, db, "s-bg", coupole.StaffLocal, coupole.RoleITAdmin)
		const hash, secret = "$argon2id$v=19$m=19456,t=2,p=1$x$y", "JBSWY3DPEHPK3PXP"
		if err := db.SetLocalCredential(ctx, coupole.LocalCredential{StaffID: s.ID, PasswordHash: hash, TOTPSecret: secret}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("secret in clear: %v, want invalid", err)
		}
		// A row written by Coupole before issue 10.
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO staff_local_credentials (staff_id, password_hash, totp_secret) VALUES ($1, $2, $3)`, s.ID, hash, secret); err != nil {
			t.Fatal(err)
		}
		got, err := db.TOTPSecrets(ctx)
		if err != nil || len(got) != 1 || got[s.ID] != secret {
			t.Fatalf("TOTPSecrets = %v, %v", got, err)
		}
		sealed := secretkey.Ephemeral().Seal(secret, s.ID)
		if _, err := db.ReplaceTOTPSecret(ctx, s.ID, secret, secret+"x"); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("replace by a secret in clear: %v, want invalid", err)
		}
		if ok, err := db.ReplaceTOTPSecret(ctx, s.ID, "not the stored value", sealed); ok || err != nil {
			t.Errorf("replace with a stale old value = %v, %v; want false", ok, err)
		}
		if ok, err := db.ReplaceTOTPSecret(ctx, s.ID, secret, sealed); !ok || err != nil {
			t.Errorf("replace = %v, %v", ok, err)
		}
		if c, err := db.LocalCredential(ctx, s.ID); err != nil || c.TOTPSecret != sealed {
			t.Errorf("stored secret %q, %v; want the sealed one", c.TOTPSecret, err)
		}
	})
}
