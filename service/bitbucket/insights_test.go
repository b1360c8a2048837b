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
	anns := e.bb.Annotations(ws, slug, head1, ReportID)
	assert.Len(t, anns, 1000, "a re-run replaces the annotations")
	r, ok := e.bb.Report(ws, slug, head1, ReportID)
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
		a := annotations([]review.Finding{{Path: "x", Line: 1, Severity: tc.sev, Category: tc.cat, Title: "t"}})[0]
		assert.Equal(t, tc.wantSev, a.Severity)
		assert.Equal(t, tc.wantType, a.AnnotationType)
	}
}

func TestReportOnTheFullCommit(t *testing.T) {
	assert.Equal(t, head1, HeadCommit(head1, head1[:12]))
	assert.Equal(t, head2[:12], HeadCommit(head1, head2[:12]), "a pipeline commit that is not the PR's head is not used")
	assert.Equal(t, head2[:12], HeadCommit("", head2[:12]))
	_ = bbtest.MaxAnnotationsPerReport
}

// TestInsightsOnACommitWithoutReport: the first run on a commit deletes a
// report that is not there; Bitbucket answers 404, which means there is
// nothing to delete, and the report is created.
func TestInsightsOnACommitWithoutReport(t *testing.T) {
	e := newEnv(t)
	_, ok := e.bb.Report(ws, slug, head1, ReportID)
	require.False(t, ok, "no report yet")
	f := finding(e.diff, 3, review.High, "A returns a constant")
	out, err := NewInsights(e.client, ws, slug, nil).Publish(t.Context(), ReportInput{Commit: head1, Findings: []review.Finding{f}, Reviewed: "Full review."})
	require.NoError(t, err)
	assert.Equal(t, 1, out.Annotations)
	r, ok := e.bb.Report(ws, slug, head1, ReportID)
	require.True(t, ok, "the report is created")
	assert.Equal(t, "PASSED", r.Result)
	assert.Len(t, e.bb.Annotations(ws, slug, head1, ReportID), 1)
	deletes := 0
	for _, req := range e.bb.Requests() {
		if req.Method == "DELETE" && strings.Contains(req.Path, "/reports/") {
			deletes++
			assert.Equal(t, 404, req.Status, "the fake answers 404 for the missing report")
		}
	}
	assert.Equal(t, 1, deletes)
}
