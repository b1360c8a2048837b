package bitbucket

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/platformtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/workflow"
)

// The adapter implements the workflow's Platform. The check lives in a
// test: workflow and the adapters do not import each other.
var _ workflow.Platform = (*Platform)(nil)

// noTasks are the options of a run without pull-request tasks.
var noTasks = PlatformOptions{}

// noLimits are the limits of a run without pull-request tasks or a cap.
var noLimits = review.Limits{TasksAt: review.NoTasks}

func TestPlatformSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := NewPlatform(e.client, e.pr, PlatformOptions{PipelineCommit: head1})
	assert.Equal(t, "acme/shop pull request #1", p.Describe())
	assert.Empty(t, e.bb.Requests(), "no I/O before the first call")

	meta, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	assert.Equal(t, head1[:12], meta.SourceCommit, "Bitbucket names commits in short form")
	assert.Equal(t, base[:12], meta.TargetCommit)
	assert.Equal(t, head1, p.Head(meta), "the pipeline's full commit")
	assert.Equal(t, head1[:12], NewPlatform(e.client, e.pr, PlatformOptions{}).Head(meta))
	assert.Equal(t, head1[:12], NewPlatform(e.client, e.pr, PlatformOptions{PipelineCommit: head2}).Head(meta), "another pipeline commit is not the head")

	d, read, err := p.Diff(t.Context(), 0)
	require.NoError(t, err)
	assert.False(t, read.Cut)
	assert.Equal(t, []string{"a.go"}, d.Paths())
	assert.NotEmpty(t, d.File("a.go").Hunks)

	d, read, err = p.Diff(t.Context(), 20)
	require.NoError(t, err)
	assert.True(t, read.Cut)
	require.Equal(t, []string{"a.go"}, d.Paths(), "named from the diffstat")
	assert.True(t, d.File("a.go").NotRead)
}

func TestPlatformIncrement(t *testing.T) {
	t.Parallel()
	const rebased = "4444444444444444444444444444444444444444"
	inc := "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -3 +3 @@\n-func A() int { return 1 }\n+func A() int { return 0 }\n" +
		"diff --git a/merged.go b/merged.go\n--- a/merged.go\n+++ b/merged.go\n@@ -1 +1 @@\n-x\n+y\n"
	for _, tc := range []struct {
		name, last, head string
		maxBytes         int64
		want             platformtest.Planned
	}{
		{name: "first review", head: head2},
		{name: "commit unknown (force-push)", last: "abcdefabcdef", head: head2, want: platformtest.Planned{Fallback: "no longer known to Bitbucket"}},
		{name: "not an ancestor (rebase)", last: head1, head: rebased, want: platformtest.Planned{Fallback: "not an ancestor"}},
		{name: "incremental, the pull request's files only", last: head1[:12], head: head2, want: platformtest.Planned{From: head1[:12], Paths: []string{"a.go"}}},
		{name: "increment over the cap", last: head1, head: head2, maxBytes: 40, want: platformtest.Planned{Err: diffparse.ErrTruncated}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.bb.AddCommitWithParents(ws, slug, head1, base)
			e.bb.AddCommitWithParents(ws, slug, head2, head1)
			e.bb.AddCommitWithParents(ws, slug, rebased, base)
			e.bb.SetDiff(ws, slug, head2, head1, inc)
			got, err := NewPlatform(e.client, e.pr, noTasks).Increment(t.Context(), tc.last, tc.head, e.diff, tc.maxBytes)
			platformtest.CheckIncrement(t, got, err, tc.want)
		})
	}
}

func TestPlatformBaseFilesReadRegularFilesOnly(t *testing.T) {
	t.Parallel()
	platformtest.BaseFilesReadRegularFilesOnly(t, newEnv(t).fake(t))
}

// fake is the pull request of e as the adapters' contract sees it.
func (e *env) fake(t *testing.T) platformtest.Fake {
	t.Helper()
	return platformtest.Fake{
		New:       func() workflow.Platform { return NewPlatform(e.client, e.pr, noTasks) },
		WithClone: func(dir string) workflow.Platform { return NewPlatform(e.client, e.pr, PlatformOptions{CloneDir: dir}) },
		Requests:  func() int { return len(e.bb.Requests()) },
		Head:      head1, Base: base,
		Finding:   finding(e.diff, 3, review.High, "A returns a constant"),
		Summaries: e.summaryBodies,
		AddFile:   func(commit, path, content string) { e.bb.AddFile(ws, slug, commit, path, content) },
		AddSymlink: func(commit, path, target string) {
			e.bb.AddSymlink(ws, slug, commit, path, target)
		},
		AddSubmodule: func(commit, path string) { e.bb.AddSubmodule(ws, slug, commit, path) },
		Refusal:      platformtest.Refusal(func(e *NotRegularError) string { return e.Kind }),
	}
}

func TestPlatformFilesReadTheCloneFirst(t *testing.T) {
	t.Parallel()
	platformtest.FilesReadTheCloneFirst(t, newEnv(t).fake(t))
}

func TestPlatformTreeReadsTheCloneOnly(t *testing.T) {
	t.Parallel()
	platformtest.TreeReadsTheCloneOnly(t, newEnv(t).fake(t))
}
