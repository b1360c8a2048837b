package review

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// Secret is a credential found in a pull request.
type Secret struct {
	Path string
	Line int    // new-side line; 0 for a finding about the whole file
	Rule string // detector rule, e.g. "github-pat" or "private-key-file"
	// Value is the secret text to redact from prompts. It is never
	// printed, posted or logged.
	Value string
}

// SecretScanner finds secrets in a diff's added lines and added files.
type SecretScanner interface {
	Scan(d *diffparse.Diff) []Secret
}

// TextScanner is a SecretScanner that also reads free text: the pull
// request's title and description reach the model too, so credentials in
// them are redacted as well (they have no line, so they become a note, not
// a finding).
type TextScanner interface {
	ScanText(name, text string) []Secret
}

// textSecrets scans the pull request's own text when the scanner can.
func textSecrets(sc SecretScanner, pr PullRequest) (found []Secret, notes []string) {
	ts, ok := sc.(TextScanner)
	if !ok {
		return nil, nil
	}
	for _, part := range []struct{ name, text string }{{"title", pr.Title}, {"description", pr.Description}} {
		hits := ts.ScanText(part.name, part.text)
		if len(hits) == 0 {
			continue
		}
		found = append(found, hits...)
		notes = append(notes, fmt.Sprintf("The pull request %s contains what looks like a credential (%s). It was redacted before the model saw it; anyone who can read the pull request can still see it, so rotate it.", part.name, hits[0].Rule))
	}
	return found, notes
}

// secretFindings turns secrets into critical findings on their lines.
func secretFindings(d *diffparse.Diff, secrets []Secret) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, s := range secrets {
		f := Finding{
			Path: s.Path, Side: diffparse.New, Line: max(s.Line, 1), Severity: Critical, Category: "security",
			Title: fmt.Sprintf("Possible secret committed (%s)", s.Rule),
			Body: "This looks like a credential. Anyone who can read the repository or its history can use it: " +
				"revoke or rotate it now, remove it from the change, and load it from a secret store or a secured variable instead. " +
				"The value was redacted before anything was sent to the reviewer model and is not repeated here.",
		}
		if !d.Commentable(f.Path, f.Side, f.Line) {
			continue
		}
		f.Fingerprint = Fingerprint(f, anchorText(d, f))
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			out = append(out, f)
		}
	}
	return out
}

// RedactingModel wraps m so that no request leaves unredacted. Every
// request's system and user prompt lose the known secret values first (the
// diff's, found by Scan, which keep their findings), then every secret sc
// finds in the outgoing text itself. That second pass is the last line of
// defence: whatever a prompt carries, now or later (context lines,
// guidelines, path instructions, a chat thread, linked issue text), is
// scanned as it is sent. sc may be nil (known values only).
//
// Cost, measured with gitleaks' rules (redact.BenchmarkScanTextPrompt, 2
// shared vCPUs): about 160 ms for a full 24,000-token batch of
// keyword-dense Go code (0.6 MB/s), well under a second for a whole
// default-budget review, against seconds per model call.
func RedactingModel(m Model, sc TextScanner, known []Secret) Model {
	return redactingModel{m: m, r: newRedactor(known), sc: sc}
}

type redactingModel struct {
	m  Model
	r  redactor
	sc TextScanner
}

func (rm redactingModel) Generate(ctx context.Context, req Request) (*Response, error) {
	req.System = rm.redact("system prompt", req.System)
	req.Prompt = rm.redact("prompt", req.Prompt)
	return rm.m.Generate(ctx, req)
}

func (rm redactingModel) redact(name, s string) string {
	s = rm.r.apply(s)
	if rm.sc == nil {
		return s
	}
	return Redact(rm.sc, name, s)
}

// Redact returns text with every secret sc finds in it replaced by
// "[REDACTED <rule>]". name says what the text is (for the scanner).
func Redact(sc TextScanner, name, text string) string {
	found := sc.ScanText(name, text)
	if len(found) == 0 {
		return text
	}
	return newRedactor(found).apply(text)
}

// redactor replaces every secret value in prompt text.
type redactor struct{ r *strings.Replacer }

func newRedactor(secrets []Secret) redactor {
	vals := map[string]string{}
	for _, s := range secrets {
		if len(s.Value) >= 4 {
			vals[s.Value] = "[REDACTED " + s.Rule + "]"
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, vals[k])
	}
	if len(pairs) == 0 {
		return redactor{}
	}
	return redactor{strings.NewReplacer(pairs...)}
}

func (r redactor) apply(s string) string {
	if r.r == nil {
		return s
	}
	return r.r.Replace(s)
}
