package bitbucket

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// reportID is the Code Insights report bitreview keeps on a commit.
const reportID = "bitreview"

// Caps on annotation text (bitreview's own, well inside what Bitbucket
// renders; the spec sets no maximum).
const (
	maxAnnotationSummary = 450
	maxAnnotationDetails = 2000
	maxReportDetails     = 2000
)

// InsightsAPI is what Code Insights needs. Inside Pipelines it may be a
// client behind the auth proxy, without credentials of its own.
type InsightsAPI interface {
	PutReport(ctx context.Context, workspace, repo, commit, reportID string, r *bbapi.Report) (*bbapi.Report, *bbapi.Response, error)
	DeleteReport(ctx context.Context, workspace, repo, commit, reportID string) (*bbapi.Response, error)
	PostAnnotations(ctx context.Context, workspace, repo, commit, reportID string, as []bbapi.Annotation) (*bbapi.Response, error)
}

// Insights publishes the review of a commit as the Code Insights report
// "bitreview" with one annotation per finding.
type Insights struct {
	api    InsightsAPI
	ws     string
	repo   string
	dryRun io.Writer
}

// NewInsights returns a Code Insights publisher; with dryRun non-nil it
// prints what it would send instead. It does no I/O.
func NewInsights(api InsightsAPI, workspace, repo string, dryRun io.Writer) *Insights {
	return &Insights{api: api, ws: workspace, repo: repo, dryRun: dryRun}
}

// ReportInput is what a report says: the host-neutral review.Report. An
// annotation gets a finding's path only when the path names a file of Diff
// (review.DiffPath, the rule of inline comments), and its line only when
// Diff can take a comment there; any other finding is annotated on the
// report's overview (all of them with a nil Diff). An incomplete report is
// never PASSED: it stays PENDING, or is FAILED with Failed.
type ReportInput = review.Report

// InsightsOutcome counts what a report publish did.
type InsightsOutcome struct {
	Annotations int // sent
	Placed      int // of Annotations: on a file of the diff, not the overview
	Overflow    int // findings beyond the 1,000 a report holds
	Requests    int // annotation batches sent (a dry run: would send)
	Result      string
}

// Publish replaces the report: it deletes the earlier one with its
// annotations (one request, where updating would mean listing and deleting
// every stale annotation; a 404 means there was none), creates it PENDING, posts the annotations in
// batches of at most 100, worst first and at most 1,000 (the rest are
// counted in details), and sets the result last, so a report is never
// PASSED while annotations are missing: FAILED when the step fails,
// PENDING (no verdict) when the review is incomplete, PASSED otherwise.
//
// Bitbucket API: DELETE and PUT /repositories/{workspace}/{repo_slug}/commit/{commit}/reports/{reportId},
// POST …/annotations (scope read:repository:bitbucket).
func (in *Insights) Publish(ctx context.Context, ri ReportInput) (*InsightsOutcome, error) {
	out := &InsightsOutcome{Result: reportResult(ri)}
	anns := annotations(ri.Findings, ri.Diff)
	if len(anns) > bbapi.MaxAnnotationsPerReport {
		out.Overflow = len(anns) - bbapi.MaxAnnotationsPerReport
		anns = anns[:bbapi.MaxAnnotationsPerReport]
	}
	report := &bbapi.Report{
		Title: "bitreview", Reporter: "bitreview", ReportType: "BUG", Result: "PENDING",
		Details: capRunes(ri.Reviewed+" Review in progress.", maxReportDetails),
	}
	final := *report
	final.Result = out.Result
	final.Details = capRunes(reportDetails(ri, out.Overflow), maxReportDetails)
	final.Data = reportData(ri.Findings)
	return out, in.send(ctx, ri.Commit, reportID, report, &final, anns, out)
}

// send replaces the report id on commit: it deletes the earlier one (a
// 404 means there was none), creates pending, posts anns in batches of at
// most 100 and puts final last. A dry run prints what it would send.
func (in *Insights) send(ctx context.Context, commit, id string, pending, final *bbapi.Report, anns []bbapi.Annotation, out *InsightsOutcome) error {
	if in.dryRun != nil {
		out.Annotations, out.Placed = len(anns), placed(anns)
		out.Requests = (len(anns) + bbapi.MaxAnnotationsPerRequest - 1) / bbapi.MaxAnnotationsPerRequest
		fmt.Fprintf(in.dryRun, "--- would publish Code Insights report %q on %s: %s, %d annotation(s) in %d request(s) ---\n%s\n",
			id, short(commit), out.Result, len(anns), out.Requests, final.Details)
		return nil
	}
	if _, err := in.api.DeleteReport(ctx, in.ws, in.repo, commit, id); err != nil && !isNotFound(err) {
		return fmt.Errorf("replace the report: %w", err)
	}
	if _, _, err := in.api.PutReport(ctx, in.ws, in.repo, commit, id, pending); err != nil {
		return fmt.Errorf("create the report: %w", err)
	}
	for i := 0; i < len(anns); i += bbapi.MaxAnnotationsPerRequest {
		batch := anns[i:min(i+bbapi.MaxAnnotationsPerRequest, len(anns))]
		if err := in.postBatch(ctx, commit, id, batch); err != nil {
			return fmt.Errorf("annotations %d-%d: %w", i+1, i+len(batch), err)
		}
		out.Requests++
		out.Annotations += len(batch)
		out.Placed += placed(batch)
	}
	if _, _, err := in.api.PutReport(ctx, in.ws, in.repo, commit, id, final); err != nil {
		return fmt.Errorf("set the result: %w", err)
	}
	return nil
}

