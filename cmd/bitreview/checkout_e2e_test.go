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
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// Requirement 31 (issue 15): the checkout is attacker-shaped. Repository
// files reach the model only as git blobs of tracked paths at a known
// commit: a symlink is its target text, never followed; nothing under
// .git/; an untracked, git-ignored file is never read.

// gitConfigCanary is a clone's remote URL with a token in it, as
// Pipelines and actions/checkout leave it in .git/config. It is not shaped
// like a known secret, so the redactor cannot hide a leak from the test.
const gitConfigCanary = "https://x-token-auth:GITCONFIG-CANARY-31@bitbucket.org/acme/shop.git"

// symlinkDiff is the pull request of the issue: leak.go is the one line
// "[core]", a symlink to "[core]", itself a symlink to .git/config, whose
// first line is "[core]" too, so the diff agrees with the file it leads to.
const symlinkDiff = `diff --git a/leak.go b/leak.go
new file mode 120000
index 0000000..1111111
--- /dev/null
+++ b/leak.go
@@ -0,0 +1 @@
+[core]
\ No newline at end of file
diff --git a/[core] b/[core]
new file mode 120000
index 0000000..2222222
--- /dev/null
+++ b/[core]
@@ -0,0 +1 @@
+.git/config
\ No newline at end of file
`

// hostileCheckout commits the symlink chain on top of newGitRepo's main,
// stores the canary remote URL in .git/config, and returns the clone
// directory and the commit.
func hostileCheckout(t *testing.T) (dir, commit string) {
	t.Helper()
	dir, git := newGitRepo(t)
	git("config", "remote.origin.url", gitConfigCanary)
	git("checkout", "-q", "-b", "feature")
	require.NoError(t, os.Symlink("[core]", filepath.Join(dir, "leak.go")))
	require.NoError(t, os.Symlink(".git/config", filepath.Join(dir, "[core]")))
	git("add", ".")
	git("commit", "-q", "-m", "add leak.go")
	return dir, gitOutput(t, dir, "rev-parse", "HEAD")
}

func gitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// assertNoGitConfig fails when anything of .git/config reached the model.
func assertNoGitConfig(t *testing.T, calls []llmtest.Call) {
	t.Helper()
	require.NotEmpty(t, calls, "the model was asked")
	for _, c := range calls {
		for _, leak := range []string{"GITCONFIG-CANARY-31", "repositoryformatversion", "[remote", "OUTSIDE-CANARY"} {
			assert.False(t, strings.Contains(c.System+c.Prompt, leak), "a prompt contains %q", leak)
		}
	}
}

func TestPipeSymlinkChainInTheCloneNeverReachesTheModel(t *testing.T) {
	t.Parallel()
	for name, inClone := range map[string]bool{"head commit in the clone": true, "head commit not fetched": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, commit := hostileCheckout(t)
			head := srcSHA
			if inClone {
				head = commit
			}
			d, err := diffparse.Parse([]byte(symlinkDiff))
			require.NoError(t, err)
			f := &fixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t), diff: d}
			f.bot = f.bb.AddUser(bbtest.NewUser("bitreview-bot"))
			f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{
				ID: 7, Title: "Add leak.go", Description: "x",
				Source:      bbtest.Endpoint{Branch: "feature", Commit: head},
				Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
			}, symlinkDiff)
			f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
				if c.SchemaName == review.WalkthroughSchemaName {
					return llmtest.Reply{JSON: `{"summary":"s","files":[{"path":"leak.go","note":"n","trivial":false}]}`}
				}
				return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
			})
			env := f.env("BITBUCKET_CLONE_DIR="+dir, "BITBUCKET_COMMIT="+head)
			out, code := execPipe(t, env)
			require.Equal(t, 0, code, out)
			assertNoGitConfig(t, f.llm.Calls())
			if inClone {
				assert.Contains(t, allPrompts(f.llm.Calls()), "[core]", "the symlink is reviewed as its target text")
			}
		})
	}
}

func allPrompts(calls []llmtest.Call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.System + "\n" + c.Prompt + "\n")
	}
	return b.String()
}

// The action's workspace holds the same chain and a symlink to a file
// outside the repository; actions/checkout usually lacks the PR head.
func TestActionWorkspaceSymlinksNeverReachTheModel(t *testing.T) {
	t.Parallel()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("package x\nOUTSIDE-CANARY\nmore\n"), 0o600))
	diff := symlinkDiff + `diff --git a/outside.go b/outside.go
new file mode 120000
index 0000000..3333333
--- /dev/null
+++ b/outside.go
@@ -0,0 +1 @@
+package x
\ No newline at end of file
`
	for name, inClone := range map[string]bool{"head commit in the workspace": true, "head commit not fetched": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir, git := newGitRepo(t)
			git("config", "remote.origin.url", gitConfigCanary)
			require.NoError(t, os.Symlink("[core]", filepath.Join(dir, "leak.go")))
			require.NoError(t, os.Symlink(".git/config", filepath.Join(dir, "[core]")))
			require.NoError(t, os.Symlink(outside, filepath.Join(dir, "outside.go")))
			git("add", ".")
			git("commit", "-q", "-m", "symlinks")
			head := srcSHA
			if inClone {
				head = gitOutput(t, dir, "rev-parse", "HEAD")
			}
			f := newGHFixture(t)
			require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
				Number: 7, Title: "Add links", Body: "x", Author: "alice",
				HeadRef: "feature", BaseRef: "main", HeadSHA: head, BaseSHA: dstSHA, Diff: diff,
			}))
			f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
				if c.SchemaName == review.WalkthroughSchemaName {
					return llmtest.Reply{JSON: `{"summary":"s","files":[]}`}
				}
				return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
			})
			out, code := execAction(t, f.env("GITHUB_WORKSPACE="+dir))
			require.Equal(t, 0, code, out)
			assertNoGitConfig(t, f.llm.Calls())
		})
	}
}

