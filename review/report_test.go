package review_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Issue 16.2: the report for reading outside a pull request is the
// summary comment without its hidden markers, and a finding the comment
// without its fingerprint.
func TestRenderReportHasNoMarkers(t *testing.T) {
	f := review.Finding{Path: "a.go", Side: diffparse.New, Line: 3, Severity: review.High, Title: "Off by one", Body: "Use <=.", Fingerprint: "0123456789abcdef"}
	res := &review.Result{Summary: "Adds a loop.", Findings: []review.Finding{f}}
	info := review.SummaryInfo{Version: "v1", Range: "main..HEAD"}
	st := review.State{HeadCommit: "abc"}

	report := review.RenderReport(res, info)
	assert.NotContains(t, report, "[//]: #")
	assert.False(t, review.IsSummary(report))
	summary := review.RenderSummary(res, info, st)
	assert.True(t, strings.HasPrefix(summary, report), "same text, markers after it")
	assert.True(t, review.IsSummary(summary))

	body := review.RenderFinding(f)
	assert.NotContains(t, body, "[//]: #")
	_, ok := review.FingerprintOf(body)
	assert.False(t, ok)
	assert.True(t, strings.HasPrefix(review.RenderComment(f), body))
}
