package github

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Report is the check run: off when the option says so; a finding is
// annotated only where the diff can take a comment on the head commit's
// side (a model's "../../etc/passwd" never becomes an annotation path);
// an incomplete review never passes.
func TestPlatformReport(t *testing.T) {
	t.Parallel()
	onLine := finding(3, "wrong sign")
	outside := review.Finding{Path: "../../etc/passwd", Side: diffparse.New, Line: 1, Severity: review.Low, Title: "not a file of the diff", Body: "b"}
	oldSide := review.Finding{Path: "app/server.go", Side: diffparse.Old, Line: 3, Severity: review.Medium, Title: "removed line", Body: "b"}
	offDiff := review.Finding{Path: "app/server.go", Side: diffparse.New, Line: 40, Severity: review.Low, Title: "far away", Body: "b"}
	for _, tc := range []struct {
		name       string
		off        bool
		r          review.Report
		conclusion string
		placed     []string
		summary    []string
	}{
		{name: "check runs off", off: true, r: review.Report{Findings: []review.Finding{onLine}}},
		{name: "no findings", r: review.Report{Reviewed: "Full review of a..b."}, conclusion: "success", summary: []string{"Full review of a..b. No findings."}},
		{name: "findings, placed where they can be", r: review.Report{Findings: []review.Finding{onLine, outside, oldSide, offDiff}},
			conclusion: "neutral", placed: []string{"app/math.go"},
			summary: []string{"4 finding(s), the worst high.", "3 finding(s) are not on a line of the diff"}},
		{name: "step fails", r: review.Report{Findings: []review.Finding{onLine}, Failed: true}, conclusion: "failure", placed: []string{"app/math.go"}},
		{name: "incomplete", r: review.Report{Incomplete: "1 of 3 batch(es) failed"}, conclusion: "neutral",
			summary: []string{"Review incomplete: 1 of 3 batch(es) failed. No findings in what was reviewed."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, api, d := newFake(t)
			tc.r.Commit, tc.r.Diff = head, d
			out, err := NewPlatform(api, testPR, PlatformOptions{CheckRun: !tc.off}).Report(t.Context(), tc.r)
			require.NoError(t, err)
			runs := s.CheckRuns()
			if tc.off {
				assert.Nil(t, out)
				assert.Empty(t, runs)
				return
			}
			require.Len(t, runs, 1)
			run := runs[0]
			assert.Equal(t, checkName, run.Name)
			assert.Equal(t, head, run.HeadSHA)
			assert.Equal(t, tc.conclusion, run.Conclusion)
			assert.Equal(t, &review.ReportOutcome{Kind: "Check run", Name: checkName, Result: tc.conclusion, Placed: len(tc.placed), Requests: 1}, out)
			var paths []string
			for _, a := range run.Annotations {
				paths = append(paths, a["path"].(string))
			}
			assert.Equal(t, tc.placed, paths)
			for _, want := range tc.summary {
				assert.Contains(t, run.Summary, want)
			}
		})
	}
}

// A check run that cannot be published (no checks: write) is an error the
// flow logs as a warning; the hint names the permission.
func TestPlatformReportRefused(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	s.Fail("POST", "/check-runs", 403, 1)
	_, err := NewPlatform(api, testPR, PlatformOptions{CheckRun: true}).Report(t.Context(), review.Report{Commit: head, Diff: d})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "check run"), err.Error())
}
