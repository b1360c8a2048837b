// Package platformtest holds what every host adapter's Platform must do
// the same way, written once and run by each adapter's tests against its
// fake host (bbtest, ghtest): the files that configure a review, and the
// summary's hidden state across runs and within one.
package platformtest

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/internal/gittest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/workflow"
)

// Fake is one pull request on an adapter's fake host.
type Fake struct {
	// New returns a Platform of the pull request for a new run.
	New func() workflow.Platform
	// WithClone returns one that reads files from the clone in dir first.
	WithClone func(dir string) workflow.Platform
	// Requests counts the requests the host has answered.
	Requests func() int
	// Head and Base are the full hashes of the pull request's head and
	// destination commits.
	Head, Base string
	// Finding is a finding on a line of the pull request's diff.
	Finding review.Finding
	// Summaries returns the bodies of the bot's summaries on the host.
	Summaries func() []string
	// AddFile, AddSymlink and AddSubmodule seed a commit of the
	// repository.
	AddFile      func(commit, path, content string)
	AddSymlink   func(commit, path, target string)
	AddSubmodule func(commit, path string)
	// Refusal is the kind of path an adapter's refusal names ("a
	// symlink"), or "" when err is no refusal (see Refusal).
	Refusal func(err error) string
}

// Refusal is a Fake's Refusal for an adapter whose refusals are E, whose
// kind is kind(E).
func Refusal[E error](kind func(E) string) func(error) string {
	return func(err error) string {
		var e E
		if errors.As(err, &e) {
			return kind(e)
		}
		return ""
	}
}

// BaseFilesReadRegularFilesOnly: the files that configure a review are
// read at the destination commit, and only regular files are: a symlink
// (to a file of the repository or anywhere), a submodule and a directory
// are refused; a file of the pull request alone is not there.
func BaseFilesReadRegularFilesOnly(t *testing.T, f Fake) {
	t.Helper()
	f.AddFile(f.Base, ".bitreview.yaml", "reviews: {}\n")
	f.AddFile(f.Base, "docs/real.md", "REAL\n")
	f.AddFile(f.Head, "docs/head-only.md", "HEAD\n")
	f.AddSymlink(f.Base, "docs/guide.md", "real.md")
	f.AddSymlink(f.Base, "leak.md", "/etc/passwd")
	f.AddSubmodule(f.Base, "vendor/lib")
	p := f.New()
	meta, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	files := p.BaseFiles(meta)
	want := map[string]string{".bitreview.yaml": "reviews: {}\n", "docs/real.md": "REAL\n"}
	refused := map[string]string{"docs/guide.md": "a symlink", "leak.md": "a symlink", "vendor/lib": "a submodule", "docs": "a directory"}
	for _, path := range []string{".bitreview.yaml", "docs/real.md", "docs/guide.md", "leak.md", "vendor/lib", "docs", "docs/head-only.md"} {
		data, err := files.ReadFile(t.Context(), path)
		switch kind, ok := refused[path]; {
		case ok:
			require.Error(t, err, path)
			assert.Equal(t, kind, f.Refusal(err), path)
			assert.Empty(t, data, path)
		case want[path] == "":
			require.ErrorIs(t, err, fs.ErrNotExist, path)
		default:
			require.NoError(t, err, path)
			assert.Equal(t, want[path], string(data), path)
		}
	}
}

