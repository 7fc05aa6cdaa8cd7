package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/secretkey"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"
)

// Local accounts are break-glass accounts only: a password hashed with
// argon2id and a mandatory TOTP code, each code accepted once.

// Argon2Params are the argon2id parameters of new password hashes. OWASP's
// minimum is m=19 MiB, t=2, p=1; Coupole uses 64 MiB, t=3 (a handful of
// accounts sign in rarely, so a slower hash costs nothing).
var Argon2Params = struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	KeyLen    uint32
	SaltLen   int
}{MemoryKiB: 64 * 1024, Time: 3, Threads: 1, KeyLen: 32, SaltLen: 16}

// HashPassword returns the argon2id hash of password in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(password string) (string, error) {
	if len(password) < 12 {
		return "", coupole.Errorf(coupole.EINVALID, "password: at least 12 characters are required")
	}
	p := Argon2Params
	salt := make([]byte, p.SaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a PHC argon2id hash. The
// parameters are read from the hash, so hashes made with older parameters
// still verify.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m < 19456 || t < 1 || p < 1 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// maxSignInName bounds the user name of a local sign-in, in bytes.
const maxSignInName = 128

// signInName is the user name of a local sign-in as it is looked up,
// throttled and traced: trimmed, invalid UTF-8 replaced by U+FFFD and cut on
// a character boundary, so that a failed attempt with a garbled or overlong
// name is still traced (issue 10, item 5), and never as the raw bytes sent.
func signInName(raw string) string {
	return strings.TrimSpace(cutText(strings.TrimSpace(strings.ToValidUTF8(raw, "\uFFFD")), maxSignInName))
}

// dummyHash is checked against when the account does not exist, so that an
// unknown user name takes as long as a wrong password (issue 5, point 7).
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password, never matches")
	return h
})

// NewTOTPKey returns a TOTP secret and its otpauth:// provisioning URI for an
// authenticator app.
func NewTOTPKey(account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Coupole", AccountName: account, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", coupole.Wrap(err, coupole.EINTERNAL, "cannot generate a TOTP secret")
	}
	return key.Secret(), key.URL(), nil
}

// TOTPCode returns the code of secret at t (for tests and set-up checks).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// matchTOTP returns the time step whose code equals code, among the current
// step and one step either side (clock drift), or -1.
func matchTOTP(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return -1
	}
	step := now.Unix() / 30
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := TOTPCode(secret, time.Unix(s*30, 0))
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return -1
}

// SealTOTPSecret seals a break-glass account's TOTP secret with the data
// directory's key, bound to the staff id: a sealed secret copied onto another
// account's row does not open (issue 10, item 11).
func SealTOTPSecret(k *secretkey.Key, staffID, secret string) string {
	return k.Seal(secret, totpContext(staffID))
}

// OpenTOTPSecret opens a sealed TOTP secret of staffID. A secret in clear,
// another key, another account's secret or an altered value all fail.
func OpenTOTPSecret(k *secretkey.Key, staffID, sealed string) (string, error) {
	return k.Open(sealed, totpContext(staffID))
}

func totpContext(staffID string) string { return "coupole totp secret\x00" + staffID }

// throttle counts local sign-in attempts per account name and per client
// address over a sliding window, in the database so that the limits hold
// across nodes and restarts (issue 5, point 7; issue 10, item 11). Account
// names are keyed hashes: a password typed into the name field is never
// stored. An attempt takes its place before the credentials are checked, so
// parallel guesses cannot all slip under the limit; it is forgotten when it
// was not a failure.
type throttle struct {
	store  coupole.SignInAttempts
	key    *secretkey.Key
	logger *slog.Logger
}

const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 20
)

func (t *throttle) accountKey(user string) string {
	return "account:" + t.key.MAC("signin-account", user)
}

// begin records an attempt and returns its id, or a refusal code for the
// trace: "throttled" when either key has used up its allowance, and
// "throttle_unavailable" when the counters cannot be written (the limit
// cannot be enforced, so the sign-in is refused).
func (t *throttle) begin(ctx context.Context, user, addr string, now time.Time) (id, refusal string) {
	var b [16]byte
	rand.Read(b[:])
	id = hex.EncodeToString(b[:])
	counts, err := t.store.BeginSignInAttempt(ctx, id, []string{t.accountKey(user), "address:" + addr}, now, now.Add(-throttleWindow))
	if err != nil {
		t.logger.Error("local sign-in refused: the sign-in counters cannot be written", "err", err)
		return id, "throttle_unavailable"
	}
	if counts[0] > maxAccountFailures || counts[1] > maxAddressFailures {
		t.store.ForgetSignInAttempt(ctx, id) // a refused attempt is not a failure
		return id, "throttled"
	}
	return id, ""
}

// succeed forgets the attempt and resets the account's count.
func (t *throttle) succeed(ctx context.Context, id, user string) error {
	return errors.Join(t.store.ForgetSignInAttempt(ctx, id), t.store.ClearSignInKey(ctx, t.accountKey(user)))
}
