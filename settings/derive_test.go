package settings

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/review"
)

func loaded(t *testing.T, environ ...string) Settings {
	t.Helper()
	s, err := Load(environ)
	require.Nil(t, err, "%v", environ)
	return s
}

func TestPullRequestID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		want int
		err  string
	}{
		{[]string{"BITBUCKET_PR_ID=7"}, 7, ""},
		{[]string{"BITBUCKET_PR_ID=7", "BITREVIEW_PR_ID=9"}, 9, ""},
		{nil, 0, "BITBUCKET_PR_ID: not set"},
		{[]string{"BITBUCKET_PR_ID=0"}, 0, "BITBUCKET_PR_ID: must be a pull request number"},
		{[]string{"BITREVIEW_PR_ID=x"}, 0, "BITREVIEW_PR_ID: must be a pull request number"},
	} {
		n, err := loaded(t, tc.env...).PullRequestID()
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, "%v", tc.env)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, n)
	}
}

// BITREVIEW_COMMAND comes from the relay in any spacing and case.
func TestChatCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		command, want     string
		explicit, full    bool
		comment, chatMode string
	}{
		{"", "ask", false, false, "", ""},
		{"  Full   Review ", "full review", true, true, "", ""},
		{"review", "review", true, false, "5", "chat"},
		{"PAUSE", "pause", true, false, " ", ""},
	} {
		s := loaded(t, "BITREVIEW_COMMAND="+tc.command, "BITREVIEW_COMMENT_ID="+tc.comment)
		assert.Equal(t, tc.want, s.Command(), "%q", tc.command)
		assert.Equal(t, tc.explicit, s.ExplicitReview(), "%q", tc.command)
		assert.Equal(t, tc.full, s.FullReviewAsked(), "%q", tc.command)
		assert.Equal(t, tc.chatMode == "chat", s.ChatMode(), "%q", tc.comment)
	}
}

func TestThresholds(t *testing.T) {
	t.Parallel()
	none := loaded(t)
	sev, err := none.FailOnSeverity()
	require.NoError(t, err)
	assert.Equal(t, review.Severity(-1), sev)
	sev, err = none.TasksOnSeverity()
	require.NoError(t, err)
	assert.Equal(t, review.Severity(-1), sev)
	assert.False(t, none.Fails(review.Verdict{Findings: 3, Worst: review.Critical}), "FAIL_ON=none never fails")

	high := loaded(t, "FAIL_ON=High", "TASKS_ON=medium")
	sev, err = high.TasksOnSeverity()
	require.NoError(t, err)
	assert.Equal(t, review.Medium, sev)
	assert.True(t, high.Fails(review.Verdict{Findings: 1, Worst: review.High}))
	assert.True(t, high.Fails(review.Verdict{Findings: 1, Worst: review.Critical}))
	assert.False(t, high.Fails(review.Verdict{Findings: 2, Worst: review.Medium}))
	assert.False(t, high.Fails(review.Verdict{}), "no findings never fail")

	assert.False(t, loaded(t, "FAIL_ON=info").Fails(review.Verdict{}), "FAIL_ON=info: no findings still pass")
	assert.True(t, loaded(t, "FAIL_ON=info").Fails(review.Verdict{Findings: 1, Worst: review.Info}))

	_, err = loaded(t, "FAIL_ON=sometimes").FailOnSeverity()
	assert.Error(t, err)
}

func TestAuthMode(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "access token (Bearer)", loaded(t, "BITBUCKET_ACCESS_TOKEN=secret").AuthMode())
	assert.Equal(t, "Atlassian API token (Basic email:token)", loaded(t, "BITBUCKET_API_TOKEN=secret", "BITBUCKET_EMAIL=a@b").AuthMode())
	assert.Equal(t, "none", loaded(t).AuthMode())
}

func TestCostOf(t *testing.T) {
	t.Parallel()
	res := &review.Result{UsageByModel: map[string]review.Usage{"acme-model": {PromptTokens: 1_000_000, CompletionTokens: 1_000_000}}}
	assert.InDelta(t, 3.0, loaded(t, "LLM_PRICES=acme-model=1/2").CostOf(res), 1e-9)
	assert.Zero(t, loaded(t, "LLM_PRICES=nonsense").CostOf(res), "a bad table costs nothing (validation names it)")
}

func TestEngineAndModelOptions(t *testing.T) {
	t.Parallel()
	s := loaded(t, "REVIEW_PROFILE=assertive", "REVIEW_LANGUAGE=de-DE", "MAX_FILES=5", "MAX_COMMENTS=6", "MAX_INPUT_TOKENS=7",
		"MIN_SEVERITY=high", "LLM_CONCURRENCY=2", "PATH_FILTERS=src/**",
		"LLM_PROVIDER=anthropic", "LLM_MODEL=big", "LLM_LIGHT_MODEL=small", "LLM_API_KEY=k", "LLM_BASE_URL=https://x.example", "LLM_TIMEOUT=9s")
	o := s.EngineOptions()
	assert.Equal(t, review.Assertive, o.Profile)
	assert.Equal(t, "de-DE", o.Language)
	assert.Equal(t, []int{5, 6, 7, 2}, []int{o.MaxFiles, o.MaxComments, o.MaxInputTokens, o.Concurrency})
	assert.Equal(t, review.High, o.MinSeverity)
	require.NotNil(t, o.Filter)
	assert.True(t, o.Filter.Match("src/a.go"))
	assert.False(t, o.Filter.Match("docs/a.md"))
	assert.Equal(t, llm.Config{Provider: "anthropic", Model: "big", LightModel: "small", APIKey: "k", BaseURL: "https://x.example", Timeout: 9 * time.Second}, s.LLM())
}

func TestReportsWithoutToken(t *testing.T) {
	t.Parallel()
	inPipelines := []string{"BITBUCKET_PIPELINE_UUID={p}", "BITBUCKET_COMMIT=abc1234", "BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r"}
	for name, tc := range map[string]struct {
		env  []string
		want bool
	}{
		"tokenless in Pipelines":   {inPipelines, true},
		"with a token":             {append([]string{"BITBUCKET_ACCESS_TOKEN=t"}, inPipelines...), false},
		"outside Pipelines":        {[]string{"BITBUCKET_COMMIT=abc1234", "BITBUCKET_WORKSPACE=w", "BITBUCKET_REPO_SLUG=r"}, false},
		"Code Insights off":        {append([]string{"CODE_INSIGHTS=false"}, inPipelines...), false},
		"in a pipe, no repository": {[]string{"BITBUCKET_PIPE_STORAGE_DIR=/s", "BITBUCKET_COMMIT=abc1234"}, false},
	} {
		s, _ := Load(tc.env)
		assert.Equal(t, tc.want, s.ReportsWithoutToken(), name)
	}
}