// FilesReadTheCloneFirst: files for context are read from the clone's
// blob at the commit first, through the host second. The clone's refusal
// (a path it does not track) ends the search; a commit the clone lacks
// asks the host; a symlink reads as its target text either way.
func FilesReadTheCloneFirst(t *testing.T, f Fake) {
	t.Helper()
	dir, commit := gittest.Commit(t, map[string]string{"app/a.go": "CLONE\n"}, map[string]string{"link.go": "/etc/passwd"})
	const other = "3333333333333333333333333333333333333333"
	f.AddFile(commit, "app/a.go", "API\n")
	f.AddFile(commit, "untracked.go", "API ONLY\n")
	f.AddFile(other, "app/a.go", "API AT OTHER\n")
	f.AddSymlink(other, "link.go", "/etc/shadow")
	for _, tc := range []struct {
		name, clone, commit, path, want string
		asksAPI                         bool
	}{
		{name: "from the clone", clone: dir, commit: commit, path: "app/a.go", want: "CLONE\n"},
		{name: "a symlink's text", clone: dir, commit: commit, path: "link.go", want: "/etc/passwd"},
		{name: "not tracked in the clone", clone: dir, commit: commit, path: "untracked.go"},
		{name: "a commit the clone lacks", clone: dir, commit: other, path: "app/a.go", want: "API AT OTHER\n", asksAPI: true},
		{name: "a symlink's text from the API", clone: dir, commit: other, path: "link.go", want: "/etc/shadow", asksAPI: true},
		{name: "missing everywhere", clone: dir, commit: other, path: "nope.go", asksAPI: true},
		{name: "no clone", commit: commit, path: "app/a.go", want: "API\n", asksAPI: true},
	} {
		before := f.Requests()
		data, err := f.WithClone(tc.clone).Files(tc.commit).ReadFile(t.Context(), tc.path)
		if tc.want == "" {
			require.ErrorIs(t, err, fs.ErrNotExist, tc.name)
		} else {
			require.NoError(t, err, tc.name)
			assert.Equal(t, tc.want, string(data), tc.name)
		}
		assert.Equal(t, tc.asksAPI, f.Requests() > before, "%s: API asked", tc.name)
	}
}

// TreeReadsTheCloneOnly: for cross-file context, a Platform gives the
// tree of a commit of its clone (workflow.TreeSource): the regular files
// tracked there, never a symlink, read from the clone's objects without a
// request to the host. A commit the clone lacks, or no clone, is an error.
func TreeReadsTheCloneOnly(t *testing.T, f Fake) {
	t.Helper()
	dir, commit := gittest.Commit(t, map[string]string{"app/a.go": "CLONE\n", "web/b.ts": "B\n"}, map[string]string{"link.go": "/etc/passwd"})
	before := f.Requests()
	ts, ok := f.WithClone(dir).(workflow.TreeSource)
	require.True(t, ok, "the Platform gives trees")
	tree, err := ts.Tree(t.Context(), commit)
	require.NoError(t, err)
	listed := map[string]int64{}
	require.NoError(t, tree.Walk(t.Context(), func(p string, size int64) error { listed[p] = size; return nil }))
	assert.Equal(t, map[string]int64{"app/a.go": 6, "web/b.ts": 2}, listed)
	data, err := tree.ReadFile(t.Context(), "app/a.go")
	require.NoError(t, err)
	assert.Equal(t, "CLONE\n", string(data))
	assert.Equal(t, before, f.Requests(), "the host is not asked")

	_, err = ts.Tree(t.Context(), "3333333333333333333333333333333333333333")
	require.Error(t, err, "a commit the clone lacks")
	noClone, ok := f.WithClone("").(workflow.TreeSource)
	require.True(t, ok)
	_, err = noClone.Tree(t.Context(), commit)
	require.Error(t, err, "no clone")
}

// publish runs a review of f.Finding on p, which Load read.
func publish(t *testing.T, f Fake, p workflow.Platform, st review.State) {
	t.Helper()
	d, _, err := p.Diff(t.Context(), 0)
	require.NoError(t, err)
	_, err = p.Publish(t.Context(), &review.Result{Findings: []review.Finding{f.Finding}}, review.SummaryInfo{Version: "test"}, st,
		review.Scope{PRDiff: d, Reviewed: d, Complete: true}, review.Limits{TasksAt: review.NoTasks})
	require.NoError(t, err)
}

