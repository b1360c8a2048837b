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

func TestUnknownVariablesAreNamedWithTheClosest(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"LLM_MODLE", "LLM_MODEL"},
		{"MAX_COMENTS", "MAX_COMMENTS"},
		{"FAILON", "FAIL_ON"},
		{"LLM_APIKEY", "LLM_API_KEY"},
		{"BITBUCKET_ACCES_TOKEN", "BITBUCKET_ACCESS_TOKEN"},
		{"PATH_FILTER", "PATH_FILTERS"},
		{"REVIEW_LANGAUGE", "REVIEW_LANGUAGE"},
		{"MIN_SEVERTY", "MIN_SEVERITY"},
		{"BITBUCKET_ACESS_TOKN", "BITBUCKET_ACCESS_TOKEN"},
	} {
		got := unknownVariables([]string{tc.name + "=s3cr3t", "LLM_MODEL=x"})
		if assert.Len(t, got, 1, tc.name) {
			assert.Equal(t, tc.name+" is not a bitreview variable and is ignored: did you mean "+tc.want+"?", got[0])
		}
	}
}

// What Pipelines, GitHub Actions, the relay and the shell set is never
// warned about, nor are names unlike ours.
func TestUnknownVariablesLeaveOthersAlone(t *testing.T) {
	environ := []string{
		"CI=true", "BITBUCKET_BUILD_NUMBER=1", "BITBUCKET_CLONE_DIR=/x", "BITBUCKET_COMMIT=a", "BITBUCKET_WORKSPACE=w",
		"BITBUCKET_REPO_SLUG=r", "BITBUCKET_REPO_UUID={u}", "BITBUCKET_REPO_FULL_NAME=w/r", "BITBUCKET_BRANCH=b",
		"BITBUCKET_TAG=t", "BITBUCKET_PR_ID=1", "BITBUCKET_PR_DESTINATION_BRANCH=main", "BITBUCKET_GIT_HTTP_ORIGIN=x",
		"BITBUCKET_GIT_SSH_ORIGIN=x", "BITBUCKET_EXIT_CODE=0", "BITBUCKET_DEPLOYMENT_ENVIRONMENT=x",
		"BITBUCKET_PR_DESTINATION_COMMIT=a", "BITBUCKET_PIPELINE_UUID={u}", "BITBUCKET_STEP_UUID={u}",
		"BITBUCKET_STEP_TRIGGERER_UUID={u}", "BITBUCKET_PROJECT_KEY=P", "BITBUCKET_PROJECT_UUID={u}",
		"BITBUCKET_WORKSPACE_UUID={u}", "BITBUCKET_STEP_OIDC_TOKEN=t", "BITBUCKET_PIPE_STORAGE_DIR=/x",
		"BITBUCKET_PIPE_SHARED_STORAGE_DIR=/x", "BITBUCKET_PARALLEL_STEP=0", "BITBUCKET_PARALLEL_STEP_COUNT=1",
		"BITBUCKET_SSH_KEY_FILE=/x", "BITBUCKET_DOCKER_HOST_INTERNAL=x", "BITBUCKET_BOOKMARK=x",
		"BITREVIEW_PR_ID=1", "BITREVIEW_COMMENT_ID=2", "BITREVIEW_COMMAND=review", "BITREVIEW_OPENAPI=/x",
		"RELAY_LISTEN=:1", "RELAY_WEBHOOK_SECRET=x", "RELAY_BOT_NAME=b", "RELAY_ALLOWED_UUIDS=x", "RELAY_LISTN=:1",
		"INPUT_LLM_MODLE=x", "INPUT_GITHUB_TOKEN=x", "GITHUB_TOKEN=x", "GITHUB_ACTIONS=true", "GITHUB_EVENT_PATH=/x",
		"GITHUB_TOKN=x", "CHECK_RUN=true", "PLATFORM=github",
		"PATH=/bin", "HOME=/root", "PATH_FILTERS_COUNT=2", "PATH_FILTERS_0=a", "PATH_FILTERS_1=b",
		"DEBUGINFOD_URLS=x", "LLM_USER_PATH=/x", "MAXIMUM=1", "CONFIG_SITE=x", "RUN_ID=1",
	}
	assert.Empty(t, unknownVariables(environ))
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
	t.Run("self-hosted keep http", func(t *testing.T) {
		for _, env := range [][]string{
			{"LLM_PROVIDER=ollama", "LLM_BASE_URL=http://ollama.internal:11434"},
			{"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=http://vllm.internal:8000", "LLM_MODEL=m"},
			{"LLM_PROVIDER=openai", "LLM_API_KEY=k", "LLM_BASE_URL=http://127.0.0.1:8080"},
		} {
			cfg, cerr := loadConfig(env)
			require.Nil(t, cerr)
			assert.Nil(t, cfg.validate("review"), "%v", env)
		}
	})
}

// BITBUCKET_API_URL carries the token: http:// only to loopback (tests,
// a local proxy) or with BITBUCKET_ALLOW_HTTP=true.
func TestBitbucketAPIURLPlainHTTP(t *testing.T) {
	base := []string{"BITBUCKET_ACCESS_TOKEN=t", "BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r", "BITBUCKET_PR_ID=1", "LLM_API_KEY=k"}
	for _, tc := range []struct {
		env []string
		ok  bool
	}{
		{[]string{"BITBUCKET_API_URL=http://api.example.com/2.0"}, false},
		{[]string{"BITBUCKET_API_URL=http://api.example.com/2.0", "BITBUCKET_ALLOW_HTTP=true"}, true},
		{[]string{"BITBUCKET_API_URL=http://127.0.0.1:8080/2.0"}, true},
		{[]string{"BITBUCKET_API_URL=http://localhost:8080/2.0"}, true},
		{[]string{"BITBUCKET_API_URL=http://[::1]:8080/2.0"}, true},
		{[]string{"BITBUCKET_API_URL=https://bitbucket.example.com/2.0"}, true},
	} {
		cfg, cerr := loadConfig(append(slices.Clone(base), tc.env...))
		require.Nil(t, cerr)
		err := cfg.validate("pipe")
		if tc.ok {
			assert.Nil(t, err, "%v", tc.env)
			continue
		}
		if assert.NotNil(t, err, "%v", tc.env) {
			assert.Contains(t, err.Error(), "BITBUCKET_API_URL: must use https")
			assert.Contains(t, err.Error(), "BITBUCKET_ALLOW_HTTP=true")
		}
	}
}

func TestUnknownChatCommandRefused(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	code := run(t.Context(), []string{"pipe"}, f.env("BITREVIEW_PR_ID=7", "BITREVIEW_COMMENT_ID=5", "BITREVIEW_COMMAND=deploy"), &out, &out)
	assert.Equal(t, exitConfig, code, out.String())
	assert.Contains(t, out.String(), "BITREVIEW_COMMAND: must be one of review, full review, summary, pause, resume, help, ask")
	assert.Empty(t, f.bb.Requests())

	for _, ok := range []string{"review", "Full  Review", "ask", ""} {
		cfg, cerr := loadConfig(append(f.env(), "BITREVIEW_COMMAND="+ok))
		require.Nil(t, cerr)
		assert.Nil(t, cfg.validate("pipe"), ok)
	}
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
