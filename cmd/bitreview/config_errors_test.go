package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problemLines returns the "  - …" lines of a configuration error.
func problemLines(out string) []string {
	var p []string
	for _, l := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(l, "  - "); ok {
			p = append(p, s)
		}
	}
	return p
}

// Parse errors and value checks come out together, one line per
// variable, sorted: fixing one mistake never reveals the next.
func TestEveryConfigProblemInOneMessage(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	code := run(t.Context(), []string{"pipe"}, f.env("MAX_COMMENTS=x", "FAIL_ON=severe", "LLM_TIMEOUT=soon", "REVIEW_PROFILE=loud"), &out, &out)
	require.Equal(t, exitConfig, code, out.String())
	lines := problemLines(out.String())
	require.Len(t, lines, 4, out.String())
	assert.True(t, slices.IsSorted(lines), "sorted: %q", lines)
	for i, name := range []string{"FAIL_ON:", "LLM_TIMEOUT:", "MAX_COMMENTS:", "REVIEW_PROFILE:"} {
		assert.True(t, strings.HasPrefix(lines[i], name), "%q", lines[i])
	}
	assert.Contains(t, lines[2], "whole number")
	assert.NotContains(t, out.String(), "=x")
	assert.NotContains(t, out.String(), "severe")
	assert.Zero(t, len(f.bb.Requests()), "nothing was sent")
}

// The warning reaches the pipe's step log, the action's and local
// review's stderr, and the run goes on.
func TestMisspeltVariableWarnsAndGoesOn(t *testing.T) {
	t.Parallel()
	const warning = "MAX_COMENTS is not a bitreview variable and is ignored: did you mean MAX_COMMENTS?"
	t.Run("pipe", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		out, code := execPipe(t, f.env("MAX_COMENTS=1"))
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "! "+warning)
		assert.Contains(t, out, "✔ Published")
	})
	t.Run("action", func(t *testing.T) {
		t.Parallel()
		f := newGHFixture(t)
		out, code := execAction(t, f.env("MAX_COMENTS=1"))
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "! "+warning)
		assert.Contains(t, out, "✔ Published")
	})
	t.Run("review", func(t *testing.T) {
		t.Parallel()
		dir, git := newGitRepo(t)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o644))
		git("add", ".")
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"review", "--base", "HEAD", dir},
			[]string{"PATH=" + os.Getenv("PATH"), "MAX_COMENTS=1", "LLM_PROVIDER=ollama", "LLM_BASE_URL=http://127.0.0.1:1"}, &stdout, &stderr)
		assert.Equal(t, exitOK, code, stderr.String())
		assert.Contains(t, stderr.String(), "⚠ "+warning)
	})
}

// PATH_FILTERS_COUNT=2 with only PATH_FILTERS_0 set reviewed with one
// filter, silently.
func TestListVariableWithMissingEntries(t *testing.T) {
	var out bytes.Buffer
	f := newFixture(t)
	code := run(t.Context(), []string{"pipe"}, f.env("PATH_FILTERS_COUNT=2", "PATH_FILTERS_0=src/**"), &out, &out)
	require.Equal(t, exitConfig, code, out.String())
	assert.Contains(t, out.String(), "PATH_FILTERS_1: not set, but PATH_FILTERS_COUNT is 2")

	out.Reset()
	code = run(t.Context(), []string{"pipe"}, f.env("PATH_FILTERS_COUNT=many", "PATH_FILTERS_0=src/**"), &out, &out)
	require.Equal(t, exitConfig, code, out.String())
	assert.Contains(t, out.String(), "PATH_FILTERS_COUNT: must be a whole number")
}

// An explicitly chosen provider without its key is named as such, not as
// "No LLM configured".
func TestLocalReviewNamesTheMissingKey(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"review", t.TempDir()}, []string{"LLM_PROVIDER=openai"}, &stdout, &stderr)
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, stderr.String(), "LLM_API_KEY: not set")
	assert.NotContains(t, stderr.String(), "No LLM configured")
}

// A hosted provider over plain http is refused with the rest of the
// configuration, before any request; self-hosted servers keep http.
func TestPlainHTTPProviderRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	bad := []string{"LLM_PROVIDER=openai", "LLM_API_KEY=sk-canary", "LLM_BASE_URL=http://llm.example.com/v1"}
	t.Run("pipe", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		out, code := execPipe(t, f.env(bad...))
		require.Equal(t, exitConfig, code, out)
		assert.Contains(t, out, "LLM_BASE_URL: must use https")
		assert.Empty(t, f.bb.Requests(), "the pull request was not fetched")
		assert.NotContains(t, out, "sk-canary")
	})
	t.Run("action", func(t *testing.T) {
		t.Parallel()
		f := newGHFixture(t)
		var inputs []string
		for _, kv := range bad {
			inputs = append(inputs, "INPUT_"+kv)
		}
		out, code := execAction(t, f.env(inputs...))
		require.Equal(t, exitConfig, code, out)
		assert.Contains(t, out, "LLM_BASE_URL: must use https")
		assert.Empty(t, f.gh.Requests())
	})
	t.Run("review", func(t *testing.T) {
		t.Parallel()
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"review", t.TempDir()}, bad, &stdout, &stderr)
		assert.Equal(t, exitConfig, code)
		assert.Contains(t, stderr.String(), "LLM_BASE_URL: must use https")
	})
}

func TestUnknownChatCommandRefused(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	code := run(t.Context(), []string{"pipe"}, f.env("BITREVIEW_PR_ID=7", "BITREVIEW_COMMENT_ID=5", "BITREVIEW_COMMAND=deploy"), &out, &out)
	assert.Equal(t, exitConfig, code, out.String())
	assert.Contains(t, out.String(), "BITREVIEW_COMMAND: must be one of review, full review, summary, pause, resume, help, create issue, ask")
	assert.Empty(t, f.bb.Requests())
}

// setup and doctor send the same token: the same rule.
func TestSetupAndDoctorRefusePlainHTTPAPIURL(t *testing.T) {
	environ := []string{"BITBUCKET_API_URL=http://api.example.com/2.0", "BITBUCKET_ACCESS_TOKEN=t",
		"BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r", "RELAY_WEBHOOK_SECRET=0123456789abcdef0123"}
	for _, args := range [][]string{
		{"setup", "--url", "https://relay.example.com/webhook", "--dry-run"},
		{"doctor", "--for", "pipe"},
		{"relay"},
	} {
		var out bytes.Buffer
		code := run(t.Context(), args, environ, &out, &out)
		assert.Equal(t, exitConfig, code, "%v: %s", args, out.String())
		assert.Contains(t, out.String(), "BITBUCKET_API_URL: must use https", args[0])
	}
}
