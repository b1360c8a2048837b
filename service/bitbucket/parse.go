package bitbucket

import (
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// parsedComment is what an inline comment written by review.RenderComment
// says: "<icon> **<Severity>[ · <category>]** — <title>", a blank line,
// then the body.
type parsedComment struct {
	severity review.Severity
	category string
	title    string
	body     string
}

// parseComment reads a body rendered by review.RenderComment. Sanitize's
// changes to the title (zero-width characters after "@" and in our marker
// prefix) are undone, so the title hashes as the finding's did.
func parseComment(raw string) (parsedComment, bool) {
	head, rest, _ := strings.Cut(raw, "\n")
	i := strings.Index(head, "**")
	if i < 0 {
		return parsedComment{}, false
	}
	label, after, ok := strings.Cut(head[i+2:], "** — ")
	if !ok {
		return parsedComment{}, false
	}
	sevName, cat, _ := strings.Cut(label, " · ")
	sev, err := review.ParseSeverity(sevName)
	if err != nil {
		return parsedComment{}, false
	}
	title := strings.ReplaceAll(after, "@\u200b", "@")
	title = strings.ReplaceAll(title, "(bitreview\u200b:", "(bitreview:")
	body := rest
	if j := strings.Index(body, "[//]: # (bitreview:"); j >= 0 {
		body = body[:j]
	}
	if j := strings.Index(body, "\n**Suggested change**"); j >= 0 {
		body = body[:j]
	}
	return parsedComment{severity: sev, category: cat, title: strings.TrimSpace(title), body: strings.TrimSpace(body)}, true
}

// findingOf rebuilds the finding an earlier run posted as t, for the
// verdict, gating and Code Insights of a run that did not review its code
// again. Its line is where it was posted.
func findingOf(t *thread) (review.Finding, bool) {
	pc, ok := parseComment(t.c.Content.Raw)
	if !ok {
		return review.Finding{}, false
	}
	f := review.Finding{
		Path: t.c.Inline.Path, Severity: pc.severity, Category: pc.category,
		Title: pc.title, Body: pc.body, Fingerprint: t.fp, Side: diffparse.New,
	}
	in := t.c.Inline
	switch {
	case in.To != nil:
		f.Line = *in.To
	case in.From != nil:
		f.Side, f.Line = diffparse.Old, *in.From
	}
	return f, true
}

func inlineFor(f review.Finding) *bbapi.Inline {
	in := &bbapi.Inline{Path: f.Path}
	if f.Side == diffparse.Old {
		in.From = bbapi.Int(f.Line)
		if f.StartLine > 0 && f.StartLine < f.Line {
			in.StartFrom = bbapi.Int(f.StartLine)
		}
		return in
	}
	in.To = bbapi.Int(f.Line)
	if f.StartLine > 0 && f.StartLine < f.Line {
		in.StartTo = bbapi.Int(f.StartLine)
	}
	return in
}
