package settings

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pipeEnv is a complete pipe configuration; each case adds to it.
var pipeEnv = []string{"BITBUCKET_ACCESS_TOKEN=t", "BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r", "BITBUCKET_PR_ID=1", "LLM_API_KEY=k"}

func validated(t *testing.T, command string, environ ...string) *Error {
	t.Helper()
	s, err := Load(environ)
	require.Nil(t, err, "%v", environ)
	return s.Validate(command)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, command string
		env           []string
		want          []string // substrings of the problems; none means valid
	}{
		{"complete pipe", "pipe", pipeEnv, nil},
		{"both auth modes", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_TOKEN=y", "BITBUCKET_EMAIL=a@b"), []string{"use one auth mode"}},
		{"API token without email", "pipe", []string{"BITBUCKET_API_TOKEN=y", "BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r", "BITBUCKET_PR_ID=1", "LLM_API_KEY=k"}, []string{"BITBUCKET_EMAIL: not set"}},
		{"email without API token", "pipe", []string{"BITBUCKET_EMAIL=a@b", "BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r", "BITBUCKET_PR_ID=1", "LLM_API_KEY=k"}, []string{"BITBUCKET_API_TOKEN: not set. BITBUCKET_EMAIL is set", "write:pullrequest:bitbucket"}},
		{"nothing set", "pipe", nil, []string{"BITBUCKET_ACCESS_TOKEN: not set", "read:pullrequest:bitbucket", "BITBUCKET_WORKSPACE: not set", "BITBUCKET_REPO_SLUG: not set", "BITBUCKET_PR_ID: not set", "LLM_API_KEY: not set. The openai provider needs an API key; store it as a secured variable and pass it to the pipe"}},
		{"pull request not a number", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_PR_ID=abc"), []string{"BITBUCKET_PR_ID: must be a pull request number"}},
		{"relay's pull request", "pipe", append(slices.Clone(pipeEnv), "BITREVIEW_PR_ID=x"), []string{"BITREVIEW_PR_ID: must be a pull request number"}},
		{"API URL with credentials", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=https://u:p@api.example.com/2.0"), []string{"BITBUCKET_API_URL: must be an absolute http(s) URL without credentials"}},
		{"plain http API URL", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=http://api.example.com/2.0"), []string{"BITBUCKET_API_URL: must use https", "BITBUCKET_ALLOW_HTTP=true"}},
		{"plain http allowed", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=http://api.example.com/2.0", "BITBUCKET_ALLOW_HTTP=true"), nil},
		{"plain http to 127.0.0.1", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=http://127.0.0.1:8080/2.0"), nil},
		{"plain http to localhost", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=http://localhost:8080/2.0"), nil},
		{"plain http to ::1", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=http://[::1]:8080/2.0"), nil},
		{"https elsewhere", "pipe", append(slices.Clone(pipeEnv), "BITBUCKET_API_URL=https://bitbucket.example.com/2.0"), nil},
		{"unknown chat command", "pipe", append(slices.Clone(pipeEnv), "BITREVIEW_COMMAND=deploy"), []string{"BITREVIEW_COMMAND: must be one of review, full review, summary, pause, resume, help, create issue, ask (the relay sets it"}},
		{"chat command spacing", "pipe", append(slices.Clone(pipeEnv), "BITREVIEW_COMMAND=Full  Review"), nil},
		{"chat command ask", "pipe", append(slices.Clone(pipeEnv), "BITREVIEW_COMMAND=ask"), nil},
		{"ignore is no chat command", "pipe", append(slices.Clone(pipeEnv), "BITREVIEW_COMMAND=ignore"), []string{"BITREVIEW_COMMAND: must be one of"}},
		{"action without key", "action", nil, []string{"LLM_API_KEY: not set. The openai provider needs an API key; store it as a secured variable and pass it to the action"}},
		{"review falls back to Ollama", "review", nil, nil},
		{"review with a chosen provider", "review", []string{"LLM_PROVIDER=openai"}, []string{"LLM_API_KEY: not set. LLM_PROVIDER is openai"}},
		{"unknown provider", "review", []string{"LLM_PROVIDER=skynet"}, []string{"LLM_PROVIDER: must be one of openai, anthropic"}},
		{"azure needs a URL", "review", []string{"LLM_PROVIDER=azure", "LLM_API_KEY=k"}, []string{"LLM_BASE_URL: not set. The azure provider needs the endpoint URL"}},
		{"hosted provider over http", "review", []string{"LLM_PROVIDER=openai", "LLM_API_KEY=k", "LLM_BASE_URL=http://llm.example.com/v1"}, []string{"LLM_BASE_URL: must use https with the openai provider"}},
		{"LLM URL with a query", "review", []string{"LLM_PROVIDER=openai", "LLM_API_KEY=k", "LLM_BASE_URL=https://llm.example.com/v1?x=1"}, []string{"LLM_BASE_URL: must be an absolute http(s) URL"}},
		{"ollama keeps http", "review", []string{"LLM_PROVIDER=ollama", "LLM_BASE_URL=http://ollama.internal:11434"}, nil},
		{"openai-compatible keeps http", "review", []string{"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=http://vllm.internal:8000", "LLM_MODEL=m"}, nil},
		{"hosted provider on loopback", "review", []string{"LLM_PROVIDER=openai", "LLM_API_KEY=k", "LLM_BASE_URL=http://127.0.0.1:8080"}, nil},
		{"bad prices", "review", []string{"LLM_PRICES=gpt=cheap"}, []string{"LLM_PRICES: "}},
		{"zero run timeout", "review", []string{"RUN_TIMEOUT=0s"}, []string{"RUN_TIMEOUT: must be a positive duration"}},
		{"negative run timeout", "review", []string{"RUN_TIMEOUT=-1m"}, []string{"RUN_TIMEOUT: must be a positive duration"}},
		{"zero LLM timeout", "review", []string{"LLM_TIMEOUT=0s"}, []string{"LLM_TIMEOUT: must be a positive duration"}},
		{"concurrency", "review", []string{"LLM_CONCURRENCY=65"}, []string{"LLM_CONCURRENCY: must be between 1 and 64"}},
		{"profile", "review", []string{"REVIEW_PROFILE=loud"}, []string{"REVIEW_PROFILE: must be chill or assertive"}},
		{"severities", "review", []string{"MIN_SEVERITY=x", "FAIL_ON=sometimes", "TASKS_ON=y"}, []string{"MIN_SEVERITY: must be one of", "FAIL_ON: must be none or one of", "TASKS_ON: must be none or one of"}},
		{"path filter", "review", []string{"PATH_FILTERS=src/["}, []string{"PATH_FILTERS: "}},
		{"budgets", "review", []string{"MAX_FILES=0", "MAX_COMMENTS=0", "MAX_INPUT_TOKENS=-1", "MAX_DIFF_BYTES=0"}, []string{"MAX_FILES: must be a positive", "MAX_COMMENTS: must be a positive", "MAX_INPUT_TOKENS: must be a positive", "MAX_DIFF_BYTES: must be a positive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := validated(t, tc.command, tc.env...)
			if len(tc.want) == 0 {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.True(t, slices.IsSorted(err.Problems), "sorted: %q", err.Problems)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// Parse errors and value checks come out together, one line per variable,
// sorted; a variable that did not parse is not reported again for the
// zero value it was left at.
func TestLoadValidatedReportsEachVariableOnce(t *testing.T) {
	t.Parallel()
	_, err := LoadValidated(append(slices.Clone(pipeEnv), "MAX_COMMENTS=x", "FAIL_ON=severe", "LLM_TIMEOUT=soon", "REVIEW_PROFILE=loud"), "pipe")
	require.NotNil(t, err)
	require.Len(t, err.Problems, 4, err.Error())
	for i, name := range []string{"FAIL_ON:", "LLM_TIMEOUT:", "MAX_COMMENTS:", "REVIEW_PROFILE:"} {
		assert.True(t, strings.HasPrefix(err.Problems[i], name), "%q", err.Problems[i])
	}
	assert.Equal(t, "MAX_COMMENTS: must be a whole number", err.Problems[2])
	assert.NotContains(t, err.Error(), "severe")

	s, err := LoadValidated(pipeEnv, "pipe")
	assert.Nil(t, err)
	assert.Equal(t, "w", s.Workspace)
}

// The relay, setup and doctor check the credentials and the API URL only,
// with the scopes of the command in the message.
func TestAuthProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		want []string
	}{
		{"token", []string{"BITBUCKET_ACCESS_TOKEN=t"}, nil},
		{"API token and email", []string{"BITBUCKET_API_TOKEN=t", "BITBUCKET_EMAIL=a@b"}, nil},
		{"nothing", nil, []string{"BITBUCKET_ACCESS_TOKEN: not set. Set it to an access token, or set BITBUCKET_API_TOKEN and BITBUCKET_EMAIL for an Atlassian API token; this command needs SCOPES"}},
		{"email only", []string{"BITBUCKET_EMAIL=a@b"}, []string{"BITBUCKET_API_TOKEN: not set. BITBUCKET_EMAIL is set, so an Atlassian API token is expected (this command needs SCOPES)"}},
		{"API token only", []string{"BITBUCKET_API_TOKEN=t"}, []string{"BITBUCKET_EMAIL: not set. An Atlassian API token is sent as email:token; set the email of the account that owns BITBUCKET_API_TOKEN"}},
		{"both", []string{"BITBUCKET_ACCESS_TOKEN=t", "BITBUCKET_EMAIL=a@b"}, []string{"BITBUCKET_ACCESS_TOKEN and BITBUCKET_API_TOKEN/BITBUCKET_EMAIL are both set: use one auth mode, either an access token (Bearer) or an Atlassian API token with its account email"}},
		{"plain http", []string{"BITBUCKET_ACCESS_TOKEN=t", "BITBUCKET_API_URL=http://api.example.com/2.0"}, []string{"BITBUCKET_API_URL: must use https: over plain http:// the token travels unencrypted, so http:// is allowed only to a loopback host (localhost, 127.0.0.1, ::1) or with BITBUCKET_ALLOW_HTTP=true"}},
		{"not a URL", []string{"BITBUCKET_ACCESS_TOKEN=t", "BITBUCKET_API_URL=api.example.com"}, []string{"BITBUCKET_API_URL: must be an absolute http(s) URL without credentials, such as https://api.bitbucket.org/2.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Load(tc.env)
			require.Nil(t, err)
			assert.Equal(t, tc.want, s.AuthProblems("SCOPES"))
		})
	}
}
