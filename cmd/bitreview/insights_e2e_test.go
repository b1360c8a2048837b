package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 15 item 12: the pipe deletes the commit's report before creating
// it again. On a commit that never had one, Bitbucket answers that DELETE
// 404, which means there is nothing to delete: the report is created.
func TestInsightsReportOnACommitWithoutOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
	require.False(t, ok, "the commit has no report")
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
	require.Equal(t, 0, code, out)
	assert.NotContains(t, out, "Code Insights report not published")
	r, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
	require.True(t, ok, "the report is created:\n%s", out)
	assert.Equal(t, "PASSED", r.Result)
	assert.NotEmpty(t, f.bb.Annotations(ws, slug, srcSHA, "bitreview"))
	missing := 0
	for _, req := range f.bb.Requests() {
		if req.Method == "DELETE" && strings.Contains(req.Path, "/reports/") && req.Status == 404 {
			missing++
		}
	}
	assert.Equal(t, 1, missing, "the DELETE found no report")
}
