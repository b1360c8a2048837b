package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
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

// Issue 15 item 11: a finding the model placed outside the diff, such as
// ../../etc/passwd:1, is not an inline comment (it is listed in the
// summary), and its annotation carries no path either: annotations follow
// the path rule of inline comments, so every annotated path is a file of
// the diff.
func TestInsightsAnnotationsOnlyOnPathsOfTheDiff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: walkReply}
		}
		return llmtest.Reply{JSON: `{"summary":"x","findings":[
 {"path":"../../etc/passwd","line":1,"severity":"critical","category":"security","title":"Traversal path","body":"x"},
 {"path":"/etc/shadow","line":1,"severity":"high","category":"security","title":"Absolute path","body":"x"},
 {"path":"app/math.go","line":3,"code":"func Add(a, b int) int { return a - b }","severity":"high","category":"bug","title":"Add subtracts","body":"x"}
]}`}
	})
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
	require.Equal(t, 0, code, out)
	_, inline := f.comments()
	require.Len(t, inline, 1)
	diffPaths := map[string]bool{"": true}
	for _, p := range f.diff.Paths() {
		diffPaths[p] = true
	}
	byTitle := map[string]bbtest.Annotation{}
	for _, a := range f.bb.Annotations(ws, slug, srcSHA, "bitreview") {
		assert.True(t, diffPaths[a.Path], "annotation %q at %q, outside the diff", a.Summary, a.Path)
		assert.NotContains(t, a.Path, "..")
		byTitle[a.Summary] = a
	}
	for _, title := range []string{"Traversal path", "Absolute path"} {
		a, ok := byTitle[title]
		require.True(t, ok, "%s is still reported, on the overview", title)
		assert.Empty(t, a.Path)
		assert.Zero(t, a.Line)
	}
	assert.Equal(t, "app/math.go", byTitle["Add subtracts"].Path)
	assert.Equal(t, 3, byTitle["Add subtracts"].Line)
}

// Issue 15 item 10: a pull request with nothing to review (here a single
// binary file) says so in the report, not "No findings".
func TestInsightsNothingToReview(t *testing.T) {
	t.Parallel()
	f := newFixtureWithDiff(t, []byte("diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..1111111\nBinary files /dev/null and b/logo.png differ\n"))
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true"))
	require.Equal(t, 0, code, out)
	assert.Empty(t, f.llm.Calls(), "no model call")
	r, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
	require.True(t, ok, out)
	assert.Equal(t, "PASSED", r.Result, "an empty change passes")
	assert.Contains(t, r.Details, "Nothing to review")
	assert.NotContains(t, r.Details, "No findings")
}

// Issue 15 item 10: a partial review (files left out for a budget) is no
// clean pass either: the report stays pending and says what was left out.
func TestInsightsPartialReviewIsNotPassed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, code := execPipe(t, f.env("FAIL_ON_ERROR=true", "MAX_FILES=1"))
	require.Equal(t, 0, code, out)
	r, ok := f.bb.Report(ws, slug, srcSHA, "bitreview")
	require.True(t, ok, out)
	assert.Equal(t, "PENDING", r.Result)
	assert.Contains(t, r.Details, "Review incomplete")
	assert.Contains(t, r.Details, "file(s) were not reviewed")
}
