package lint

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// placeDiff changes a.go: line 2 is context, line 3 added, line 20 is
// outside the hunk; gone.go is deleted.
const placeDiff = `diff --git a/a.go b/a.go
index 1111111..2222222 100644
--- a/a.go
+++ b/a.go
@@ -1,3 +1,4 @@
 package a
 
+var x = 1
 func f() {}
diff --git a/gone.go b/gone.go
deleted file mode 100644
index 3333333..0000000
--- a/gone.go
+++ /dev/null
@@ -1 +0,0 @@
-package a
`

func TestPlaceByFilter(t *testing.T) {
	t.Parallel()
	d, err := diffparse.Parse([]byte(placeDiff))
	require.NoError(t, err)
	rs := newReports()
	rs.Tools = []string{"t"}
	rs.Outside["t"] = 2
	rs.Cut["t"] = 1
	for _, r := range []Result{
		{Rule: "ADD", Path: "a.go", Line: 3},
		{Rule: "CTX", Path: "a.go", Line: 2},
		{Rule: "OFF", Path: "a.go", Line: 20},
		{Rule: "OTHER", Path: "b.go", Line: 1},
		{Rule: "GONE", Path: "gone.go", Line: 1},
		{Rule: "REPO", Path: ""},
		{Rule: "ADD", Path: "a.go", Line: 3}, // twice: one finding
	} {
		r.Tool, r.Severity, r.Message = "t", review.Medium, "m "+r.Rule
		rs.Results = append(rs.Results, r)
	}
	rules := func(fs []review.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Rule)
		}
		return out
	}
	for _, tc := range []struct {
		filter          Filter
		inline, listed  []string
		onDiff, offDiff int
	}{
		{Added, []string{"ADD"}, nil, 1, 5},
		{DiffContext, []string{"ADD", "CTX"}, nil, 2, 4},
		{File, []string{"ADD", "CTX"}, []string{"OFF"}, 2, 4},
		{NoFilter, []string{"ADD", "CTX"}, []string{"GONE", "OFF", "REPO", "OTHER"}, 2, 4},
	} {
		t.Run(string(tc.filter), func(t *testing.T) {
			pl := rs.Place(d, tc.filter)
			assert.Equal(t, tc.inline, rules(pl.Inline))
			assert.ElementsMatch(t, tc.listed, rules(pl.Listed))
			require.Len(t, pl.Static.Tools, 1)
			tr := pl.Static.Tools[0]
			assert.Equal(t, tc.onDiff, tr.OnDiff)
			assert.Equal(t, tc.offDiff, tr.OffDiff)
			assert.Equal(t, 1, tr.Cut)
			assert.Len(t, tr.Findings, len(tc.inline)+len(tc.listed), "the tool's report annotates what the filter keeps")
			assert.Equal(t, 2, pl.Static.Outside)
			assert.Equal(t, string(tc.filter), pl.Static.Filter)
			for _, f := range pl.Inline {
				assert.NotEmpty(t, f.Fingerprint)
				assert.Equal(t, diffparse.New, f.Side)
				assert.Equal(t, "t", f.Tool)
				assert.Equal(t, f.Rule+": m "+f.Rule, f.Title)
			}
		})
	}
}

// The help link is shown only on an allowed host.
func TestFindingHelpLink(t *testing.T) {
	t.Parallel()
	d, err := diffparse.Parse([]byte(placeDiff))
	require.NoError(t, err)
	allowed := finding(Result{Tool: "staticcheck", Rule: "S1", Message: "first\nsecond", Path: "a.go", Line: 3, Help: "https://staticcheck.dev/docs/checks#S1"}, d, true)
	assert.Equal(t, "S1: first", allowed.Title)
	assert.Equal(t, "second\n\n_Reported by staticcheck (rule S1, [documentation](https://staticcheck.dev/docs/checks#S1))._", allowed.Body)
	other := finding(Result{Tool: "x", Rule: "S1", Message: "m", Path: "a.go", Line: 3, Help: "https://evil.example/x"}, d, true)
	assert.NotContains(t, other.Body, "evil")
}

// Over MaxToolFindings, a tool's findings are cut, worst first kept, and
// only maxListedPerTool are listed in the summary.
func TestPlaceCaps(t *testing.T) {
	t.Parallel()
	d, err := diffparse.Parse([]byte(placeDiff))
	require.NoError(t, err)
	rs := newReports()
	rs.Tools = []string{"t"}
	for i := range review.MaxToolFindings + 5 {
		sev := review.Low
		if i == review.MaxToolFindings+4 {
			sev = review.Critical
		}
		rs.Results = append(rs.Results, Result{Tool: "t", Rule: "R", Severity: sev, Message: fmt.Sprint(i), Path: "b.go", Line: i + 1})
	}
	pl := rs.Place(d, NoFilter)
	tr := pl.Static.Tools[0]
	assert.Len(t, tr.Findings, review.MaxToolFindings)
	assert.Equal(t, 5, tr.Cut)
	assert.Equal(t, review.Critical, tr.Findings[0].Severity, "the worst is kept")
	assert.Len(t, pl.Listed, maxListedPerTool)
	assert.Equal(t, review.Critical, pl.Listed[0].Severity)
	assert.Contains(t, pl.Static.Warnings[0], "more finding(s) of t off the diff are not listed here")
}
