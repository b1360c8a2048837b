package bitbucket

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Report is the Code Insights report: off when the option says so; a
// finding is placed on a file only where the diff has it (a model's
// "../../etc/passwd" never becomes an annotation path); an incomplete
// review never passes; a report that was not there (the DELETE's 404) is
// no error.
func TestPlatformReport(t *testing.T) {
	t.Parallel()
	var many []review.Finding
	for i := range bbapi.MaxAnnotationsPerReport + 1 {
		many = append(many, review.Finding{Path: "a.go", Side: diffparse.New, Line: 3, Severity: review.Low, Title: fmt.Sprint("finding ", i), Fingerprint: fmt.Sprintf("%016x", i)})
	}
	for _, tc := range []struct {
		name    string
		off     bool
		r       review.Report
		want    review.ReportOutcome
		paths   []string
		details []string
	}{
		{name: "reports off", off: true},
		{name: "no findings", r: review.Report{Reviewed: "Full review of a..b."},
			want: review.ReportOutcome{Result: "PASSED"}, details: []string{"Full review of a..b. No findings."}},
		{name: "findings, placed on the diff's files only", r: review.Report{Findings: placement(), Reviewed: "Full review."},
			want: review.ReportOutcome{Result: "PASSED", Placed: 3, Requests: 1}, paths: []string{"a.go", "a.go", "a.go"},
			details: []string{"4 finding(s), the worst high."}},
		{name: "step fails", r: review.Report{Findings: placement()[:1], Failed: true},
			want: review.ReportOutcome{Result: "FAILED", Placed: 1, Requests: 1}, paths: []string{"a.go"}},
		{name: "incomplete", r: review.Report{Incomplete: "1 of 3 batch(es) failed"},
			want: review.ReportOutcome{Result: "PENDING"}, details: []string{"Review incomplete: 1 of 3 batch(es) failed. No findings in what was reviewed."}},
		{name: "over the report's limit", r: review.Report{Findings: many},
			want:    review.ReportOutcome{Result: "PASSED", Placed: bbapi.MaxAnnotationsPerReport, Overflow: 1, Requests: 10},
			details: []string{"1 more finding(s) are not annotated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tc.r.Commit, tc.r.Diff = head1, e.diff
			out, err := NewPlatform(e.client, e.pr, PlatformOptions{CodeInsights: !tc.off}).Report(t.Context(), tc.r)
			require.NoError(t, err)
			reports := e.bb.Reports(ws, slug, head1)
			if tc.off {
				assert.Nil(t, out)
				assert.Empty(t, reports)
				return
			}
			tc.want.Kind, tc.want.Name = "Code Insights report", reportID
			assert.Equal(t, &tc.want, out)
			require.Len(t, reports, 1)
			assert.Equal(t, tc.want.Result, reports[0].Result)
			for _, s := range tc.details {
				assert.Contains(t, reports[0].Details, s)
			}
			var paths []string
			for _, a := range e.bb.Annotations(ws, slug, head1, reportID) {
				if a.Path != "" {
					paths = append(paths, a.Path)
				}
			}
			if tc.paths != nil {
				assert.Equal(t, tc.paths, paths)
			}
		})
	}
}

// placement is a finding on a line of the diff, one outside the
// repository, one on a removed line and one off the diff's hunks.
func placement() []review.Finding {
	return []review.Finding{
		{Path: "a.go", Side: diffparse.New, Line: 3, Severity: review.High, Title: "on a line", Body: "b"},
		{Path: "../../etc/passwd", Side: diffparse.New, Line: 1, Severity: review.Low, Title: "not a file of the diff", Body: "b"},
		{Path: "a.go", Side: diffparse.Old, Line: 3, Severity: review.Medium, Title: "removed line", Body: "b"},
		{Path: "a.go", Side: diffparse.New, Line: 40, Severity: review.Low, Title: "far away", Body: "b"},
	}
}

// A report without a commit goes on the pull request's head, read when
// the flow has not; inside Pipelines it goes through the client the
// options name (the auth proxy), not the API client.
func TestPlatformReportOnTheHeadThroughTheInsightsClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	proxy := e.bb.AddUser(bbtest.NewUser("proxy"))
	pc, err := bbapi.NewClient(e.bb.URL, bbapi.WithAccessToken(proxy.AccessToken), bbapi.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	p := NewPlatform(e.client, e.pr, PlatformOptions{CodeInsights: true, Insights: pc, PipelineCommit: head1})
	out, err := p.Report(t.Context(), review.Report{Reviewed: "Full review."})
	require.NoError(t, err)
	assert.Equal(t, "PASSED", out.Result)
	_, ok := e.bb.Report(ws, slug, head1, reportID)
	assert.True(t, ok, "on the pipeline's full head commit")
	var deletes []int
	for _, r := range e.bb.Requests() {
		if strings.Contains(r.Path, "/reports/") {
			assert.Equal(t, "Bearer proxy", r.Auth, "%s %s", r.Method, r.Path)
		}
		if r.Method == "DELETE" {
			deletes = append(deletes, r.Status)
		}
	}
	assert.Equal(t, []int{404}, deletes, "no earlier report to delete: not an error")
}

// A report that cannot be published is an error the flow logs as a
// warning.
func TestPlatformReportRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.bb.Fault(bbtest.Fault{Method: "PUT", PathContains: "/reports/", Status: 403, Times: -1})
	_, err := NewPlatform(e.client, e.pr, PlatformOptions{CodeInsights: true}).Report(t.Context(), review.Report{Commit: head1, Diff: e.diff})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "create the report")
}
