package github

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/gittest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/workflow"
)

// The adapter implements the workflow's Platform (and tells how it read a
// diff). The check lives in a test: workflow and the adapters do not
// import each other.
var (
	_ workflow.Platform  = (*Platform)(nil)
	_ workflow.DiffNoter = (*Platform)(nil)
)

func TestPlatformSource(t *testing.T) {
	t.Parallel()
	s, api, want := newFake(t)
	p := NewPlatform(api, testPR, PlatformOptions{})
	assert.Equal(t, "acme/shop pull request #7", p.Describe())
	assert.Empty(t, s.Requests(), "no I/O before the first call")

	meta, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	assert.Equal(t, head, meta.SourceCommit)
	assert.Equal(t, base, meta.TargetCommit)
	assert.Equal(t, head, p.Head(meta))

	for _, tc := range []struct {
		name      string
		diffLimit int
		notes     []string
	}{
		{name: "diff media type"},
		{name: "too large: files endpoint", diffLimit: 1, notes: []string{"GitHub refused the whole diff as too large; it was rebuilt from the files endpoint (files without a patch are listed as skipped)."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, api, _ := newFake(t)
			if tc.diffLimit > 0 {
				s.SetDiffLimit(tc.diffLimit)
			}
			p := NewPlatform(api, testPR, PlatformOptions{})
			d, read, err := p.Diff(t.Context(), 0)
			require.NoError(t, err)
			assert.False(t, read.Cut)
			assert.Equal(t, want.Paths(), d.Paths())
			assert.Equal(t, tc.notes, p.DiffNotes())
		})
	}
}

func TestPlatformIncrement(t *testing.T) {
	t.Parallel()
	const older, unknown = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	inc := "diff --git a/app/math.go b/app/math.go\n--- a/app/math.go\n+++ b/app/math.go\n@@ -3 +3 @@\n-x\n+func Add(a, b int) int { return a - b }\n"
	for _, tc := range []struct {
		name, last string
		maxBytes   int64
		paths      []string
		fallback   string
		err        error
	}{
		{name: "first review", last: ""},
		{name: "force-push", last: unknown, fallback: "no longer known to GitHub"},
		{name: "incremental", last: older, paths: []string{"app/math.go"}},
		{name: "increment over the cap", last: older, maxBytes: 40, err: diffparse.ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, api, d := newFake(t)
			s.SetCompare(older, head, inc)
			got, err := NewPlatform(api, testPR, PlatformOptions{}).Increment(t.Context(), tc.last, head, d, tc.maxBytes)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, got.FallbackReason, tc.fallback)
			if tc.paths == nil {
				assert.Nil(t, got.Diff)
				assert.Empty(t, got.From)
				return
			}
			assert.Equal(t, tc.paths, got.Diff.Paths())
			assert.Equal(t, tc.last, got.From)
		})
	}
}

// BaseFiles configure the review: only regular files tracked at the base
// commit are read; GitHub's answer for a link to a file of the repository
// (that file) is refused like any symlink.
func TestPlatformBaseFilesReadRegularFilesOnly(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	s.SetFile(base, ".bitreview.yaml", "reviews: {}\n")
	s.SetFile(base, "docs/real.md", "REAL\n")
	s.SetFile(head, "docs/head-only.md", "HEAD\n")
	s.SetSymlink(base, "docs/guide.md", "real.md")
	s.SetSymlink(base, "leak.md", "/etc/passwd")
	s.SetSubmodule(base, "vendor/lib")
	files := NewPlatform(api, testPR, PlatformOptions{}).BaseFiles(metaOf(t, api))
	for _, tc := range []struct {
		path, want, kind string
		missing          bool
	}{
		{path: ".bitreview.yaml", want: "reviews: {}\n"},
		{path: "docs/real.md", want: "REAL\n"},
		{path: "docs/guide.md", kind: "a symlink"},
		{path: "leak.md", kind: "a symlink"},
		{path: "vendor/lib", kind: "a submodule"},
		{path: "docs", kind: "a directory"},
		{path: "docs/head-only.md", missing: true},
	} {
		data, err := files.ReadFile(t.Context(), tc.path)
		switch {
		case tc.kind != "":
			var nr *NotRegularError
			require.ErrorAs(t, err, &nr, tc.path)
			assert.Equal(t, tc.kind, nr.Kind, tc.path)
			assert.Empty(t, data)
		case tc.missing:
			require.ErrorIs(t, err, fs.ErrNotExist, tc.path)
		default:
			require.NoError(t, err, tc.path)
			assert.Equal(t, tc.want, string(data))
		}
	}
}

// Files reads the workspace clone's blob at the commit first, the API
// second: the clone's refusal (a path it does not track) ends the search,
// a commit the clone lacks asks the API, and a symlink reads as its
// target text either way.
func TestPlatformFilesReadTheCloneFirst(t *testing.T) {
	t.Parallel()
	dir, commit := gittest.Commit(t, map[string]string{"app/math.go": "CLONE\n"}, map[string]string{"link.go": "/etc/passwd"})
	const other = "3333333333333333333333333333333333333333"
	s, api, _ := newFake(t)
	s.SetFile(commit, "app/math.go", "API\n")
	s.SetFile(commit, "untracked.go", "API ONLY\n")
	s.SetFile(other, "app/math.go", "API AT OTHER\n")
	for _, tc := range []struct {
		name, clone, commit, path, want string
		missing, asksAPI                bool
	}{
		{name: "from the clone", clone: dir, commit: commit, path: "app/math.go", want: "CLONE\n"},
		{name: "a symlink's text", clone: dir, commit: commit, path: "link.go", want: "/etc/passwd"},
		{name: "not tracked in the clone", clone: dir, commit: commit, path: "untracked.go", missing: true},
		{name: "a commit the clone lacks", clone: dir, commit: other, path: "app/math.go", want: "API AT OTHER\n", asksAPI: true},
		{name: "no clone", commit: commit, path: "app/math.go", want: "API\n", asksAPI: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Requests())
			data, err := NewPlatform(api, testPR, PlatformOptions{CloneDir: tc.clone}).Files(tc.commit).ReadFile(t.Context(), tc.path)
			if tc.missing {
				require.ErrorIs(t, err, fs.ErrNotExist)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(data))
			}
			assert.Equal(t, tc.asksAPI, len(s.Requests()) > before, "API asked")
		})
	}
}

func metaOf(t *testing.T, api API) review.PullRequest {
	t.Helper()
	meta, err := FetchPullRequest(t.Context(), api.Pulls, testPR)
	require.NoError(t, err)
	return meta
}