// A local review of a hostile checkout: the PR branch carries the symlink
// chain, and the committed config names an untracked, git-ignored .env and
// the git config as guidelines.
func TestLocalReviewOfHostileCheckout(t *testing.T) {
	t.Parallel()
	dir, git := newGitRepo(t)
	git("config", "remote.origin.url", gitConfigCanary)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(".env\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".bitreview.yaml"), []byte("guidelines: [.env, .git/config, GUIDE.md]\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "GUIDE.md"), []byte("TRACKED-GUIDE-TEXT\n"), 0o644))
	git("add", ".")
	git("commit", "-q", "-m", "config")
	git("checkout", "-q", "-b", "feature")
	require.NoError(t, os.Symlink("[core]", filepath.Join(dir, "leak.go")))
	require.NoError(t, os.Symlink(".git/config", filepath.Join(dir, "[core]")))
	git("add", ".")
	git("commit", "-q", "-m", "leak")
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("ENV-CANARY-31\n"), 0o600))

	stub := noFindingsStub(t, "leak.go")
	stdout, stderr, code := runReview(t, stub, "--base", "main", "--format", "markdown", dir)
	require.Equal(t, exitOK, code, stderr)

	assertNoGitConfig(t, stub.Calls())
	prompts := allPrompts(stub.Calls())
	assert.False(t, strings.Contains(prompts, "ENV-CANARY-31"), "the untracked .env reached the model")
	assert.Contains(t, prompts, "TRACKED-GUIDE-TEXT", "a tracked guideline is still used")
	for _, where := range []string{stderr, stdout} {
		assert.Contains(t, where, "guideline .env refused: not tracked at main")
		assert.Contains(t, where, "guideline .git/config refused: under .git/")
	}
}

// GitHub's contents endpoint follows a symlink to a file of the repository;
// a guideline that is a symlink on the base branch is refused instead.
func TestActionGuidelineSymlinkIsNotFollowed(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	f.gh.SetFile(dstSHA, ".bitreview.yaml", "guidelines: [docs/guide.md, CONTRIBUTING.md]\n")
	f.gh.SetFile(dstSHA, "deploy/secrets.md", "FOLLOWED-LINK-CANARY\n")
	f.gh.SetSymlink(dstSHA, "docs/guide.md", "../deploy/secrets.md")
	f.gh.SetFile(dstSHA, "CONTRIBUTING.md", "REGULAR-GUIDE-TEXT\n")
	out, code := execAction(t, f.env())
	require.Equal(t, 0, code, out)
	prompts := allPrompts(f.llm.Calls())
	assert.False(t, strings.Contains(prompts, "FOLLOWED-LINK-CANARY"), "the link's target reached the model")
	assert.Contains(t, prompts, "REGULAR-GUIDE-TEXT")
	assert.Contains(t, out, "guideline docs/guide.md refused: a symlink")
}

// The local review's snapshot leaves the checkout as it was: the index
// (staged and unstaged changes stay apart), the stash list and the working
// tree. Staged and unstaged edits are reviewed, untracked files are not,
// and a tracked file replaced by a symlink in the working tree is its
// target text.
func TestLocalReviewSnapshotLeavesTheCheckoutAlone(t *testing.T) {
	t.Parallel()
	dir, git := newGitRepo(t)
	git("config", "remote.origin.url", gitConfigCanary)
	for name, text := range map[string]string{"a.go": "package a\n", "b.go": "package b\n", "c.go": "package c\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	git("add", ".")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "feature")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n\nconst Staged = 1\n"), 0o644))
	git("add", "a.go")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.go"), []byte("package b\n\nconst Unstaged = 2\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "c.go")))
	require.NoError(t, os.Symlink(".git/config", filepath.Join(dir, "c.go")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "new.go"), []byte("package n\n\nconst Untracked = 3\n"), 0o644))
	index, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	require.NoError(t, err)
	status := gitOutput(t, dir, "status", "--porcelain")
	stash := gitOutput(t, dir, "stash", "list")

	stub := llmtest.NewOpenAI(t)
	stub.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"s","files":[]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
	})
	cmd := exec.Command(binary, "review", "--base", "main", dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + stub.URL, "LLM_MODEL=stub-model"}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))

	prompts := allPrompts(stub.Calls())
	assert.Contains(t, prompts, "const Staged = 1")
	assert.Contains(t, prompts, "const Unstaged = 2")
	assert.NotContains(t, prompts, "const Untracked = 3", "untracked files are not part of the review")
	assertNoGitConfig(t, stub.Calls())
	after, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
	require.NoError(t, err)
	assert.Equal(t, index, after, "the index is untouched")
	assert.Equal(t, status, gitOutput(t, dir, "status", "--porcelain"))
	assert.Equal(t, stash, gitOutput(t, dir, "stash", "list"))
}
