package bitbucket

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// repoSettings reads the repository's configuration of pull request 2
// (feature → main) the way a run does: settings.LoadRepo over the
// adapter's BaseFiles at the destination commit.
func repoSettings(t *testing.T, e *env) settings.Repo {
	t.Helper()
	p := NewPlatform(e.client, PR{Workspace: ws, Repo: slug, ID: 2}, noTasks)
	meta, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	return settings.LoadRepo(t.Context(), settings.OnBranch(p.BaseFiles(meta), meta.TargetBranch, meta.TargetCommit), ".bitreview.yaml")
}

// configEnv is newEnv with pull request 2, from feature (head1) to main
// (base).
func configEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.bb.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 2,
		Source:      bbtest.Endpoint{Branch: "feature", Commit: head1},
		Destination: bbtest.Endpoint{Branch: "main", Commit: base},
	}, diff1)
	return e
}

// The destination branch's config file is used, never the pull request's
// own version, and a pipe variable still beats the file.
func TestRepoConfigPrecedence(t *testing.T) {
	t.Parallel()
	e := configEnv(t)
	e.bb.AddFile(ws, slug, base, ".bitreview.yaml", "profile: assertive\nmax_comments: 5\nmin_severity: high\nguidelines: [CONTRIBUTING.md]\npaths:\n  - path: 'db/**'\n    instructions: use placeholders\n")
	e.bb.AddFile(ws, slug, base, "CONTRIBUTING.md", "Use table tests.")
	e.bb.AddFile(ws, slug, head1, ".bitreview.yaml", "profile: chill\nmax_comments: 500\n")

	rs := repoSettings(t, e)
	require.NotNil(t, rs.File)
	assert.Empty(t, rs.Warnings)
	assert.Contains(t, rs.Source, ".bitreview.yaml from main")
	require.Len(t, rs.Guidelines, 1)
	assert.Equal(t, []review.PathInstruction{{Glob: "db/**", Text: "use placeholders"}}, rs.Instructions())

	cfg, cerr := settings.Load([]string{"MIN_SEVERITY=low"})
	require.Nil(t, cerr)
	cfg = cfg.Apply(rs)
	assert.Equal(t, "assertive", cfg.ReviewProfile, "file beats default")
	assert.Equal(t, 5, cfg.MaxComments, "file beats default, destination branch wins over the PR's version")
	assert.Equal(t, "low", cfg.MinSeverity, "pipe variable beats file")
}

// No config file means defaults, quietly; a broken or oversized one
// means defaults and a warning.
func TestRepoConfigBrokenOrMissing(t *testing.T) {
	t.Parallel()
	e := configEnv(t)
	rs := repoSettings(t, e)
	assert.Nil(t, rs.File)
	assert.Empty(t, rs.Warnings, "no file is not a problem")
	assert.Contains(t, rs.Source, "defaults")

	e.bb.AddFile(ws, slug, base, ".bitreview.yaml", "profile: [\n")
	rs = repoSettings(t, e)
	assert.Nil(t, rs.File)
	require.NotEmpty(t, rs.Warnings)
	assert.Contains(t, rs.Warnings[0], "using defaults")

	e.bb.AddFile(ws, slug, base, ".bitreview.yaml", strings.Repeat("#", 1<<20))
	rs = repoSettings(t, e)
	assert.Nil(t, rs.File)
	require.NotEmpty(t, rs.Warnings)
	assert.Contains(t, rs.Warnings[0], "larger than")

	// A file past the most any repository file is read (1 MiB) is refused
	// unread, and said to be over the limit like the one above.
	e.bb.AddFile(ws, slug, base, ".bitreview.yaml", strings.Repeat("#", 3<<20))
	_, err := NewPlatform(e.client, e.pr, noTasks).BaseFiles(review.PullRequest{TargetCommit: base}).ReadFile(t.Context(), ".bitreview.yaml")
	var nr *NotRegularError
	require.ErrorAs(t, err, &nr)
	assert.Contains(t, nr.Why(), "too large")
	rs = repoSettings(t, e)
	assert.Nil(t, rs.File)
	require.NotEmpty(t, rs.Warnings)
	assert.Contains(t, rs.Warnings[0], "larger than the 256 KB limit")
}

// A guideline is a regular file on the destination branch: a symlink
// (whatever the src endpoint does with it), a directory or a path under
// .git/ is refused and named.
func TestRepoConfigGuidelineMustBeRegularFile(t *testing.T) {
	t.Parallel()
	e := configEnv(t)
	e.bb.AddFile(ws, slug, base, ".bitreview.yaml", "guidelines: [docs/guide.md, docs/more, .git/config, ../x.md, CONTRIBUTING.md]\n")
	e.bb.AddSymlink(ws, slug, base, "docs/guide.md", "../deploy/secrets.md")
	e.bb.AddFile(ws, slug, base, "docs/more/a.md", "a")
	e.bb.AddFile(ws, slug, base, "CONTRIBUTING.md", "Use table tests.")

	rs := repoSettings(t, e)
	assert.Equal(t, []review.Guideline{{Name: "CONTRIBUTING.md", Text: "Use table tests."}}, rs.Guidelines)
	assert.Equal(t, []string{
		"guideline docs/guide.md refused: a symlink",
		"guideline docs/more refused: a directory",
		"guideline .git/config refused: under .git/",
		"guideline ../x.md refused: outside the repository",
	}, rs.Warnings)
}
