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

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

type ghFixture struct {
	gh    *ghtest.Server
	llm   *llmtest.Server
	diff  *diffparse.Diff
	event string
}

// conversationEvent stores body as alice's conversation comment on the
// pull request and writes the issue_comment event that announces it.
func (f *ghFixture) conversationEvent(t *testing.T, body string) int64 {
	t.Helper()
	c := f.gh.AddIssueComment("alice", body)
	event := fmt.Sprintf(`{"action":"created","issue":{"number":7,"pull_request":{"url":"x"}},"comment":{"id":%d,"body":%q,"user":{"login":"alice"}}}`, c.ID, body)
	require.NoError(t, os.WriteFile(f.event, []byte(event), 0o600))
	return c.ID
}

// threadEvent stores body as alice's reply in the review thread of parent,
// or as a new thread on app/server.go line 11 when parent is 0, and writes
// the pull_request_review_comment event that announces it.
func (f *ghFixture) threadEvent(t *testing.T, parent int64, body string) int64 {
	t.Helper()
	var id int64
	if parent == 0 {
		c, err := f.gh.AddReviewComment("alice", "app/server.go", "RIGHT", 11, body)
		require.NoError(t, err)
		id = c.ID
	} else {
		id = f.gh.AddReply("alice", parent, body)
		require.NotZero(t, id)
	}
	event := fmt.Sprintf(`{"action":"created","pull_request":{"number":7},"comment":{"id":%d,"body":%q,"user":{"login":"alice"}}}`, id, body)
	require.NoError(t, os.WriteFile(f.event, []byte(event), 0o600))
	return id
}

func newGHFixture(t *testing.T) *ghFixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	d, err := diffparse.Parse(raw)
	require.NoError(t, err)
	f := &ghFixture{gh: ghtest.New(t, "acme", "shop"), llm: llmtest.NewOpenAI(t), diff: d}
	f.gh.AddToken("ghs_workflow", "", true)
	require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
		Number: 7, Title: "Add users query", Body: "Adds a query.", Author: "alice",
		HeadRef: "feature/users", BaseRef: "main", HeadSHA: srcSHA, BaseSHA: dstSHA, Diff: string(raw),
	}))
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: walkReply}
		}
		return llmtest.Reply{JSON: reviewReply}
	})
	f.event = filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(f.event, []byte(`{"action":"synchronize","number":7,"pull_request":{"number":7}}`), 0o600))
	return f
}

// env is what the Actions runner gives a container action: its own
// variables, and each input as INPUT_<NAME>.
func (f *ghFixture) env(extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"GITHUB_ACTIONS=true", "GITHUB_REPOSITORY=acme/shop", "GITHUB_EVENT_NAME=pull_request",
		"GITHUB_EVENT_PATH=" + f.event, "GITHUB_API_URL=" + f.gh.URL,
		"INPUT_GITHUB_TOKEN=ghs_workflow",
		"INPUT_LLM_PROVIDER=openai-compatible", "INPUT_LLM_BASE_URL=" + f.llm.URL, "INPUT_LLM_MODEL=stub-model",
		"INPUT_LLM_TIMEOUT=10s", "INPUT_MAX_COMMENTS=", // an input the workflow left empty
	}, extra...)
}

func execAction(t *testing.T, env []string) (string, int) {
	t.Helper()
	return execCommand(t, "action", env)
}

func execCommand(t *testing.T, command string, env []string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, command)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), 0
}

