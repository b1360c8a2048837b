package localreview

import (
	"fmt"
	"io"
	"strings"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/workflow"
)

// Formats are the output formats of Print.
func Formats() []string { return []string{"text", "markdown", "json"} }

// Print writes r's review in format (text, markdown or json); version is
// bitreview's, for the markdown footer. Everything in a result can come
// from the changes or the model (file names, titles, bodies, notes,
// errors), so text and markdown are rendered from a copy stripped of
// terminal controls, and the whole output is checked once more; JSON
// keeps the exact values, escaped.
func Print(w io.Writer, format, version string, r Result) error {
	res := r.Review
	if format == "json" {
		return termsafe.EncodeJSON(w, res)
	}
	res, base := terminalSafe(res), termsafe.Line(r.Base)
	var out string
	if format == "markdown" {
		out = markdownReview(base, version, res)
	} else {
		out = textReview(base, res)
	}
	_, err := io.WriteString(w, termsafe.Text(out))
	return err
}

// markdownReview is the summary comment and the findings, without the
// hidden markers that only make sense in a pull request.
func markdownReview(base, version string, res *review.Result) string {
	var b strings.Builder
	b.WriteString(review.RenderReport(res, review.SummaryInfo{Version: version, Range: base + "..working tree"}))
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "\n### `%s:%d`\n\n%s", f.Path, f.Line, review.RenderFinding(f))
	}
	return b.String()
}

// textReview renders a review for a terminal. Findings that are not on a
// changed line are listed apart, marked, as in the pull request summary.
func textReview(base string, res *review.Result) string {
	var b strings.Builder
	added, removed := 0, 0
	for _, f := range res.Files {
		added, removed = added+f.Added, removed+f.Removed
	}
	fmt.Fprintf(&b, "bitreview: %d file(s) changed against %s, +%d −%d\n\n", len(res.Files), base, added, removed)
	if res.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", review.Sanitize(res.Summary))
	}
	b.WriteString("Walkthrough\n")
	for _, f := range res.Files {
		fmt.Fprintf(&b, "  %-9s %-50s +%-5d −%-5d %s\n", f.Status, f.Path, f.Added, f.Removed, workflow.OneLine(f.Note, 80))
	}
	offDiff, overLimit := splitUnanchored(res.Unanchored)
	writeFindings(&b, fmt.Sprintf("Findings (%d)", len(res.Findings)), res.Findings)
	writeFindings(&b, fmt.Sprintf("Not on a changed line (%d): the model placed these outside the diff; check them by hand", len(offDiff)), offDiff)
	writeFindings(&b, fmt.Sprintf("Over the limit of findings (%d)", len(overLimit)), overLimit)
	if len(res.Findings)+len(res.Unanchored) == 0 && len(res.Errors) == 0 {
		b.WriteString("\nNo issues found.\n")
	}
	if len(res.Skipped) > 0 {
		b.WriteString("\nNot reviewed\n")
		for _, s := range res.Skipped {
			fmt.Fprintf(&b, "  %s — %s\n", s.Path, s.Reason)
		}
	}
	if len(res.Notes) > 0 {
		b.WriteString("\nNotes\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "  %s\n", workflow.OneLine(n, 300))
		}
	}
	for _, e := range res.Errors {
		fmt.Fprintf(&b, "\n! %s\n", workflow.OneLine(e, 500))
	}
	if res.Usage.Calls > 0 {
		fmt.Fprintf(&b, "\n%s: %d call(s), %d prompt + %d completion tokens\n", res.Model, res.Usage.Calls, res.Usage.PromptTokens, res.Usage.CompletionTokens)
	}
	return b.String()
}

// splitUnanchored separates findings the model placed off the diff from
// findings on a changed line that the comment limit kept out; only the
// latter were anchored, so only they carry a fingerprint.
func splitUnanchored(fs []review.Finding) (offDiff, overLimit []review.Finding) {
	for _, f := range fs {
		if f.Fingerprint != "" {
			overLimit = append(overLimit, f)
		} else {
			offDiff = append(offDiff, f)
		}
	}
	return offDiff, overLimit
}

func writeFindings(b *strings.Builder, heading string, fs []review.Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", heading)
	for _, f := range fs {
		fmt.Fprintf(b, "  %-8s %s:%d  %s", strings.ToUpper(f.Severity.String()), f.Path, f.Line, workflow.OneLine(f.Title, 100))
		if f.Unanchored != "" {
			fmt.Fprintf(b, "  [%s]", f.Unanchored)
		}
		b.WriteString("\n")
		if body := workflow.OneLine(f.Body, 300); body != "" {
			fmt.Fprintf(b, "           %s\n", body)
		}
	}
}

// terminalSafe returns a copy of res for printing: single-line fields
// (paths, titles, statuses, the model's name) on one line, multi-line ones
// (summary, bodies, notes, errors) with their line breaks, all without
// control characters.
func terminalSafe(res *review.Result) *review.Result {
	c := *res
	c.Summary, c.Model = termsafe.Text(res.Summary), termsafe.Line(res.Model)
	c.Files = make([]review.FileNote, len(res.Files))
	for i, f := range res.Files {
		f.Path, f.Status, f.Note = termsafe.Line(f.Path), termsafe.Line(f.Status), termsafe.Text(f.Note)
		c.Files[i] = f
	}
	c.Findings, c.Unanchored = safeFindings(res.Findings), safeFindings(res.Unanchored)
	c.Skipped = make([]review.Skipped, len(res.Skipped))
	for i, s := range res.Skipped {
		c.Skipped[i] = review.Skipped{Path: termsafe.Line(s.Path), Reason: termsafe.Line(s.Reason)}
	}
	c.Notes, c.Errors = safeTexts(res.Notes), safeTexts(res.Errors)
	return &c
}

func safeFindings(fs []review.Finding) []review.Finding {
	out := make([]review.Finding, len(fs))
	for i, f := range fs {
		f.Path, f.Title, f.Category, f.Unanchored = termsafe.Line(f.Path), termsafe.Line(f.Title), termsafe.Line(f.Category), termsafe.Line(f.Unanchored)
		f.Body, f.Code, f.Suggestion = termsafe.Text(f.Body), termsafe.Text(f.Code), termsafe.Text(f.Suggestion)
		out[i] = f
	}
	return out
}

func safeTexts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = termsafe.Text(s)
	}
	return out
}
