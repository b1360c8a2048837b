package main

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// Requirement 32 end to end: a database URL with a password, in every
// place the model reads, never reaches a prompt; tokens in the title never
// reach the step log.

// passwordCanary is the password of every URL these tests plant.
const passwordCanary = "PASSWORD"

// dsn is a database URL carrying the canary password, tagged by where it
// was planted.
func dsn(where string) string {
	return "postgres://admin:" + passwordCanary + "-" + where + "@db.internal/app"
}

// assertNoPassword fails when the canary, in any form a leak could take,
// is in text.
func assertNoPassword(t *testing.T, where, text string) {
	t.Helper()
	for _, v := range []string{passwordCanary, "admin:" + passwordCanary} {
		for _, f := range []string{v, base64.StdEncoding.EncodeToString([]byte(v)), url.QueryEscape("@" + v)} {
			assert.NotContains(t, text, f, where)
		}
	}
	// base64 of the canary at each of the three alignments, inside a
	// longer encoded text.
	for pad := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", pad) + passwordCanary))
		assert.NotContains(t, text, enc[4:len(enc)-4], where)
	}
}

// dbSource is app/db.go at the pull request's head: line 3 is outside the
// diff (context only), line 5 is added.
var dbSource = "package app\n\n// Staging: " + dsn("context") + "\nvar staging = 1\nvar prod = \"" + dsn("diff") + "\"\n\nfunc Open() {}\n"

const dbDiff = "diff --git a/app/db.go b/app/db.go\nindex 1111111..2222222 100644\n--- a/app/db.go\n+++ b/app/db.go\n" +
	"@@ -4,2 +4,3 @@\n var staging = 1\n+var prod = \"postgres://admin:PASSWORD-diff@db.internal/app\"\n \n"

// emptyReview answers every request without findings.
func emptyReview(c llmtest.Call) llmtest.Reply {
	if c.SchemaName == review.WalkthroughSchemaName {
		return llmtest.Reply{JSON: `{"summary":"Adds a production DSN.","files":[]}`}
	}
	return llmtest.Reply{JSON: `{"summary":"Nothing to add.","findings":[]}`}
}

func TestPipeRedactsURLCredentialsInEveryPromptInput(t *testing.T) {
	t.Parallel()
	c := newCanarySet(32)
	s := newSafetyFixture(t, c, "Rotate "+c.GitHub+" and "+c.AWS+" for "+dsn("title"), "Deploy with "+dsn("description")+".", dbDiff)
	s.bb.AddFile(ws, slug, srcSHA, "app/db.go", dbSource)
	s.bb.AddFile(ws, slug, dstSHA, ".bitreview.yaml", "guidelines: [CONTRIBUTING.md]\npaths:\n  - path: 'app/**'\n    instructions: Test against "+dsn("instruction")+"\n")
	s.bb.AddFile(ws, slug, dstSHA, "CONTRIBUTING.md", "Run the tests against "+dsn("guideline")+" first.")
	s.llm.SetDefault(emptyReview)

	log, code := execPipe(t, s.env())
	require.Equal(t, 0, code, log)
	calls := s.llm.Calls()
	require.Len(t, calls, 1, "one call: the review, which writes the walkthrough too")
	var prompts strings.Builder
	for _, call := range calls {
		prompts.WriteString(call.System + "\n" + call.Prompt + "\n" + string(call.Body) + "\n")
	}
	p := prompts.String()
	for _, where := range []string{"context", "guideline", "instruction", "description", "title"} {
		assert.Contains(t, p, "postgres://[REDACTED url-credentials]@db.internal/app", where)
	}
	assert.Contains(t, p, "Staging: postgres://[REDACTED url-credentials]@db.internal/app", "the context line was sent, redacted")
	assert.Contains(t, p, "against postgres://[REDACTED url-credentials]@db.internal/app first", "the guideline was sent, redacted")
	assertNoPassword(t, "LLM prompts", p)

	_, inline := s.comments()
	require.Len(t, inline, 1, log)
	assert.Equal(t, 5, inline[0].Inline.To)
	assert.Contains(t, inline[0].Raw, "Critical · security** — Possible secret committed (url-credentials)")
	for where, text := range s.outbound(t, log) {
		assertNoPassword(t, where, text)
		assertNoCanary(t, where, text, c)
	}
}

// The step log names the pull request by its title, redacted.
func TestStepLogRedactsTheTitle(t *testing.T) {
	t.Parallel()
	c := newCanarySet(33)
	s := newSafetyFixture(t, c, "Rotate "+c.GitHub+" "+c.AWS+" "+dsn("title"), "Routine.", dbDiff)
	s.llm.SetDefault(emptyReview)
	log, code := execPipe(t, s.env())
	require.Equal(t, 0, code, log)
	// Redacted before the cut at 80 characters.
	assert.Contains(t, log, `✔ Pull request #7 fetched: "Rotate [REDACTED github-pat] [REDACTED aws-access-token] postgres://[REDACTED ur…" (feature/x → main)`)
	assertNoPassword(t, "step log", log)
	assertNoCanary(t, "step log", log, c)
}

func TestChatRedactsURLCredentials(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	s := newSafetyFixture(t, newCanarySet(34), "Move to "+dsn("title"), "Adds a query.", string(raw))
	root := s.bb.AddComment(ws, slug, 7, bbtest.Comment{User: bbtest.NewUser("bob"), Raw: "Staging is " + dsn("thread") + ", is that safe?", Inline: &bbtest.Inline{Path: "app/server.go", To: 11}})
	q := s.bb.AddComment(ws, slug, 7, bbtest.Comment{User: bbtest.NewUser("alice"), Raw: "@bitreview can we use " + dsn("question") + " here?", ParentID: root.ID, Inline: &bbtest.Inline{Path: "app/server.go", To: 11}})
	s.llm.SetDefault(func(llmtest.Call) llmtest.Reply {
		return llmtest.Reply{JSON: `{"answer":"Load it from a secured variable."}`}
	})

	out, code := execPipe(t, s.env("BITREVIEW_PR_ID=7", "BITREVIEW_COMMENT_ID="+strconv.Itoa(q.ID), "BITREVIEW_COMMAND=ask"))
	require.Equal(t, 0, code, out)
	calls := s.llm.Calls()
	require.Len(t, calls, 1, out)
	assert.Contains(t, calls[0].Prompt, "can we use postgres://[REDACTED")
	assert.Contains(t, calls[0].Prompt, "Staging is postgres://[REDACTED")
	assertNoPassword(t, "chat prompt", calls[0].System+calls[0].Prompt+string(calls[0].Body))
	assertNoPassword(t, "step log", out)
}

func TestGitHubChatRedactsURLCredentials(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
		Number: 7, Title: "Move to " + dsn("title"), Body: "Deploy with " + dsn("description"), Author: "alice",
		HeadRef: "feature/users", BaseRef: "main", HeadSHA: srcSHA, BaseSHA: dstSHA, Diff: string(raw),
	}))
	f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{JSON: `{"answer":"Load it from a secret."}`} })
	f.conversationEvent(t, fmt.Sprintf("@bitreview can we use %s here?", dsn("question")))
	out, code := execAction(t, f.env("GITHUB_EVENT_NAME=issue_comment"))
	require.Equal(t, 0, code, out)
	calls := f.llm.Calls()
	require.Len(t, calls, 1, out)
	assert.Contains(t, calls[0].Prompt, "can we use postgres://[REDACTED")
	assertNoPassword(t, "GitHub chat prompt", calls[0].System+calls[0].Prompt+string(calls[0].Body))
	assertNoPassword(t, "step log", out)
}
