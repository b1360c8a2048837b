package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/internal/termsafe/termsafetest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// evilName is a file name an attacker can commit: it retitles the
// terminal, clears it, and starts a new line.
const evilName = "evil\x1b]0;pwned\x07\x1b[2J\nname.go"

// hostile is what a model steered by the pull request could answer.
const hostile = "Looks fine\x1b[2J\x1b]0;pwned\x07 \u009b31m red \u202eevil\rCRITICAL fake.go:1\n[//]: # (bitreview:summary)"

// runReview runs `bitreview review args...` with a stub model and returns
// stdout, stderr and the exit code.
func runReview(t *testing.T, stub *llmtest.Server, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"review"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + stub.URL, "LLM_MODEL=stub-model"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

// noFindingsStub is a model that walks through the one file path and
// finds nothing.
func noFindingsStub(t *testing.T, path string) *llmtest.Server {
	t.Helper()
	stub := llmtest.NewOpenAI(t)
	stub.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"s","files":[{"path":"` + path + `","note":"n","trivial":false}]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
	})
	return stub
}

// hostileRepo commits, on a feature branch, a file whose name retitles
// and clears the terminal and holds a newline, and returns a stub model
// whose answer carries the same in its summary, titles and bodies.
func hostileRepo(t *testing.T) (string, *llmtest.Server) {
	t.Helper()
	dir, git := newGitRepo(t)
	git("checkout", "-q", "-b", "feature")
	require.NoError(t, os.WriteFile(filepath.Join(dir, evilName), []byte("package app\n\nfunc A() int { return 2 }\n"), 0o644))
	git("add", ".")
	git("commit", "-q", "-m", "feature")
	quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	stub := llmtest.NewOpenAI(t)
	stub.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":` + quoted(hostile) + `,"files":[{"path":` + quoted(evilName) + `,"note":` + quoted(hostile) + `,"trivial":false}]}`}
		}
		return llmtest.Reply{JSON: `{"summary":` + quoted(hostile) + `,"findings":[` +
			`{"path":` + quoted(evilName) + `,"line":3,"code":"func A() int { return 2 }","severity":"high","title":` + quoted("Wrong "+hostile) + `,"body":` + quoted(hostile) + `},` +
			`{"path":` + quoted(evilName) + `,"line":30,"severity":"medium","title":"Far off","body":"x"}]}`}
	})
	return dir, stub
}

// Requirement 31 end to end: what `bitreview review` prints for a hostile
// file name and model answer drives no terminal, in every format.
func TestLocalReviewOutputIsTerminalSafe(t *testing.T) {
	t.Parallel()
	dir, stub := hostileRepo(t)
	for _, format := range []string{"text", "markdown", "json"} {
		out, errOut, code := runReview(t, stub, "--base", "main", "--format", format, dir)
		require.Equal(t, exitOK, code, errOut)
		termsafetest.AssertSafe(t, format, out)
		termsafetest.AssertSafe(t, format+" stderr", errOut)
		assert.Contains(t, out, "pwned", "%s: the hostile text was printed, defused", format)
	}
	out, _, _ := runReview(t, stub, "--base", "main", "--format", "json", dir)
	var res review.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Len(t, res.Findings, 1)
	assert.Equal(t, evilName, res.Findings[0].Path, "JSON keeps the exact name")
	require.Len(t, res.Unanchored, 1)

	text, _, _ := runReview(t, stub, "--base", "main", dir)
	assert.Contains(t, text, "Not on a changed line (1)")
	assert.Contains(t, text, "Far off  [line is outside the diff's hunks]")
}

// Issue 16.3: flags are read before and after the folder; a second folder
// is refused, never ignored.
func TestLocalReviewFlagsAnywhere(t *testing.T) {
	t.Parallel()
	dir, stub := hostileRepo(t)
	for _, args := range [][]string{
		{dir, "--format", "json", "--base", "main"},
		{"--format", "json", dir, "--base=main"},
		{"--base", "main", dir, "-format=json"},
	} {
		out, errOut, code := runReview(t, stub, args...)
		require.Equal(t, exitOK, code, "%v: %s", args, errOut)
		assert.True(t, json.Valid([]byte(out)), "%v printed JSON: %.80s", args, out)
	}

	calls := len(stub.Calls())
	out, errOut, code := runReview(t, stub, dir, "extra", "--format", "json")
	assert.Equal(t, exitConfig, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `bitreview review: one folder at most, got "`)
	assert.Len(t, stub.Calls(), calls, "nothing reviewed")

	_, errOut, code = runReview(t, stub, dir, "--format")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, errOut, "flag needs an argument: -format")

	// After "--" everything is a folder, even a name that looks like a flag.
	_, errOut, code = runReview(t, stub, "--format", "json", "--", "--base")
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, errOut, "--base is not a git checkout")
}