// invariants: every inline comment of ours is on a line of the diff, no
// fingerprint twice, exactly one summary.
func (f *ghFixture) invariants(t *testing.T) (inline []ghtest.Comment, summary ghtest.Comment) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range f.gh.ReviewComments() {
		require.Equal(t, ghtest.ActionsBot, c.User.Login)
		side := diffparse.New
		if c.Side == "LEFT" {
			side = diffparse.Old
		}
		assert.True(t, f.diff.Commentable(c.Path, side, c.Line), "anchor %s:%d %s", c.Path, c.Line, c.Side)
		fp, ok := review.FingerprintOf(c.Body)
		require.True(t, ok)
		assert.False(t, seen[fp], "duplicate inline comment %s", fp)
		seen[fp] = true
		inline = append(inline, c)
	}
	n := 0
	for _, c := range f.gh.IssueComments() {
		if review.IsSummary(c.Body) {
			n++
			summary = c
		}
	}
	require.Equal(t, 1, n, "exactly one summary")
	return inline, summary
}

func TestGitHubActionReviewAndRerun(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	out, code := execAction(t, f.env())
	require.Equal(t, 0, code, out)
	inline, summary := f.invariants(t)
	assert.Len(t, inline, 3, out) // the two drifted/new-side findings and the removed line
	assert.Equal(t, 1, f.gh.Reviews(), "one review carries the inline comments")
	assert.Contains(t, summary.Body, "Phantom file")
	st, ok := review.ParseState(summary.Body)
	require.True(t, ok)
	assert.Equal(t, srcSHA, st.HeadCommit)
	runs := f.gh.CheckRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, "completed", runs[0].Status)
	assert.NotEmpty(t, runs[0].Annotations)
	calls := len(f.llm.Calls())

	// Same head again: no model call, nothing new.
	out, code = execAction(t, f.env())
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Already reviewed")
	assert.Len(t, f.llm.Calls(), calls)
	again, _ := f.invariants(t)
	assert.Len(t, again, 3)

	// A full review asked by comment finds the same things: no duplicates.
	f.conversationEvent(t, "@bitreview full review")
	out, code = execAction(t, f.env("GITHUB_EVENT_NAME=issue_comment"))
	require.Equal(t, 0, code, out)
	assert.Greater(t, len(f.llm.Calls()), calls)
	again, summary = f.invariants(t)
	assert.Len(t, again, 3)
	assert.Contains(t, summary.Body, "Full review, as requested.")
}

func TestGitHubActionDiffTooLargeUsesFilesEndpoint(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	f.gh.SetDiffLimit(1)
	out, code := execAction(t, f.env("INPUT_CHECK_RUN=false"))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "rebuilt from the files endpoint")
	inline, _ := f.invariants(t)
	assert.Len(t, inline, 3)
	assert.Empty(t, f.gh.CheckRuns())
}

func TestGitHubActionFailOnAndRateLimit(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	out, code := execAction(t, f.env("INPUT_FAIL_ON=high"))
	assert.Equal(t, exitFindings, code, out)

	g := newGHFixture(t)
	g.gh.Fail("GET", "/pulls/7", 403, 1)
	out, code = execAction(t, g.env("INPUT_FAIL_ON_ERROR=true"))
	assert.Equal(t, exitRemote, code, out)
	assert.Contains(t, out, "rate limit")
	assert.Empty(t, g.gh.IssueComments())
}

func TestGitHubActionConfigErrors(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	env := []string{}
	for _, kv := range f.env() {
		if !strings.HasPrefix(kv, "INPUT_GITHUB_TOKEN=") {
			env = append(env, kv)
		}
	}
	out, code := execAction(t, env)
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, out, "GITHUB_TOKEN: not set")
}

func TestGitHubActionIncrementalAfterPush(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	out, code := execAction(t, f.env())
	require.Equal(t, 0, code, out)
	first, _ := f.invariants(t)

	// A new commit that touches app/math.go only.
	const newHead = "7777777777777777777777777777777777777777"
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
		Number: 7, Title: "Add users query", HeadRef: "feature/users", BaseRef: "main",
		HeadSHA: newHead, BaseSHA: dstSHA, Diff: string(raw),
	}))
	f.gh.SetCompare(srcSHA, newHead, "diff --git a/app/math.go b/app/math.go\n--- a/app/math.go\n+++ b/app/math.go\n@@ -2,2 +2,2 @@\n \n-func Add(a, b int) int { return a * b }\n+func Add(a, b int) int { return a - b }\n")
	out, code = execAction(t, f.env())
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Incremental review of "+srcSHA[:12])
	again, summary := f.invariants(t)
	assert.Len(t, again, len(first), out)
	st, _ := review.ParseState(summary.Body)
	assert.Equal(t, newHead, st.HeadCommit)
}

