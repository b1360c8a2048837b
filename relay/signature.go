package relay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// Delivery headers Bitbucket sends.
const (
	// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the raw body>"
	// when the webhook has a secret.
	SignatureHeader = "X-Hub-Signature"
	// EventKeyHeader names the event, e.g. pullrequest:comment_created.
	EventKeyHeader = "X-Event-Key"
	// RequestUUIDHeader identifies the delivery.
	RequestUUIDHeader = "X-Request-UUID"
	// AttemptHeader counts delivery attempts from 1.
	AttemptHeader = "X-Attempt-Number"
	// HookUUIDHeader identifies the webhook.
	HookUUIDHeader = "X-Hook-UUID"
)

const signaturePrefix = "sha256="

// Sign returns the X-Hub-Signature value for body under secret, as
// Bitbucket computes it.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// parseSignature decodes the one X-Hub-Signature header: exactly
// "sha256=" and 64 hex digits. Any other form (none, several, sha1=, a
// truncated or non-hex digest) fails.
func parseSignature(h http.Header) ([]byte, bool) {
	vals := h.Values(SignatureHeader)
	if len(vals) != 1 {
		return nil, false
	}
	v := strings.TrimSpace(vals[0])
	if len(v) != len(signaturePrefix)+2*sha256.Size || !strings.HasPrefix(v, signaturePrefix) {
		return nil, false
	}
	sum, err := hex.DecodeString(v[len(signaturePrefix):])
	if err != nil {
		return nil, false
	}
	return sum, true
}

// validSignature reports whether want is the HMAC-SHA256 of body under
// secret, comparing in constant time.
func validSignature(secret, body, want []byte) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), want)
}

// headerValue returns a header for logging: at most 64 printable ASCII
// characters, "" otherwise.
func headerValue(h http.Header, name string) string {
	v := h.Get(name)
	if len(v) > 64 {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return ""
		}
	}
	return v
}