// isNotFound reports a 404: a path, a comment or a report that is not
// there (for the DELETE of the report, the first run on a commit).
func isNotFound(err error) bool {
	var er *bbapi.ErrorResponse
	return errors.As(err, &er) && er.StatusCode == http.StatusNotFound
}

// postBatch posts one batch; a batch whose answer was lost is sent once
// more, which is safe because annotations are upserted by external_id.
func (in *Insights) postBatch(ctx context.Context, commit, id string, batch []bbapi.Annotation) error {
	_, err := in.api.PostAnnotations(ctx, in.ws, in.repo, commit, id, batch)
	if err == nil || isRejectedAnchor(err) || ctx.Err() != nil {
		return err
	}
	_, err = in.api.PostAnnotations(ctx, in.ws, in.repo, commit, id, batch)
	return err
}

// annotations maps findings to annotations, worst first, each with a
// unique external_id (the fingerprint when there is one).
func annotations(fs []review.Finding, d *diffparse.Diff) []bbapi.Annotation {
	sorted := append([]review.Finding(nil), fs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Severity > sorted[j].Severity })
	seen := map[string]bool{}
	out := make([]bbapi.Annotation, 0, len(sorted))
	for _, f := range sorted {
		id := f.Fingerprint
		if id == "" {
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d\x00%s", f.Path, f.Side, f.Line, f.Title)))
			id = hex.EncodeToString(sum[:8])
		}
		base := id
		for n := 2; seen[id]; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		seen[id] = true
		a := bbapi.Annotation{
			ExternalID:     "bitreview-" + id,
			AnnotationType: annotationType(f.Category),
			Summary:        capRunes(oneLine(review.Sanitize(f.Title)), maxAnnotationSummary),
			Details:        capRunes(review.Sanitize(f.Body), maxAnnotationDetails),
			Severity:       annotationSeverity(f.Severity),
			Result:         "FAILED",
		}
		if strings.TrimSpace(a.Summary) == "" {
			a.Summary = "bitreview finding"
		}
		a.Path, a.Line = annotationPlace(f, d)
		out = append(out, a)
	}
	return out
}

// annotationPlace is where an annotation goes: a file of the diff, as
// inline comments resolve it, or the report's overview ("", 0) for a
// finding whose path is not one, such as "../../etc/passwd". Annotations
// sit on the commit's files, where only new-side lines exist: a removed
// line's finding, or one on a line outside the diff, goes at the top of
// its file.
func annotationPlace(f review.Finding, d *diffparse.Diff) (string, int) {
	if d == nil {
		return "", 0
	}
	path, ok := review.DiffPath(d, f.Path)
	if !ok {
		return "", 0
	}
	if f.Side != diffparse.Old && f.Line > 0 && d.Commentable(path, diffparse.New, f.Line) {
		return path, f.Line
	}
	return path, 0
}

// annotationType: security → VULNERABILITY, bug → BUG, anything else → CODE_SMELL.
func annotationType(category string) string {
	switch strings.ToLower(category) {
	case "security":
		return "VULNERABILITY"
	case "bug":
		return "BUG"
	}
	return "CODE_SMELL"
}

// annotationSeverity: critical/high/medium/low map one to one; info → LOW.
func annotationSeverity(s review.Severity) string {
	switch s {
	case review.Critical:
		return "CRITICAL"
	case review.High:
		return "HIGH"
	case review.Medium:
		return "MEDIUM"
	}
	return "LOW"
}

// reportResult is FAILED when the step fails, PENDING (no verdict) when
// the review is incomplete, and PASSED only for a complete review.
func reportResult(ri ReportInput) string {
	switch {
	case ri.Failed:
		return "FAILED"
	case ri.Incomplete != "":
		return "PENDING"
	}
	return "PASSED"
}

// reportDetails is the report's text (review.Report.Details) and, when
// more findings than a report holds were found, how many are missing.
func reportDetails(ri ReportInput, overflow int) string {
	s := ri.Details()
	if overflow > 0 {
		s += fmt.Sprintf(" %d more finding(s) are not annotated: a report holds at most %d; see the pull request's summary comment.", overflow, bbapi.MaxAnnotationsPerReport)
	}
	return strings.TrimSpace(s)
}

// placed counts the annotations on a file.
func placed(anns []bbapi.Annotation) int {
	n := 0
	for _, a := range anns {
		if a.Path != "" {
			n++
		}
	}
	return n
}

func reportData(fs []review.Finding) []bbapi.ReportData {
	counts := map[review.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	data := []bbapi.ReportData{{Title: "Findings", Type: "NUMBER", Value: len(fs)}}
	for s := review.Critical; s >= review.Low; s-- {
		data = append(data, bbapi.ReportData{Title: capitalise(s.String()), Type: "NUMBER", Value: counts[s]})
	}
	return data
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func capRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// ReportNotConfigured is all a run without a Bitbucket token can do inside
// Pipelines: it cannot read the pull request or comment on it, so instead
// of a review it publishes a FAILED report on the pipeline's commit,
// through the auth proxy (api), naming the problems (variables, never their
// values), so that they show on the pull request and not only in the step
// log.
func ReportNotConfigured(ctx context.Context, api InsightsAPI, workspace, repo, commit string, problems []string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err := NewInsights(api, workspace, repo, nil).Publish(ctx, review.Report{
		Commit: commit, Failed: true, NoVerdict: true,
		Reviewed: "bitreview is not configured, so nothing was reviewed: " + strings.Join(problems, "; ") +
			". The Pipelines auth proxy only covers Code Insights reports; reading the pull request and commenting need a token.",
	})
	return err
}
