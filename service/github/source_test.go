package github

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

func TestDiffTooLargeIsRebuiltFromPagedFiles(t *testing.T) {
	t.Parallel()
	s, api, want := newFake(t)
	_, _, fromFiles, err := fetchDiff(t.Context(), api, testPR, 0)
	require.NoError(t, err)
	assert.False(t, fromFiles)

	s.SetDiffLimit(1)
	got, _, fromFiles, err := fetchDiff(t.Context(), api, testPR, 0)
	require.NoError(t, err)
	assert.True(t, fromFiles)
	require.Equal(t, want.Paths(), got.Paths())
	for _, p := range want.Paths() {
		assert.Equal(t, want.File(p).Status, got.File(p).Status, p)
		for _, l := range []int{1, 3, 7, 10} {
			assert.Equal(t, want.Commentable(p, diffparse.New, l), got.Commentable(p, diffparse.New, l), "%s:%d", p, l)
		}
	}
}

func TestRateLimitOnDiff(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	s.Fail("GET", "/pulls/7", http.StatusForbidden, 1)
	_, _, _, err := fetchDiff(t.Context(), api, testPR, 0)
	require.Error(t, err)
	assert.Contains(t, hint(err), "rate limit")
}

func TestPlanAndIncrement(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	const older = "1111111111111111111111111111111111111111"
	assert.Contains(t, planReview(t.Context(), api.Repos, testPR, older, head).FallbackReason, "no longer known")
	s.SetCompare(older, head, "diff --git a/app/math.go b/app/math.go\n--- a/app/math.go\n+++ b/app/math.go\n@@ -3 +3 @@\n-x\n+func Add(a, b int) int { return a - b }\n"+
		"diff --git a/vendor/x.go b/vendor/x.go\n--- a/vendor/x.go\n+++ b/vendor/x.go\n@@ -1 +1 @@\n-a\n+b\n")
	plan := planReview(t.Context(), api.Repos, testPR, older, head)
	require.True(t, plan.Incremental, plan.FallbackReason)
	inc, err := fetchIncrement(t.Context(), api.Raw, testPR, plan.From, head, d, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"app/math.go"}, inc.Paths(), "files outside the pull request are dropped")
	assert.Nil(t, inc.File("vendor/x.go"), "and cannot be looked up")
	_, err = fetchIncrement(t.Context(), api.Raw, testPR, plan.From, head, d, 50)
	require.ErrorIs(t, err, diffparse.ErrTruncated)
}

func TestFilesReadsContentsAtCommit(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	s.SetFile(base, ".bitreview.yaml", "reviews:\n  profile: assertive\n")
	f := newContentFiles(api.Repos, testPR, base)
	data, err := f.ReadFile(t.Context(), ".bitreview.yaml")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "reviews:"))
	_, err = newContentFiles(api.Repos, testPR, head).ReadFile(t.Context(), ".bitreview.yaml")
	assert.ErrorContains(t, err, "file does not exist")
}

// GitHub's contents endpoint follows a symlink whose target is a file of
// the repository and answers with that file; a symlink to anything else
// comes back as type "symlink" with its target. Neither is followed.
func TestFilesNeverFollowSymlinks(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	s.SetFile(base, "docs/real.md", "REAL-FILE-TEXT\n")
	s.SetSymlink(base, "docs/guide.md", "real.md")
	s.SetSymlink(base, "leak.go", "/etc/passwd")
	s.SetSubmodule(base, "vendor/lib")
	f := newContentFiles(api.Repos, testPR, base)
	for _, tc := range []struct {
		path, kind, context string
	}{
		{path: "docs/guide.md", kind: "a symlink"},
		{path: "leak.go", kind: "a symlink", context: "/etc/passwd"},
		{path: "vendor/lib", kind: "a submodule"},
		{path: "docs", kind: "a directory"},
	} {
		_, err := f.ReadRegularFile(t.Context(), tc.path)
		var nr *NotRegularError
		require.ErrorAs(t, err, &nr, tc.path)
		assert.Equal(t, tc.kind, nr.Kind, tc.path)

		data, err := f.ReadFile(t.Context(), tc.path)
		if tc.context != "" {
			require.NoError(t, err)
			assert.Equal(t, tc.context, string(data), "a symlink's context is its target text")
			continue
		}
		require.ErrorAs(t, err, &nr, tc.path)
		assert.NotContains(t, string(data), "REAL-FILE-TEXT")
	}
	data, err := f.ReadRegularFile(t.Context(), "docs/real.md")
	require.NoError(t, err)
	assert.Equal(t, "REAL-FILE-TEXT\n", string(data))
}

// A check run takes 50 annotations a request: the first batch with the
// run, the rest by updating it. Without a diff, any new-side line is a
// place; an old-side finding has none.
func TestCheckRunBatchesAnnotations(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	var fs []review.Finding
	for i := range 120 {
		fs = append(fs, review.Finding{Path: "app/math.go", Line: i + 1, Severity: review.Medium, Title: "t", Body: "b"})
	}
	fs = append(fs, review.Finding{Path: "app/server.go", Side: diffparse.Old, Line: 10, Title: "old side", Body: "b"})
	out, err := NewPlatform(api, testPR, PlatformOptions{CheckRun: true}).Report(t.Context(), review.Report{Commit: head, Findings: fs, Failed: true})
	require.NoError(t, err)
	assert.Equal(t, 3, out.Requests)
	assert.Equal(t, 120, out.Placed)
	runs := s.CheckRuns()
	require.Len(t, runs, 1)
	assert.Len(t, runs[0].Annotations, 120)
	assert.Equal(t, "failure", runs[0].Conclusion)
}

func TestFetchDiffCapped(t *testing.T) {
	t.Parallel()
	for name, diffLimit := range map[string]int{"diff media type": 0, "files endpoint": 1} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, api, want := newFake(t)
			if diffLimit > 0 {
				s.SetDiffLimit(diffLimit)
			}
			// app/math.go is the first file, about 200 bytes long.
			d, read, _, err := fetchDiff(t.Context(), api, testPR, 300)
			require.NoError(t, err)
			assert.True(t, read.Cut)
			assert.Equal(t, "app/math.go", read.LastRead)
			require.Equal(t, want.Paths(), d.Paths(), "the files after the cut are still part of the diff")
			assert.False(t, d.File("app/math.go").NotRead)
			assert.True(t, d.File("app/server.go").NotRead)
			assert.Empty(t, d.File("app/server.go").Hunks)
			assert.Equal(t, diffparse.StatusDeleted, d.File("notes.txt").Status)
		})
	}
}

func TestFetchDiffCappedListingFails(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	s.Fail("GET", "/pulls/7/files", http.StatusInternalServerError, 10)
	d, read, _, err := fetchDiff(t.Context(), api, testPR, 300)
	require.NoError(t, err)
	assert.True(t, read.Cut)
	require.Error(t, read.ListErr)
	assert.Equal(t, []string{"app/math.go"}, d.Paths())
}