// SaveStateRoundTrip: `@bitreview pause` and `resume` are recorded in
// the summary's hidden state, in a new summary when there is none and in
// place otherwise (keeping the review's verdict and reviewed head), never
// as a second summary.
func SaveStateRoundTrip(t *testing.T, newFake func(t *testing.T) Fake) {
	for _, reviewed := range []bool{false, true} {
		f := newFake(t)
		pauseShown := "automatic reviews are paused" // the state-only summary's reason
		if reviewed {
			p := f.New()
			_, err := p.Load(t.Context())
			require.NoError(t, err)
			publish(t, f, p, review.State{HeadCommit: f.Head, BaseCommit: f.Base})
			pauseShown = "Automatic reviews are paused" // the note on a review's summary
		}
		for _, paused := range []bool{true, false, true} {
			p := f.New()
			prior, err := p.Load(t.Context())
			require.NoError(t, err)
			st := prior.State
			st.Paused = paused
			if !st.HasHandled(41) {
				st.Handled = append(st.Handled, 41)
			}
			require.NoError(t, p.SaveState(t.Context(), st, review.SummaryInfo{Version: "test"}))

			after, err := f.New().Load(t.Context())
			require.NoError(t, err)
			assert.Equal(t, paused, after.State.Paused)
			assert.True(t, after.State.HasHandled(41))
			assert.Equal(t, reviewed, after.Reviewed(f.Head), "the reviewed head is kept")
			assert.Equal(t, reviewed, after.HasVerdict, "the review's verdict is kept")
			got := f.Summaries()
			require.Len(t, got, 1, "edited in place")
			assert.Equal(t, paused, strings.Contains(got[0], pauseShown), got[0])
		}
	}
}

// SaveStateAndPublishInOneRun: a run that records its command before the
// review and publishes after it, or the other way round, leaves one
// summary, which records both.
func SaveStateAndPublishInOneRun(t *testing.T, newFake func(t *testing.T) Fake) {
	for _, stateFirst := range []bool{true, false} {
		f := newFake(t)
		p := f.New()
		_, err := p.PullRequest(t.Context())
		require.NoError(t, err)
		_, err = p.Load(t.Context())
		require.NoError(t, err)
		save := func() {
			require.NoError(t, p.SaveState(t.Context(), review.State{Handled: []int{5}}, review.SummaryInfo{Version: "test"}))
		}
		if stateFirst {
			save()
		}
		publish(t, f, p, review.State{HeadCommit: f.Head, Handled: []int{5}})
		if !stateFirst {
			save()
		}
		got := f.Summaries()
		require.Len(t, got, 1, "state first: %v", stateFirst)
		st, _ := review.ParseState(got[0])
		assert.True(t, st.HasHandled(5))
		v, _ := review.ParseVerdict(got[0])
		assert.Equal(t, 1, v.Findings, "the review's summary, state first: %v", stateFirst)
	}
}

// Planned is what Source.Increment should answer.
type Planned struct {
	// From is the last reviewed commit of an incremental review, whose
	// diff holds Paths; "" for a full review.
	From  string
	Paths []string
	// Fallback is part of the reason a review that could have been
	// incremental is full.
	Fallback string
	// Err is an error the answer wraps (diffparse.ErrTruncated).
	Err error
}

// CheckIncrement compares what Source.Increment answered with want.
func CheckIncrement(t *testing.T, got review.Increment, err error, want Planned) {
	t.Helper()
	if want.Err != nil {
		require.ErrorIs(t, err, want.Err)
		return
	}
	require.NoError(t, err)
	assert.Contains(t, got.FallbackReason, want.Fallback)
	assert.Equal(t, want.From, got.From)
	if want.From == "" {
		assert.Nil(t, got.Diff)
		return
	}
	assert.Empty(t, got.FallbackReason)
	require.NotNil(t, got.Diff)
	assert.Equal(t, want.Paths, got.Diff.Paths())
}
