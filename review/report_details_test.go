package review

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitreview/bitreview/diffparse"
)

// A report's text says what was reviewed and is honest about a review that
// did not happen or happened in part (issue 15 item 10), on every host.
func TestReportDetails(t *testing.T) {
	t.Parallel()
	f := Finding{Path: "a.go", Side: diffparse.New, Line: 3, Severity: Medium, Title: "t"}
	for _, tc := range []struct {
		name string
		r    Report
		want string
	}{
		{name: "complete, no findings", r: Report{Reviewed: "Full review of a..b."}, want: "Full review of a..b. No findings."},
		{name: "complete, a finding", r: Report{Reviewed: "Full review of a..b.", Findings: []Finding{f}},
			want: "Full review of a..b. 1 finding(s), the worst medium."},
		{name: "the model never answered", r: Report{Reviewed: "Full review of a..b.", NoVerdict: true, Incomplete: "the model did not answer; nothing was reviewed"},
			want: "Full review of a..b. Review incomplete: the model did not answer; nothing was reviewed."},
		{name: "partial", r: Report{Reviewed: "Full review of a..b.", Incomplete: "1 of 3 batch(es) failed."},
			want: "Full review of a..b. Review incomplete: 1 of 3 batch(es) failed. No findings in what was reviewed."},
		{name: "nothing to review", r: Report{Reviewed: "Full review of a..b.", NothingToReview: "the diff has no files"},
			want: "Full review of a..b. Nothing to review: the diff has no files."},
		{name: "no range", r: Report{}, want: "No findings."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.r.Details())
		})
	}
}
