package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envMap(s string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}

func TestFakesServeThePullRequestAndBothSchemas(t *testing.T) {
	f, err := Start(io.Discard)
	require.NoError(t, err)
	defer f.Close()
	env := envMap(f.Env())
	for _, k := range []string{"BITBUCKET_API_URL", "BITBUCKET_ACCESS_TOKEN", "BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG", "BITBUCKET_PR_ID", "LLM_PROVIDER", "LLM_BASE_URL", "LLM_API_KEY"} {
		assert.NotEmpty(t, env[k], k)
	}
	assert.True(t, strings.HasPrefix(env["BITBUCKET_API_URL"], "http://127.0.0.1:"), "loopback only")
	assert.True(t, strings.HasPrefix(env["LLM_BASE_URL"], "http://127.0.0.1:"), "loopback only")

	// The bot's access token reads the pull request.
	req, _ := http.NewRequest("GET", env["BITBUCKET_API_URL"]+"/repositories/acme/widgets/pullrequests/1", nil)
	req.Header.Set("Authorization", "Bearer "+env["BITBUCKET_ACCESS_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)

	// The LLM stub answers each schema with JSON that fits the pull request.
	for schema, want := range map[string]string{"submit_walkthrough": `"files"`, "submit_review": FindingTitle} {
		body := `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"` + schema + `","schema":{"type":"object"}}}}`
		req, _ := http.NewRequest("POST", env["LLM_BASE_URL"]+"/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+env["LLM_API_KEY"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var out struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		resp.Body.Close()
		require.Len(t, out.Choices, 1, schema)
		assert.Contains(t, out.Choices[0].Message.Content, want, schema)
		assert.True(t, json.Valid([]byte(out.Choices[0].Message.Content)), schema)
	}

	// The finding quotes line 7 of the new file, which the diff adds.
	var ans struct {
		Findings []struct {
			Line int
			Code string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(reviewAnswer), &ans))
	lines := strings.Split(NewFile, "\n")
	assert.Equal(t, lines[ans.Findings[0].Line-1], ans.Findings[0].Code)
	assert.Contains(t, PRDiff, "+"+ans.Findings[0].Code+"\n")

	var report bytes.Buffer
	problems := f.Report(&report, true, -1)
	assert.Empty(t, problems, "both schemas asked, nothing written")
	assert.Contains(t, report.String(), "2 LLM call(s)")
}

func TestRunWritesEnvAndFailsItsChecksWhenNothingRan(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "fake.env")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-env-file", envFile, "-clone-dir", filepath.Join(dir, "clone"), "-timeout", "10ms", "-want-comments", "2"}, &stdout, &stderr)
	assert.Equal(t, 1, code, stderr.String())
	written, err := os.ReadFile(envFile)
	require.NoError(t, err)
	assert.Equal(t, stdout.String(), string(written))
	assert.Contains(t, stderr.String(), "the LLM was not asked for submit_review")
	assert.Contains(t, stderr.String(), "has 0 comment(s), want 2")
	src, err := os.ReadFile(filepath.Join(dir, "clone", "app", "users.go"))
	require.NoError(t, err)
	assert.Equal(t, NewFile, string(src))

	assert.Equal(t, 0, run([]string{"-timeout", "10ms", "-check=false"}, io.Discard, io.Discard))
}
