package review

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// Hidden markers are Markdown link-reference definitions: they render as
// nothing on Bitbucket Cloud and GitHub (the form danger-js uses), unlike
// HTML comments, whose visibility varies between views.
const (
	markerPrefix  = "[//]: # (bitreview:"
	summaryMarker = markerPrefix + "summary)"
	statePrefix   = markerPrefix + "state "
	fpPrefix      = markerPrefix + "fp "
)

// State is what a summary comment remembers between runs.
type State struct {
	Version    int      `json:"v"`
	HeadCommit string   `json:"head,omitempty"`
	BaseCommit string   `json:"base,omitempty"`
	Posted     []string `json:"posted,omitempty"` // fingerprints of inline comments
	// Paused is set by `@bitreview pause`: automatic runs skip the pull
	// request until `@bitreview resume`.
	Paused bool `json:"paused,omitempty"`
	// Handled lists the latest command comments acted on (at most
	// MaxHandled, oldest first), so that a replayed trigger does nothing.
	Handled []int `json:"handled,omitempty"`
}

// IsSummary reports whether a comment body carries the summary marker.
func IsSummary(body string) bool { return strings.Contains(body, summaryMarker) }

// ParseState reads the state from a summary comment body.
func ParseState(body string) (State, bool) {
	i := strings.Index(body, statePrefix)
	if i < 0 {
		return State{}, false
	}
	rest := body[i+len(statePrefix):]
	j := strings.IndexByte(rest, ')')
	if j < 0 {
		return State{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest[:j])
	if err != nil {
		return State{}, false
	}
	var s State
	if json.Unmarshal(raw, &s) != nil {
		return State{}, false
	}
	return s, true
}

func stateMarker(s State) string {
	s.Version = 1
	raw, _ := json.Marshal(s)
	return statePrefix + base64.RawURLEncoding.EncodeToString(raw) + ")"
}

// Fingerprint identifies a finding across runs independently of line
// numbers: the path, the side, the code of the anchored line and the title.
func Fingerprint(f Finding, anchorText string) string {
	h := sha256.New()
	for _, part := range []string{f.Path, string(f.Side), normCode(anchorText), strings.ToLower(normCode(f.Title))} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// FingerprintOf reads the fingerprint of an inline comment body.
func FingerprintOf(body string) (string, bool) {
	i := strings.Index(body, fpPrefix)
	if i < 0 {
		return "", false
	}
	rest := body[i+len(fpPrefix):]
	j := strings.IndexByte(rest, ')')
	if j != 16 {
		return "", false
	}
	return rest[:j], true
}

// anchorText returns the code at a finding's anchor.
func anchorText(d *diffparse.Diff, f Finding) string {
	if file := d.File(f.Path); file != nil {
		if _, l := file.LineAt(f.Side, f.Line); l != nil {
			return l.Text
		}
	}
	return ""
}

var markerRE = regexp.MustCompile(`(?m)^\s*\[//\]:\s*#\s*\(bitreview[^\n]*$`)

// stripMarkers removes anything that looks like our markers from text we
// did not write, so model output cannot forge a summary or fingerprint.
func stripMarkers(s string) string {
	s = markerRE.ReplaceAllString(s, "")
	return strings.ReplaceAll(s, "(bitreview:", "(bitreview\u200b:")
}
