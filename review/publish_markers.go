package review

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
)

// This file holds what the Bitbucket publisher needs beyond RenderSummary:
// the summary of a skipped run and the verdict a later run on the same
// commit reuses without asking the model again.

const verdictPrefix = markerPrefix + "verdict "

// Verdict is the outcome of the review of one head commit: how many
// findings it has (inline, summary-only and still-open earlier ones) and
// the worst severity among them.
type Verdict struct {
	Findings int      `json:"n"`
	Worst    Severity `json:"worst"` // meaningless when Findings is 0
}

// VerdictOf computes the verdict of fs.
func VerdictOf(fs ...[]Finding) Verdict {
	v := Verdict{}
	for _, list := range fs {
		for _, f := range list {
			if v.Findings == 0 || f.Severity > v.Worst {
				v.Worst = f.Severity
			}
			v.Findings++
		}
	}
	return v
}

// VerdictMarker renders v as a hidden line to append to a summary body.
func VerdictMarker(v Verdict) string {
	raw, _ := json.Marshal(v)
	return verdictPrefix + base64.RawURLEncoding.EncodeToString(raw) + ")"
}

// ParseVerdict reads the verdict marker of a summary body.
func ParseVerdict(body string) (Verdict, bool) {
	i := strings.Index(body, verdictPrefix)
	if i < 0 {
		return Verdict{}, false
	}
	rest := body[i+len(verdictPrefix):]
	j := strings.IndexByte(rest, ')')
	if j < 0 {
		return Verdict{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest[:j])
	if err != nil {
		return Verdict{}, false
	}
	var v Verdict
	if json.Unmarshal(raw, &v) != nil {
		return Verdict{}, false
	}
	return v, true
}

// RenderSkipped renders the summary of a run that deliberately reviewed
// nothing (a draft pull request, "@bitreview ignore" in the description):
// one short line plus the markers, so that later runs find and edit it
// like any summary. st is kept as it was, so a later run can still review
// incrementally from the last reviewed commit.
func RenderSkipped(reason string, info SummaryInfo, st State) string {
	var b strings.Builder
	b.WriteString("## bitreview\n\n")
	b.WriteString(skippedLine(reason) + "\n")
	if info.Version != "" {
		b.WriteString("\n---\n_bitreview " + info.Version + "_\n")
	}
	return b.String() + "\n" + summaryMarker + "\n" + stateMarker(st) + "\n"
}

// skippedLine is the line of a skipped run's summary that says why.
func skippedLine(reason string) string {
	return "⏸️ **Not reviewed:** " + oneLine(Sanitize(reason))
}

// MaxHandled bounds State.Handled: the comment ids of the latest commands
// a summary remembers (a replay of an older one would run again).
const MaxHandled = 100

// HasHandled reports whether the state records comment id as acted on.
func (s State) HasHandled(id int) bool { return slices.Contains(s.Handled, id) }

// AddHandled records comment id as acted on, keeping the latest
// MaxHandled.
func (s *State) AddHandled(id int) {
	if !s.HasHandled(id) {
		s.Handled = append(s.Handled, id)
		*s = capHandled(*s)
	}
}

// WithHandled rewrites a summary body's state marker to record comment id
// as acted on, keeping the latest MaxHandled. It reports false when the
// body has no state marker to rewrite.
func WithHandled(body string, id int) (string, bool) {
	st, ok := ParseState(body)
	if !ok {
		return body, false
	}
	if st.HasHandled(id) {
		return body, true
	}
	st.Handled = append(st.Handled, id)
	return replaceState(body, st), true
}

// WithState rewrites a summary body's hidden state to st, keeping the
// latest MaxHandled of st.Handled; a summary written before states were
// recorded gets the marker. When st changes the pause flag, the paused
// note at the top is added or removed as WithPaused does (in a summary
// that only records a state, its reason line says it instead). It reports
// false, and changes nothing, when body is not a summary.
func WithState(body string, st State) (string, bool) {
	if !IsSummary(body) {
		return body, false
	}
	old, had := ParseState(body)
	if had {
		body = replaceState(body, st)
	} else {
		body = strings.TrimRight(body, "\n") + "\n" + stateMarker(capHandled(st)) + "\n"
	}
	pausedLine, idleLine := skippedLine(PausedReason), skippedLine(idleReason)
	switch {
	case st.Paused == old.Paused:
	case st.Paused && strings.Contains(body, idleLine):
		body = strings.Replace(body, idleLine, pausedLine, 1)
	case !st.Paused && strings.Contains(body, pausedLine):
		body = strings.Replace(body, pausedLine, idleLine, 1)
	default:
		body = withPausedNote(body, st.Paused)
	}
	return body, true
}

// replaceState replaces the state marker of body, which has one, with st.
func replaceState(body string, st State) string {
	i := strings.Index(body, statePrefix)
	j := i + strings.IndexByte(body[i:], ')') + 1
	return body[:i] + stateMarker(capHandled(st)) + body[j:]
}

// capHandled keeps the latest MaxHandled of st.Handled.
func capHandled(st State) State {
	if n := len(st.Handled); n > MaxHandled {
		st.Handled = st.Handled[n-MaxHandled:]
	}
	return st
}

// PausedReason is the summary line of a run skipped while automatic
// reviews are paused, and of the summary a pause is recorded in.
const PausedReason = "automatic reviews are paused on this pull request (`@bitreview pause`). Comment `@bitreview resume` to restart them, or `@bitreview review` for one review now."

// idleReason is the reason of a summary that only records a state.
const idleReason = "the latest commit has not been reviewed yet."

// RenderStateSummary renders the summary that records st on a pull request
// that has none yet: a skipped run's, saying why nothing was reviewed.
// WithState keeps its reason in step with the pause flag.
func RenderStateSummary(st State, info SummaryInfo) string {
	reason := idleReason
	if st.Paused {
		reason = PausedReason
	}
	return RenderSkipped(reason, info, capHandled(st))
}
