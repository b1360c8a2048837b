package bitbucket

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

func TestInsightsBatchesAndCaps(t *testing.T) {
	e := newEnv(t)
	var fs []review.Finding
	cats := []string{"security", "bug", "style"}
	for i := range 1500 {
		fs = append(fs, review.Finding{
			Path: fmt.Sprintf("f%d.go", i%7), Side: diffparse.New, Line: i%50 + 1, Severity: review.Severity(i % 5),
			Category: cats[i%3], Title: fmt.Sprintf("finding %d", i), Fingerprint: fmt.Sprintf("%016x", i),
		})
	}
	fs[0].Title = "   " // an empty summary would be refused
	fs[1].Side = diffparse.Old

	in := NewInsights(e.client, ws, slug, nil)
	for run := range 2 {
		out, err := in.Publish(t.Context(), ReportInput{Commit: head1, Findings: fs, Failed: true, Reviewed: "Full review of 000000000000..111111111111."})
		require.NoError(t, err, "run %d", run)
		assert.Equal(t, 1000, out.Annotations)
		assert.Equal(t, 500, out.Overflow)
		assert.Equal(t, 10, out.Requests)
	}
	anns := e.bb.Annotations(ws, slug, head1, reportID)
	assert.Len(t, anns, 1000, "a re-run replaces the annotations")
	r, ok := e.bb.Report(ws, slug, head1, reportID)
	require.True(t, ok)
	assert.Equal(t, "FAILED", r.Result)
	assert.Contains(t, r.Details, "500 more finding(s) are not annotated")

	sev := map[string]int{}
	for _, a := range anns {
		sev[a.Severity]++
		assert.NotEmpty(t, strings.TrimSpace(a.Summary))
		if a.ExternalID == "bitreview-"+fs[1].Fingerprint {
			assert.Zero(t, a.Line, "a removed line is not a line of the commit")
		}
	}
	assert.Equal(t, 300, sev["CRITICAL"], "the worst findings are kept")
	assert.Equal(t, 300, sev["HIGH"])
	assert.Equal(t, 100, sev["LOW"], "the rest of low, and all info findings, overflow")

	// Order: DELETE, PUT PENDING, POST batches of ≤100, PUT final.
	var seq []string
	for _, req := range e.bb.Requests() {
		if !strings.Contains(req.Path, "/reports/") {
			continue
		}
		step := req.Method
		switch req.Method {
		case "PUT":
			var body map[string]any
			require.NoError(t, json.Unmarshal(req.Body, &body))
			step += " " + body["result"].(string)
		case "POST":
			var body []any
			require.NoError(t, json.Unmarshal(req.Body, &body))
			assert.LessOrEqual(t, len(body), 100)
			step += " batch"
		}
		if len(seq) == 0 || seq[len(seq)-1] != step {
			seq = append(seq, step)
		}
	}
	assert.Equal(t, []string{"DELETE", "PUT PENDING", "POST batch", "PUT FAILED", "DELETE", "PUT PENDING", "POST batch", "PUT FAILED"}, seq)
}

func TestAnnotationMapping(t *testing.T) {
	for _, tc := range []struct {
		sev      review.Severity
		cat      string
		wantSev  string
		wantType string
	}{
		{review.Critical, "security", "CRITICAL", "VULNERABILITY"},
		{review.High, "bug", "HIGH", "BUG"},
		{review.Medium, "performance", "MEDIUM", "CODE_SMELL"},
		{review.Low, "style", "LOW", "CODE_SMELL"},
		{review.Info, "", "LOW", "CODE_SMELL"},
	} {
		a := annotations([]review.Finding{{Path: "x", Line: 1, Severity: tc.sev, Category: tc.cat, Title: "t"}}, nil)[0]
		assert.Equal(t, tc.wantSev, a.Severity)
		assert.Equal(t, tc.wantType, a.AnnotationType)
	}
}

func TestReportOnTheFullCommit(t *testing.T) {
	assert.Equal(t, head1, headCommit(head1, head1[:12]))
	assert.Equal(t, head2[:12], headCommit(head1, head2[:12]), "a pipeline commit that is not the PR's head is not used")
	assert.Equal(t, head2[:12], headCommit("", head2[:12]))
	_ = bbtest.MaxAnnotationsPerReport
}

// TestInsightsOnACommitWithoutReport: the first run on a commit deletes a
// report that is not there; Bitbucket answers 404, which means there is
// nothing to delete, and the report is created.
func TestInsightsOnACommitWithoutReport(t *testing.T) {
	e := newEnv(t)
	_, ok := e.bb.Report(ws, slug, head1, reportID)
	require.False(t, ok, "no report yet")
	f := finding(e.diff, 3, review.High, "A returns a constant")
	out, err := NewInsights(e.client, ws, slug, nil).Publish(t.Context(), ReportInput{Commit: head1, Findings: []review.Finding{f}, Reviewed: "Full review."})
	require.NoError(t, err)
	assert.Equal(t, 1, out.Annotations)
	r, ok := e.bb.Report(ws, slug, head1, reportID)
	require.True(t, ok, "the report is created")
	assert.Equal(t, "PASSED", r.Result)
	assert.Len(t, e.bb.Annotations(ws, slug, head1, reportID), 1)
	deletes := 0
	for _, req := range e.bb.Requests() {
		if req.Method == "DELETE" && strings.Contains(req.Path, "/reports/") {
			deletes++
			assert.Equal(t, 404, req.Status, "the fake answers 404 for the missing report")
		}
	}
	assert.Equal(t, 1, deletes)
}

