package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// binary is the bitreview executable built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bitreview-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "bitreview")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build bitreview:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	ws     = "acme"
	slug   = "shop"
	srcSHA = "5f1c0ffee0ddba11ab1e5eed0bead5deadbeef00"
	dstSHA = "0123456789abcdef0123456789abcdef01234567"
)

// fixture is a fake Bitbucket with one pull request and a stub LLM.
type fixture struct {
	bb   *bbtest.Server
	llm  *llmtest.Server
	bot  bbtest.User
	diff *diffparse.Diff
}

const walkReply = `{"summary":"Adds a users query and an Add helper.","files":[{"path":"app/server.go","note":"handler now queries users","trivial":false},{"path":"app/math.go","note":"new Add helper","trivial":false}]}`

// reviewReply has the walkthrough (summary and notes), a finding whose line
// number drifted (13 → 11), one on a removed line, one on a line outside
// every hunk, and one on a file that is not in the PR.
const reviewReply = `{"summary":"Adds a users query and an Add helper; the new query is injectable.",
 "files":[{"path":"app/server.go","note":"handler now queries users"},{"path":"app/math.go","note":"new Add helper"}],
 "findings":[
 {"path":"app/server.go","side":"new","line":13,"code":"rows, _ := db.Query(\"SELECT * FROM users WHERE name = '\" + name + \"'\")","severity":"critical","category":"security","title":"SQL injection through the name parameter","body":"Use a placeholder."},
 {"path":"app/math.go","line":3,"code":"func Add(a, b int) int { return a - b }","severity":"high","category":"bug","title":"Add subtracts","body":"Returns a - b instead of a + b.","suggestion":"func Add(a, b int) int { return a + b }"},
 {"path":"app/server.go","side":"old","line":10,"code":"func unused() {}","severity":"low","category":"maintainability","title":"Check callers of the removed helper","body":"Make sure nothing else used it."},
 {"path":"app/server.go","line":40,"severity":"medium","title":"Outside the diff","body":"x"},
 {"path":"app/ghost.go","line":1,"severity":"medium","title":"Phantom file","body":"x"}
]}`

func newFixture(t *testing.T) *fixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	return newFixtureWithDiff(t, raw)
}

// newFixtureWithDiff is newFixture with another pull request diff.
func newFixtureWithDiff(t *testing.T, raw []byte) *fixture {
	t.Helper()
	d, err := diffparse.Parse(raw)
	require.NoError(t, err)
	f := &fixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t), diff: d}
	f.bot = f.bb.AddUser(bbtest.NewUser("bitreview-bot"))
	f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{
		ID: 7, Title: "Add users query", Description: "Adds a query.",
		Source:      bbtest.Endpoint{Branch: "feature/users", Commit: srcSHA},
		Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
	}, string(raw))
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: walkReply}
		}
		return llmtest.Reply{JSON: reviewReply}
	})
	return f
}

// env is what Pipelines would pass to the pipe.
func (f *fixture) env(extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.TempDir(),
		"BITBUCKET_WORKSPACE=" + ws, "BITBUCKET_REPO_SLUG=" + slug, "BITBUCKET_PR_ID=7",
		"BITBUCKET_COMMIT=" + srcSHA, "BITBUCKET_BUILD_NUMBER=12",
		"BITBUCKET_API_URL=" + f.bb.URL,
		"BITBUCKET_ACCESS_TOKEN=" + f.bot.AccessToken,
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + f.llm.URL, "LLM_MODEL=stub-model",
		"LLM_TIMEOUT=10s",
	}, extra...)
}

// execPipe runs the built binary as Pipelines would: environment in, HTTP
// out, the step log on stdout.
func execPipe(t *testing.T, env []string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "pipe")
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return out.String(), code
}

func (f *fixture) comments() (summaries, inline []bbtest.Comment) {
	for _, c := range f.bb.Comments(ws, slug, 7) {
		if c.Deleted || c.User.UUID != f.bot.UUID {
			continue
		}
		switch {
		case c.Inline != nil:
			inline = append(inline, c)
		case review.IsSummary(c.Raw):
			summaries = append(summaries, c)
		}
	}
	return summaries, inline
}