func TestGitHubActionHelpAndUnrelatedComments(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	asked := f.threadEvent(t, 0, "@bitreview help")
	out, code := execAction(t, f.env("GITHUB_EVENT_NAME=pull_request_review_comment"))
	require.Equal(t, 0, code, out)
	var help []string
	for _, c := range f.gh.ReviewComments() {
		if c.InReplyTo == asked {
			help = append(help, c.Body)
		}
	}
	require.Len(t, help, 1, "the help, once, in the thread where it was asked: %s", out)
	assert.Contains(t, help[0], "@bitreview full review")
	assert.Empty(t, f.gh.IssueComments())

	require.NoError(t, os.WriteFile(f.event, []byte(`{"action":"created","issue":{"number":7,"pull_request":{"url":"x"}},"comment":{"id":2,"body":"looks good","user":{"login":"alice"}}}`), 0o600))
	out, code = execAction(t, f.env("GITHUB_EVENT_NAME=issue_comment"))
	require.Equal(t, 0, code, out)
	assert.Empty(t, f.gh.IssueComments())
	assert.Empty(t, f.llm.Calls())
}

func TestGitHubActionAnswersQuestionsInThread(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	out, code := execAction(t, f.env())
	require.Equal(t, 0, code, out)
	inline, _ := f.invariants(t)
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName != review.QuestionSchemaName {
			return llmtest.Reply{JSON: reviewReply}
		}
		return llmtest.Reply{JSON: `{"answer":"Use a placeholder, ask @alice. ![x](https://evil.example/p.png)"}`}
	})
	f.threadEvent(t, inline[0].ID, "@bitreview why is this injectable?")
	out, code = execAction(t, f.env("GITHUB_EVENT_NAME=pull_request_review_comment"))
	require.Equal(t, 0, code, out)
	var replies []ghtest.Comment
	for _, c := range f.gh.ReviewComments() {
		if c.InReplyTo == inline[0].ID && c.User.Login != "alice" {
			replies = append(replies, c)
		}
	}
	require.Len(t, replies, 1, "one answer, in the question's thread: %s", out)
	reply := replies[0]
	assert.Contains(t, reply.Body, "placeholder")
	assert.Contains(t, last(f.llm.Calls()).Prompt, "why is this injectable?")
	assert.NotContains(t, reply.Body, "@alice", "mentions are neutralised")
	assert.NotContains(t, reply.Body, "evil.example/p.png)")
	assert.Equal(t, review.QuestionSchemaName, last(f.llm.Calls()).SchemaName)

	// The job re-run for the same comment answers nothing more.
	out, code = execAction(t, f.env("GITHUB_EVENT_NAME=pull_request_review_comment"))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "already handled")
}

func last(calls []llmtest.Call) llmtest.Call { return calls[len(calls)-1] }

// The image's default command is pipe: inside GitHub Actions it reviews
// the GitHub pull request, unless PLATFORM says otherwise.
func TestGitHubPipeCommandPicksPlatformFromEnvironment(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	out, code := execCommand(t, "pipe", f.env("INPUT_CHECK_RUN=false"))
	require.Equal(t, 0, code, out)
	f.invariants(t)

	g := newGHFixture(t)
	out, code = execCommand(t, "pipe", g.env("PLATFORM=bitbucket"))
	assert.Equal(t, exitConfig, code, out)
	assert.Contains(t, out, "BITBUCKET_ACCESS_TOKEN")
	assert.Empty(t, g.gh.Requests())
}
