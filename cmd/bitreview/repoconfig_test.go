package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

func TestRepoConfigPrecedence(t *testing.T) {
	srv := bbtest.New(t)
	bot := srv.AddUser(bbtest.NewUser("bot"))
	srv.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 1,
		Source:      bbtest.Endpoint{Branch: "feature", Commit: srcSHA},
		Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
	}, "")
	// The destination branch has one config; the PR's source another,
	// which must be ignored.
	srv.AddFile(ws, slug, dstSHA, ".bitreview.yaml", "profile: assertive\nmax_comments: 5\nmin_severity: high\nguidelines: [CONTRIBUTING.md]\npaths:\n  - path: 'db/**'\n    instructions: use placeholders\n")
	srv.AddFile(ws, slug, dstSHA, "CONTRIBUTING.md", "Use table tests.")
	srv.AddFile(ws, slug, srcSHA, ".bitreview.yaml", "profile: chill\nmax_comments: 500\n")
	client, err := bbapi.NewClient(srv.URL, bbapi.WithAccessToken(bot.AccessToken))
	require.NoError(t, err)

	rs := loadRepoSettings(t.Context(), client, ws, slug, "main", dstSHA, ".bitreview.yaml")
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

func TestRepoConfigBrokenOrMissing(t *testing.T) {
	srv := bbtest.New(t)
	bot := srv.AddUser(bbtest.NewUser("bot"))
	srv.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 1,
		Source: bbtest.Endpoint{Commit: srcSHA}, Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
	}, "")
	client, err := bbapi.NewClient(srv.URL, bbapi.WithAccessToken(bot.AccessToken))
	require.NoError(t, err)

	rs := loadRepoSettings(t.Context(), client, ws, slug, "main", dstSHA, ".bitreview.yaml")
	assert.Nil(t, rs.File)
	assert.Empty(t, rs.Warnings, "no file is not a problem")
	assert.Contains(t, rs.Source, "defaults")

	srv.AddFile(ws, slug, dstSHA, ".bitreview.yaml", "profile: [\n")
	rs = loadRepoSettings(t.Context(), client, ws, slug, "main", dstSHA, ".bitreview.yaml")
	assert.Nil(t, rs.File)
	require.NotEmpty(t, rs.Warnings)
	assert.Contains(t, rs.Warnings[0], "using defaults")

	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = '#'
	}
	srv.AddFile(ws, slug, dstSHA, ".bitreview.yaml", string(big))
	rs = loadRepoSettings(t.Context(), client, ws, slug, "main", dstSHA, ".bitreview.yaml")
	assert.Nil(t, rs.File)
	require.NotEmpty(t, rs.Warnings)
	assert.Contains(t, rs.Warnings[0], "larger than")
}

// A guideline is a regular file on the destination branch: a symlink
// (whatever the src endpoint does with it), a directory or a path under
// .git/ is refused and named.
func TestRepoConfigGuidelineMustBeRegularFile(t *testing.T) {
	srv := bbtest.New(t)
	bot := srv.AddUser(bbtest.NewUser("bot"))
	srv.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 1,
		Source: bbtest.Endpoint{Commit: srcSHA}, Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
	}, "")
	srv.AddFile(ws, slug, dstSHA, ".bitreview.yaml", "guidelines: [docs/guide.md, docs/more, .git/config, ../x.md, CONTRIBUTING.md]\n")
	srv.AddSymlink(ws, slug, dstSHA, "docs/guide.md", "../deploy/secrets.md")
	srv.AddFile(ws, slug, dstSHA, "docs/more/a.md", "a")
	srv.AddFile(ws, slug, dstSHA, "CONTRIBUTING.md", "Use table tests.")
	client, err := bbapi.NewClient(srv.URL, bbapi.WithAccessToken(bot.AccessToken))
	require.NoError(t, err)

	rs := loadRepoSettings(t.Context(), client, ws, slug, "main", dstSHA, ".bitreview.yaml")
	assert.Equal(t, []review.Guideline{{Name: "CONTRIBUTING.md", Text: "Use table tests."}}, rs.Guidelines)
	assert.Equal(t, []string{
		"guideline docs/guide.md refused: a symlink",
		"guideline docs/more refused: a directory",
		"guideline .git/config refused: under .git/",
		"guideline ../x.md refused: outside the repository",
	}, rs.Warnings)
}
