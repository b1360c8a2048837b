package bitbucket

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// maxToolReports caps the static-analysis tools' own reports on a commit:
// Bitbucket is said to keep about 10 reports per commit
// (bitbucket-cloud.md §6, unverified), and "bitreview" is one of them.
const maxToolReports = 8

// toolReportID is the Code Insights report of one tool: "bitreview-" and
// the tool's name (lower case letters, digits, ".", "_", "-").
func toolReportID(tool string) string { return reportID + "-" + tool }

// PublishTools publishes each tool's report on commit (PublishTool), at
// most maxToolReports, in the order given; the rest are named in the
// returned error.
func (in *Insights) PublishTools(ctx context.Context, commit string, tools []review.ToolReport) (*InsightsOutcome, error) {
	total := &InsightsOutcome{}
	var errs []error
	for i, tr := range tools {
		if i == maxToolReports {
			var left []string
			for _, t := range tools[i:] {
				left = append(left, t.Tool)
			}
			errs = append(errs, fmt.Errorf("no report for %s: at most %d tool reports are published on a commit", strings.Join(left, ", "), maxToolReports))
			break
		}
		out, err := in.PublishTool(ctx, commit, tr)
		total.Annotations += out.Annotations
		total.Placed += out.Placed
		total.Overflow += out.Overflow
		total.Requests += out.Requests
		if err != nil {
			errs = append(errs, fmt.Errorf("report %s: %w", toolReportID(tr.Tool), err))
		}
	}
	return total, errors.Join(errs...)
}

// PublishTool replaces the report "bitreview-<tool>" on commit with one
// annotation per finding of the tool within LINT_FILTER, on the file and
// line the tool named (paths the lint package checked are inside the
// repository), worst first and at most 1,000: FAILED when one reaches
// FAIL_ON, else PASSED. Its details count the findings on the diff, off
// it and cut.
func (in *Insights) PublishTool(ctx context.Context, commit string, tr review.ToolReport) (*InsightsOutcome, error) {
	out := &InsightsOutcome{Result: "PASSED"}
	if tr.Failed {
		out.Result = "FAILED"
	}
	anns := toolAnnotations(tr)
	if len(anns) > bbapi.MaxAnnotationsPerReport {
		out.Overflow = len(anns) - bbapi.MaxAnnotationsPerReport
		anns = anns[:bbapi.MaxAnnotationsPerReport]
	}
	title := capRunes(tr.Tool+" (static analysis)", 100)
	pending := &bbapi.Report{Title: title, Reporter: "bitreview", ReportType: "BUG", Result: "PENDING",
		Details: capRunes(tr.Tool+"'s findings, as the step's report gave them; publishing.", maxReportDetails)}
	final := *pending
	final.Result = out.Result
	final.Details = capRunes(fmt.Sprintf("%s's findings, from the step's static-analysis report: %d on the pull request's diff (inline comments), %d elsewhere, %d cut (over a report's limits).",
		tr.Tool, tr.OnDiff, tr.OffDiff, tr.Cut+out.Overflow), maxReportDetails)
	final.Data = reportData(tr.Findings)
	return out, in.send(ctx, commit, toolReportID(tr.Tool), pending, &final, anns, out)
}

// toolAnnotations maps a tool's findings to annotations: on the tool's
// path and line, each with a unique external_id, the rule's documentation
// as the link when its host is allowed.
func toolAnnotations(tr review.ToolReport) []bbapi.Annotation {
	seen := map[string]bool{}
	out := make([]bbapi.Annotation, 0, len(tr.Findings))
	for _, f := range tr.Findings {
		id := f.Fingerprint
		if id == "" {
			sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s", f.Path, f.Rule, f.Line, f.Title))
			id = hex.EncodeToString(sum[:8])
		}
		base := id
		for n := 2; seen[id]; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		seen[id] = true
		a := bbapi.Annotation{
			ExternalID:     toolReportID(tr.Tool) + "-" + id,
			AnnotationType: annotationType(f.Category),
			Path:           f.Path,
			Summary:        capRunes(oneLine(review.Sanitize(f.Title)), maxAnnotationSummary),
			Details:        capRunes(review.Sanitize(f.Body), maxAnnotationDetails),
			Severity:       annotationSeverity(f.Severity),
			Result:         "FAILED",
		}
		if f.Line > 0 && f.Path != "" {
			a.Line = f.Line
		}
		if review.LinkAllowed(f.Help) {
			a.Link = f.Help
		}
		if strings.TrimSpace(a.Summary) == "" {
			a.Summary = tr.Tool + " finding"
		}
		out = append(out, a)
	}
	return out
}
