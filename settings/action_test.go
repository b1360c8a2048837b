package settings

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An input the workflow set wins over a plain variable of the same name;
// an empty one is ignored.
func TestActionEnviron(t *testing.T) {
	t.Parallel()
	got := ActionEnviron([]string{"LLM_MODEL=plain", "INPUT_LLM_MODEL=input", "INPUT_FAIL-ON=high", "INPUT_MAX_FILES=", "MAX_FILES=9", "INPUT_github_token=t"})
	assert.Equal(t, []string{"LLM_MODEL=plain", "MAX_FILES=9", "LLM_MODEL=input", "FAIL_ON=high", "GITHUB_TOKEN=t"}, got)
	s, err := Load(got)
	require.Nil(t, err)
	assert.Equal(t, "input", s.LLMModel, "the later entry wins")
	assert.Equal(t, 9, s.MaxFiles)
	assert.Equal(t, "high", s.FailOn)
}

func TestLoadAction(t *testing.T) {
	t.Parallel()
	a, err := LoadAction([]string{"GITHUB_TOKEN=t", "GITHUB_REPOSITORY=acme/api", "GITHUB_EVENT_PATH=/e.json", "CHECK_RUN=false"})
	require.NoError(t, err)
	assert.Equal(t, Action{Token: "t", Repository: "acme/api", EventPath: "/e.json", APIURL: "https://api.github.com"}, a)

	_, err = LoadAction([]string{"GITHUB_REPOSITORY=acme"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{
		"GITHUB_TOKEN: not set. Pass it as the github_token input (default ${{ github.token }}) with permissions pull-requests: write",
		"GITHUB_REPOSITORY: must be owner/repo (GitHub Actions sets it)",
		"GITHUB_EVENT_PATH: not set (GitHub Actions sets it)",
	}, e.Problems)

	_, err = LoadAction([]string{"GITHUB_TOKEN=t", "GITHUB_REPOSITORY=acme/api", "GITHUB_EVENT_PATH=/e", "CHECK_RUN=maybe"})
	assert.ErrorContains(t, err, "GitHub configuration")
}

func TestReadEvent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json string
		number     int
		comment    string
	}{
		{"pull_request", `{"number":7,"pull_request":{"number":7}}`, 7, ""},
		{"issue_comment on a pull request", `{"issue":{"number":8,"pull_request":{"url":"x"}},"comment":{"id":5,"body":"@bitreview review","user":{"login":"alice"}}}`, 8, "@bitreview review"},
		{"issue_comment on an issue", `{"issue":{"number":9,"pull_request":null},"comment":{"id":5,"body":"hi"}}`, 0, "hi"},
		{"push", `{"ref":"refs/heads/main"}`, 0, ""},
	} {
		path := filepath.Join(dir, tc.name+".json")
		require.NoError(t, os.WriteFile(path, []byte(tc.json), 0o600))
		ev, n, err := ReadEvent(path)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.number, n, tc.name)
		if tc.comment != "" {
			require.NotNil(t, ev.Comment, tc.name)
			assert.Equal(t, tc.comment, ev.Comment.Body)
		}
	}
	_, _, err := ReadEvent(filepath.Join(dir, "missing.json"))
	assert.ErrorContains(t, err, "read GITHUB_EVENT_PATH")
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{"), 0o600))
	_, _, err = ReadEvent(bad)
	assert.ErrorContains(t, err, "parse GITHUB_EVENT_PATH")
}

func TestPlatformOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		want string
		bad  bool
	}{
		{env: nil, want: "bitbucket"},
		{env: []string{"GITHUB_ACTIONS=true"}, want: "github"},
		{env: []string{"GITHUB_ACTIONS=true", "PLATFORM=bitbucket"}, want: "bitbucket"},
		{env: []string{"PLATFORM=GitHub"}, want: "github"},
		{env: []string{"INPUT_PLATFORM=github"}, want: "github"},
		{env: []string{"PLATFORM=gitlab"}, bad: true},
	} {
		got, err := PlatformOf(tc.env)
		if tc.bad {
			assert.Error(t, err, "%v", tc.env)
			continue
		}
		assert.NoError(t, err)
		assert.Equal(t, tc.want, got, "%v", tc.env)
	}
}
