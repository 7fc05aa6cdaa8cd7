package genesys

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Notifications of the contact-center platform reach Coupole at POST
// /api/v1/recordings/events, signed by the relay that forwards them (Genesys
// Cloud's EventBridge or a Process Automation webhook action): an
// HMAC-SHA256 over the timestamp, a dot and the raw body, with a secret
// both sides keep in a file. See docs/retention.md.
const (
	SignatureHeader = "X-Coupole-Signature" // "v1=" and the hex HMAC
	TimestampHeader = "X-Coupole-Timestamp" // Unix seconds
	// MaxSkew is how far a notification's timestamp may be from now:
	// older ones are refused as replays, and event ids are remembered
	// for twice as long.
	MaxSkew = 5 * time.Minute
)

// Sign returns the signature header of body sent at ts.
func Sign(secret []byte, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	return timestamp, "v1=" + mac(secret, timestamp, body)
}

func mac(secret []byte, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a notification's signature and timestamp: EUNAUTHORIZED
// when the signature is missing or wrong, or the timestamp is missing or
// more than MaxSkew away from now (a replay, or a clock to fix).
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return coupole.Errorf(coupole.EUNAUTHORIZED, "notifications are not accepted: no secret is configured")
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return coupole.Errorf(coupole.EUNAUTHORIZED, "%s: missing or not Unix seconds", TimestampHeader)
	}
	got, ok := strings.CutPrefix(signature, "v1=")
	if !ok || !hmac.Equal([]byte(got), []byte(mac(secret, timestamp, body))) {
		return coupole.Errorf(coupole.EUNAUTHORIZED, "%s: missing or wrong signature", SignatureHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return coupole.Errorf(coupole.EUNAUTHORIZED, "%s: %s away from now, more than %s: refused as a replay", TimestampHeader, d.Round(time.Second), MaxSkew)
	}
	return nil
}

// Notification is the shape of a platform notification, modelled on Genesys
// Cloud's (id, topicName, eventBody). Coupole acts on the recording topic
// (v2.conversations.{id}.recordings); others are acknowledged and ignored.
type Notification struct {
	ID        string    `json:"id"`
	TopicName string    `json:"topicName"`
	EventBody EventBody `json:"eventBody"`
}

// EventBody is a recording's metadata as the notification gives it.
type EventBody struct {
	ConversationID string    `json:"conversationId"`
	RecordingID    string    `json:"recordingId"`
	MediaType      string    `json:"mediaType"` // "call", "email", "chat"
	StartTime      time.Time `json:"startTime"`
	EndTime        time.Time `json:"endTime"`
	WrapupCode     string    `json:"wrapupCode"` // the call-reason code chosen at wrap-up
	// InteractionID is Coupole's interaction, set as a participant
	// attribute by the advisor's desktop.
	InteractionID string `json:"coupoleInteractionId"`
	FileSizeBytes int64  `json:"fileSizeBytes"`
	SHA256        string `json:"sha256"`
}

// RecordingTopic reports whether topic is a conversation's recordings topic.
func RecordingTopic(topic string) bool {
	rest, ok := strings.CutPrefix(topic, "v2.conversations.")
	return ok && strings.HasSuffix(rest, ".recordings") && len(rest) > len(".recordings")
}

// ExternalID names a recording in the platform: its conversation and its id.
func ExternalID(conversationID, recordingID string) string {
	return conversationID + "/" + recordingID
}