// TestInsightsAnnotationsOnlyWhereTheDiffIs is issue 15 item 11: an
// annotation carries a path only when the path is a file of the pull
// request's diff, resolved as inline comments resolve it, and a line only
// when that line is in the diff; any other finding is annotated on the
// report's overview, never on a path outside the diff.
func TestInsightsAnnotationsOnlyWhereTheDiffIs(t *testing.T) {
	e := newEnv(t)
	at := func(path string, side diffparse.Side, line int, title string) review.Finding {
		return review.Finding{Path: path, Side: side, Line: line, Severity: review.High, Category: "bug", Title: title}
	}
	fs := []review.Finding{
		finding(e.diff, 3, review.High, "anchored"),
		at("../../etc/passwd", diffparse.New, 1, "traversal"),
		at("/etc/passwd", diffparse.New, 1, "absolute"),
		at("a.go/../../../etc/passwd", diffparse.New, 1, "dotdot inside"),
		at("ghost.go", diffparse.New, 2, "phantom file"),
		at("b/a.go", diffparse.New, 2, "prefixed"),
		at("/a.go", diffparse.New, 4, "leading slash"),
		at("a.go", diffparse.New, 40, "outside the hunks"),
		at("a.go", diffparse.Old, 2, "removed line"),
	}
	out, err := NewInsights(e.client, ws, slug, nil).Publish(t.Context(), ReportInput{Commit: head1, Findings: fs, Diff: e.diff, Reviewed: "Full review."})
	require.NoError(t, err)
	assert.Equal(t, 9, out.Annotations)
	assert.Equal(t, 5, out.Placed, "annotations on a file of the diff")
	got := map[string]string{}
	for _, a := range e.bb.Annotations(ws, slug, head1, reportID) {
		got[a.Summary] = fmt.Sprintf("%s:%d", a.Path, a.Line)
	}
	assert.Equal(t, map[string]string{
		"anchored":          "a.go:3",
		"traversal":         ":0",
		"absolute":          ":0",
		"dotdot inside":     ":0",
		"phantom file":      ":0",
		"prefixed":          "a.go:2",
		"leading slash":     "a.go:4",
		"outside the hunks": "a.go:0",
		"removed line":      "a.go:0",
	}, got, "every finding is annotated, with a path only inside the diff")

	// Without the diff, nothing can be placed: every annotation is on the
	// overview.
	anns := annotations(fs, nil)
	for _, a := range anns {
		assert.Empty(t, a.Path, a.Summary)
		assert.Zero(t, a.Line, a.Summary)
	}
}

// TestInsightsResultIsHonest is issue 15 item 10: a review that did not
// happen, or happened in part, is never PASSED; an empty diff says that
// there was nothing to review.
func TestInsightsResultIsHonest(t *testing.T) {
	f := review.Finding{Path: "a.go", Side: diffparse.New, Line: 3, Severity: review.Medium, Title: "t", Fingerprint: "0000000000000001"}
	tests := []struct {
		name        string
		in          ReportInput
		wantResult  string
		wantDetails []string
		notDetails  []string
	}{
		{
			name:        "complete, no findings",
			in:          ReportInput{Reviewed: "Full review of a..b."},
			wantResult:  "PASSED",
			wantDetails: []string{"Full review of a..b. No findings."},
		},
		{
			name:        "complete, findings below FAIL_ON",
			in:          ReportInput{Reviewed: "Full review of a..b.", Findings: []review.Finding{f}},
			wantResult:  "PASSED",
			wantDetails: []string{"1 finding(s), the worst medium."},
		},
		{
			name: "the model never answered, FAIL_ON_ERROR=false",
			in: ReportInput{Reviewed: "Full review of a..b.", NoVerdict: true,
				Incomplete: "the model did not answer: 500 Internal Server Error; nothing was reviewed"},
			wantResult:  "PENDING",
			wantDetails: []string{"Review incomplete: the model did not answer: 500 Internal Server Error; nothing was reviewed."},
			notDetails:  []string{"No findings", "No issues"},
		},
		{
			name: "the model never answered, FAIL_ON_ERROR=true",
			in: ReportInput{Reviewed: "Full review of a..b.", NoVerdict: true, Failed: true,
				Incomplete: "the model did not answer: timeout; nothing was reviewed"},
			wantResult:  "FAILED",
			wantDetails: []string{"the model did not answer: timeout; nothing was reviewed."},
			notDetails:  []string{"No findings"},
		},
		{
			name:        "partial review",
			in:          ReportInput{Reviewed: "Full review of a..b.", Incomplete: "1 of 3 batch(es) failed"},
			wantResult:  "PENDING",
			wantDetails: []string{"Review incomplete: 1 of 3 batch(es) failed.", "No findings in what was reviewed."},
		},
		{
			name:        "partial review with a finding",
			in:          ReportInput{Reviewed: "Full review of a..b.", Incomplete: "2 file(s) were not reviewed (over a budget; listed in the summary)", Findings: []review.Finding{f}},
			wantResult:  "PENDING",
			wantDetails: []string{"2 file(s) were not reviewed", "1 finding(s), the worst medium."},
		},
		{
			name:        "nothing to review",
			in:          ReportInput{Reviewed: "Full review of a..b.", NothingToReview: "the diff has no files"},
			wantResult:  "PASSED",
			wantDetails: []string{"Nothing to review: the diff has no files."},
			notDetails:  []string{"No findings", "No issues"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.in.Commit = head1
			tt.in.Diff = e.diff
			out, err := NewInsights(e.client, ws, slug, nil).Publish(t.Context(), tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.wantResult, out.Result)
			r, ok := e.bb.Report(ws, slug, head1, reportID)
			require.True(t, ok)
			assert.Equal(t, tt.wantResult, r.Result)
			for _, s := range tt.wantDetails {
				assert.Contains(t, r.Details, s)
			}
			for _, s := range tt.notDetails {
				assert.NotContains(t, r.Details, s)
			}
		})
	}
}