func TestPipeEndToEnd(t *testing.T) {
	f := newFixture(t)
	// Someone else's comment that copies our marker must never be touched.
	spoof := f.bb.AddComment(ws, slug, 7, bbtest.Comment{User: bbtest.NewUser("mallory"), Raw: "fake\n[//]: # (bitreview:summary)"})

	out, code := execPipe(t, f.env())
	t.Log(out)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "✔ Pull request #7 fetched")
	assert.Contains(t, out, "✔ Diff fetched: 3 files")
	assert.Contains(t, out, "✔ Published: 3 inline comment(s) posted")

	summaries, inline := f.comments()
	require.Len(t, summaries, 1, "exactly one summary")
	require.Len(t, inline, 3)
	assert.Empty(t, f.bb.RejectedAnchors(), "every inline anchor is valid")
	for _, c := range inline {
		side, line := diffparse.New, c.Inline.To
		if c.Inline.From != 0 {
			side, line = diffparse.Old, c.Inline.From
		}
		assert.True(t, f.diff.Commentable(c.Inline.Path, side, line), "%s %s %d", c.Inline.Path, side, line)
		_, hasFP := review.FingerprintOf(c.Raw)
		assert.True(t, hasFP)
	}
	byPath := map[string]bbtest.Inline{}
	for _, c := range inline {
		byPath[c.Inline.Path+":"+c.Raw[:20]] = *c.Inline
	}
	assert.Contains(t, summaries[0].Raw, "Outside the diff")
	assert.Contains(t, summaries[0].Raw, "Phantom file")
	assert.Contains(t, summaries[0].Raw, "handler now queries users")
	for _, c := range inline {
		if strings.Contains(c.Raw, "SQL injection") {
			assert.Equal(t, 11, c.Inline.To, "line drift corrected from the quoted code")
		}
		if strings.Contains(c.Raw, "removed helper") {
			assert.Equal(t, 10, c.Inline.From)
			assert.Zero(t, c.Inline.To)
		}
	}

	// A second run on the same head edits nothing and posts nothing new.
	posts := f.bb.Count("POST", "/comments")
	out, code = execPipe(t, f.env())
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "0 inline comment(s) posted, 3 already there")
	assert.Contains(t, out, "summary unchanged")
	summaries2, inline2 := f.comments()
	assert.Len(t, summaries2, 1, "re-run does not duplicate the summary")
	assert.Equal(t, summaries[0].ID, summaries2[0].ID)
	assert.Len(t, inline2, 3, "re-run does not duplicate inline comments")
	assert.Equal(t, posts, f.bb.Count("POST", "/comments"))

	for _, c := range f.bb.Comments(ws, slug, 7) {
		if c.ID == spoof.ID {
			assert.Equal(t, spoof.Raw, c.Raw, "a human comment with our marker is never edited")
		}
	}
}

func TestPipeFailOn(t *testing.T) {
	f := newFixture(t)
	out, code := execPipe(t, f.env("FAIL_ON=high"))
	assert.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, "✖ bitreview: ")
}

func TestPipeDryRunPostsNothing(t *testing.T) {
	f := newFixture(t)
	out, code := execPipe(t, f.env("DRY_RUN=true"))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "would post inline comment on app/server.go")
	assert.Zero(t, f.bb.Count("POST", "/comments"))
}

func TestPipeWrongTokenNamesTheFix(t *testing.T) {
	f := newFixture(t)
	env := f.env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "BITBUCKET_ACCESS_TOKEN=") {
			env[i] = "BITBUCKET_ACCESS_TOKEN=not-a-valid-token-canary"
		}
	}
	out, code := execPipe(t, env)
	assert.Equal(t, 0, code, "FAIL_ON_ERROR=false: the step passes with a warning")
	assert.Contains(t, out, "✖ fetch pull request")
	assert.Contains(t, out, "fix:")
	assert.NotContains(t, out, "not-a-valid-token-canary")

	out, code = execPipe(t, append(env, "FAIL_ON_ERROR=true"))
	assert.Equal(t, exitRemote, code, out)
}

func TestPipeMissingScopeIsNamed(t *testing.T) {
	f := newFixture(t)
	u := bbtest.NewUser("read-only-bot")
	u.Scopes = []string{"read:pullrequest:bitbucket", "read:repository:bitbucket", "read:user:bitbucket"}
	u = f.bb.AddUser(u)
	env := f.env("FAIL_ON_ERROR=true")
	for i, kv := range env {
		if strings.HasPrefix(kv, "BITBUCKET_ACCESS_TOKEN=") {
			env[i] = "BITBUCKET_ACCESS_TOKEN=" + u.AccessToken
		}
	}
	out, code := execPipe(t, env)
	assert.Equal(t, exitRemote, code, out)
	assert.Contains(t, out, "write:pullrequest:bitbucket")
}

func TestPipeLLMDownStillPostsAnHonestSummary(t *testing.T) {
	f := newFixture(t)
	f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Status: 500} })
	out, code := execPipe(t, f.env("LLM_TIMEOUT=2s"))
	assert.Equal(t, 0, code, out)
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "Review incomplete")
	assert.NotContains(t, summaries[0].Raw, "No issues found")
}

// newGitRepo makes a repository with one commit on main and returns its
// directory and a function that runs git in it.
func newGitRepo(t *testing.T) (string, func(args ...string)) {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	git("init", "-q", "-b", "main")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("x\n"), 0o644))
	git("add", ".")
	git("commit", "-q", "-m", "init")
	return dir, git
}
