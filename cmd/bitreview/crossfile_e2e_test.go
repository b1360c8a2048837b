package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/internal/gittest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// Issue 18: cross-file context. The pull request swallows an error whose
// meaning is documented in another package; the doc must reach the
// model when the run has a clone of the head commit, and the summary
// must say that cross-file context was off when it has none.

// xrefBase is the repository before the pull request.
var xrefBase = map[string]string{
	"go.mod": "module example.com/shop\n\ngo 1.22\n",
	"store/store.go": "package store\n\nimport \"errors\"\n\n// ErrConflict is a conflict.\nvar ErrConflict = errors.New(\"conflict\")\n\n" +
		"// Save writes v. It returns ErrConflict when the row changed since it\n// was read: XREF-CANARY callers must retry.\n// Tested against postgres://admin:XREF-PASSWORD-7@db.internal/app.\nfunc Save(v string) error { return nil }\n",
	"web/put.go": "package web\n\nimport \"example.com/shop/store\"\n\nfunc put(v string) error {\n\tif err := store.Save(v); err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n",
}

// xrefHead is the pull request's change.
var xrefHead = map[string]string{
	"web/put.go": strings.Replace(xrefBase["web/put.go"], "err != nil {", "err != nil && err != store.ErrConflict {", 1),
}

func xrefReply(c llmtest.Call) llmtest.Reply {
	if c.SchemaName == review.WalkthroughSchemaName {
		return llmtest.Reply{JSON: `{"summary":"s","files":[{"path":"web/put.go","note":"n","trivial":false}]}`}
	}
	return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
}

func TestPipeCrossFileContextFromTheClone(t *testing.T) {
	t.Parallel()
	dir, head, raw := gittest.Change(t, xrefBase, xrefHead)
	for name, clone := range map[string]bool{"clone of the head": true, "no clone": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &fixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t)}
			f.bot = f.bb.AddUser(bbtest.NewUser("bitreview-bot"))
			f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{
				ID: 7, Title: "Ignore conflicts", Description: "x",
				Source:      bbtest.Endpoint{Branch: "feature", Commit: head},
				Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
			}, string(raw))
			f.llm.SetDefault(xrefReply)
			env := f.env("BITBUCKET_COMMIT="+head, "DEBUG=true")
			if clone {
				env = append(env, "BITBUCKET_CLONE_DIR="+dir)
			}
			out, code := execPipe(t, env)
			require.Equal(t, 0, code, out)
			summaries, _ := f.comments()
			require.Len(t, summaries, 1)
			if clone {
				assert.Contains(t, allPrompts(f.llm.Calls()), "XREF-CANARY callers must retry")
				assert.Contains(t, allPrompts(f.llm.Calls()), "postgres://[REDACTED url-credentials]@db.internal/app", "context is redacted like the diff")
				assert.NotContains(t, allPrompts(f.llm.Calls()), "XREF-PASSWORD-7")
				assert.NotContains(t, summaries[0].Raw, "Cross-file context was off")
				assert.Contains(t, out, "cross-file context: 2 snippet(s)") // Save and ErrConflict
				return
			}
			assert.NotContains(t, allPrompts(f.llm.Calls()), "XREF-CANARY")
			assert.Contains(t, summaries[0].Raw, "Cross-file context was off: no clone of the head commit")
		})
	}
}

func TestActionCrossFileContextFromTheWorkspace(t *testing.T) {
	t.Parallel()
	dir, head, raw := gittest.Change(t, xrefBase, xrefHead)
	f := &ghFixture{gh: ghtest.New(t, "acme", "shop"), llm: llmtest.NewOpenAI(t)}
	f.gh.AddToken("ghs_workflow", "", true)
	require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
		Number: 7, Title: "Ignore conflicts", Body: "x", Author: "alice",
		HeadRef: "feature", BaseRef: "main", HeadSHA: head, BaseSHA: dstSHA, Diff: string(raw),
	}))
	f.llm.SetDefault(xrefReply)
	f.event = filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(f.event, []byte(`{"action":"synchronize","number":7,"pull_request":{"number":7}}`), 0o600))
	out, code := execAction(t, f.env("GITHUB_WORKSPACE="+dir))
	require.Equal(t, 0, code, out)
	assert.Contains(t, allPrompts(f.llm.Calls()), "XREF-CANARY callers must retry")
}

func TestLocalReviewCrossFileContext(t *testing.T) {
	t.Parallel()
	dir, _, _ := gittest.Change(t, xrefBase, nil)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "web/put.go"), []byte(xrefHead["web/put.go"]), 0o644))
	stub := llmtest.NewOpenAI(t)
	stub.SetDefault(xrefReply)
	cmd := exec.Command(binary, "review", "--base", "main", dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + stub.URL, "LLM_MODEL=stub-model"}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Contains(t, allPrompts(stub.Calls()), "XREF-CANARY callers must retry", "the local review has a clone: its snapshot")
}
