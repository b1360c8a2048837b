package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPipeWithoutVariablesListsEverythingMissing(t *testing.T) {
	var out bytes.Buffer
	code := run(t.Context(), []string{"pipe"}, nil, &out, &out)
	assert.Equal(t, exitConfig, code)
	for _, name := range []string{"BITBUCKET_ACCESS_TOKEN", "BITBUCKET_API_TOKEN", "BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG", "BITBUCKET_PR_ID", "LLM_API_KEY", "read:pullrequest:bitbucket"} {
		assert.Contains(t, out.String(), name)
	}
}

func TestConfigErrorsNameVariablesNeverValues(t *testing.T) {
	canary := "s3cr3t-canary-value"
	env := []string{
		"BITBUCKET_API_TOKEN=" + canary, // without BITBUCKET_EMAIL
		"BITBUCKET_WORKSPACE=ws", "BITBUCKET_REPO_SLUG=repo", "BITBUCKET_PR_ID=abc",
		"LLM_PROVIDER=openai", "LLM_API_KEY=" + canary, "LLM_TIMEOUT=" + canary,
		"MAX_FILES=" + canary, "FAIL_ON=sometimes", "MIN_SEVERITY=" + canary, "DEBUG=" + canary,
		"PATH_FILTERS=src/[", "REVIEW_PROFILE=loud",
	}
	var out bytes.Buffer
	code := run(t.Context(), []string{"pipe"}, env, &out, &out)
	assert.Equal(t, exitConfig, code)
	s := out.String()
	assert.NotContains(t, s, canary)
	for _, name := range []string{"LLM_TIMEOUT", "MAX_FILES", "DEBUG"} {
		assert.Contains(t, s, name, "parse errors are all reported at once")
	}
	// The value checks come in the same message as the parse errors.
	for _, name := range []string{"BITBUCKET_EMAIL", "BITBUCKET_PR_ID", "FAIL_ON", "PATH_FILTERS", "REVIEW_PROFILE"} {
		assert.Contains(t, s, name)
	}
	env = []string{
		"BITBUCKET_API_TOKEN=" + canary, "BITBUCKET_WORKSPACE=ws", "BITBUCKET_REPO_SLUG=repo", "BITBUCKET_PR_ID=abc",
		"LLM_API_KEY=" + canary, "FAIL_ON=sometimes", "MIN_SEVERITY=" + canary, "PATH_FILTERS=src/[", "REVIEW_PROFILE=loud",
	}
	out.Reset()
	assert.Equal(t, exitConfig, run(t.Context(), []string{"pipe"}, env, &out, &out))
	s = out.String()
	assert.NotContains(t, s, canary)
	for _, name := range []string{"BITBUCKET_EMAIL", "BITBUCKET_PR_ID", "FAIL_ON", "MIN_SEVERITY", "PATH_FILTERS", "REVIEW_PROFILE"} {
		assert.Contains(t, s, name)
	}
}
