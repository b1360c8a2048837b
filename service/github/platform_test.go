package github

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/platformtest"
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
		want       platformtest.Planned
	}{
		{name: "first review", last: ""},
		{name: "force-push", last: unknown, want: platformtest.Planned{Fallback: "no longer known to GitHub"}},
		{name: "incremental", last: older, want: platformtest.Planned{From: older, Paths: []string{"app/math.go"}}},
		{name: "increment over the cap", last: older, maxBytes: 40, want: platformtest.Planned{Err: diffparse.ErrTruncated}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, api, d := newFake(t)
			s.SetCompare(older, head, inc)
			got, err := NewPlatform(api, testPR, PlatformOptions{}).Increment(t.Context(), tc.last, head, d, tc.maxBytes)
			platformtest.CheckIncrement(t, got, err, tc.want)
		})
	}
}

func TestPlatformBaseFilesReadRegularFilesOnly(t *testing.T) {
	t.Parallel()
	platformtest.BaseFilesReadRegularFilesOnly(t, contractFake(t))
}

// contractFake is the pull request of a new fake as the adapters'
// contract sees it.
func contractFake(t *testing.T) platformtest.Fake {
	s, api, _ := newFake(t)
	return platformtest.Fake{
		New:          func() workflow.Platform { return NewPlatform(api, testPR, PlatformOptions{}) },
		WithClone:    func(dir string) workflow.Platform { return NewPlatform(api, testPR, PlatformOptions{CloneDir: dir}) },
		Requests:     func() int { return len(s.Requests()) },
		Head:         head,
		Base:         base,
		Finding:      finding(3, "wrong sign"),
		Summaries:    func() []string { return summaries(s) },
		AddFile:      s.SetFile,
		AddSymlink:   s.SetSymlink,
		AddSubmodule: s.SetSubmodule,
		Refusal:      platformtest.Refusal(func(e *NotRegularError) string { return e.Kind }),
	}
}

func TestPlatformFilesReadTheCloneFirst(t *testing.T) {
	t.Parallel()
	platformtest.FilesReadTheCloneFirst(t, contractFake(t))
}

func TestPlatformTreeReadsTheCloneOnly(t *testing.T) {
	t.Parallel()
	platformtest.TreeReadsTheCloneOnly(t, contractFake(t))
}
