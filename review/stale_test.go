package review

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

// staleDiffs are a pull request's diff (a.go, b.go) and an increment
// that rewrites a.go's line 2 and leaves line 3 alone.
func staleDiffs(t *testing.T) (pr, inc *diffparse.Diff) {
	t.Helper()
	pr, err := diffparse.Parse([]byte("diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1,3 +1,3 @@\n x\n-old\n+new\n z\n" +
		"diff --git a/b.go b/b.go\n--- a/b.go\n+++ b/b.go\n@@ -1 +1 @@\n-b\n+c\n"))
	require.NoError(t, err)
	inc, err = diffparse.Parse([]byte("diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1,3 +1,3 @@\n x\n-wrong line\n+right line\n z\n"))
	require.NoError(t, err)
	return pr, inc
}

// An earlier inline comment that this run did not produce again is stale
// when its file left the pull request, or a complete review looked at it
// again: the whole file (full review) or its very line (incremental).
func TestScopeStale(t *testing.T) {
	t.Parallel()
	pr, inc := staleDiffs(t)
	posted := func(path string, side diffparse.Side, code string) (string, string) {
		f := Finding{Path: path, Side: side, Line: 2, Severity: High, Title: "Wrong line"}
		f.Fingerprint = Fingerprint(f, code)
		return RenderComment(f), f.Fingerprint
	}
	onRewritten, fpRewritten := posted("a.go", diffparse.New, "wrong line")
	onKept, fpKept := posted("a.go", diffparse.New, "z")
	onOld, fpOld := posted("a.go", diffparse.Old, "wrong line")
	full := Scope{PRDiff: pr, Reviewed: pr, Complete: true}
	incremental := Scope{PRDiff: pr, Reviewed: inc, Incremental: true, Complete: true}
	for _, tc := range []struct {
		name       string
		scope      Scope
		path, body string
		side       diffparse.Side
		fp         string
		want       bool
	}{
		{name: "file left the pull request", scope: Scope{PRDiff: pr}, path: "gone.go", body: onKept, fp: fpKept, want: true},
		{name: "incomplete review", scope: Scope{PRDiff: pr, Reviewed: pr}, path: "a.go", body: onKept, fp: fpKept},
		{name: "full review looked again", scope: full, path: "a.go", body: onKept, fp: fpKept, want: true},
		{name: "file skipped", scope: Scope{PRDiff: pr, Reviewed: pr, Complete: true, Skipped: []Skipped{{Path: "a.go"}}}, path: "a.go", body: onKept, fp: fpKept},
		{name: "file not reviewed", scope: incremental, path: "b.go", body: onKept, fp: fpKept},
		{name: "increment rewrote its line", scope: incremental, path: "a.go", body: onRewritten, fp: fpRewritten, want: true},
		{name: "increment left its line", scope: incremental, path: "a.go", body: onKept, fp: fpKept},
		{name: "old side, incremental", scope: incremental, path: "a.go", side: diffparse.Old, body: onOld, fp: fpOld},
		{name: "not a comment of ours", scope: incremental, path: "a.go", body: "hello", fp: fpRewritten},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			side := tc.side
			if side == "" {
				side = diffparse.New
			}
			assert.Equal(t, tc.want, tc.scope.Stale(tc.path, side, tc.body, tc.fp))
		})
	}
}
