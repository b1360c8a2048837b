package settings

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func keys(vars []Var) []string {
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = v.Key
	}
	return out
}

// Each command's help lists the variables it reads, and only those.
func TestCommandVars(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		command   string
		has, lack []string
	}{
		{command: "pipe", has: []string{"LLM_API_KEY", "PATH_FILTERS", "PLATFORM", "BITBUCKET_ACCESS_TOKEN", "BITREVIEW_COMMENT_ID"}, lack: []string{"GITHUB_TOKEN", "RELAY_WEBHOOK_SECRET"}},
		{command: "action", has: []string{"GITHUB_TOKEN", "CHECK_RUN", "LLM_API_KEY", "PATH_FILTERS"}, lack: []string{"BITBUCKET_ACCESS_TOKEN", "BITREVIEW_COMMAND"}},
		{command: "review", has: []string{"LLM_PROVIDER", "FAIL_ON", "CONFIG_FILE", "PATH_FILTERS"}, lack: []string{"CODE_INSIGHTS", "TASKS_ON", "INCREMENTAL", "DRY_RUN", "DEBUG", "RUN_TIMEOUT", "BITBUCKET_WORKSPACE", "BITREVIEW_PR_ID"}},
		{command: "relay", has: []string{"RELAY_WEBHOOK_SECRET", "RELAY_LISTEN", "BITBUCKET_ACCESS_TOKEN", "BITBUCKET_API_URL"}, lack: []string{"LLM_API_KEY", "BITBUCKET_WORKSPACE"}},
		{command: "setup", has: []string{"BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG", "BITBUCKET_ALLOW_HTTP", "RELAY_WEBHOOK_SECRET"}, lack: []string{"LLM_API_KEY", "RELAY_LISTEN"}},
		{command: "doctor", has: []string{"BITBUCKET_WORKSPACE", "LLM_PROVIDER", "LLM_API_KEY", "LLM_BASE_URL", "RELAY_WEBHOOK_SECRET"}, lack: []string{"FAIL_ON", "LLM_TIMEOUT"}},
		{command: "config"},
	} {
		got := keys(CommandVars(tc.command))
		for _, k := range tc.has {
			assert.Contains(t, got, k, tc.command)
		}
		for _, k := range tc.lack {
			assert.NotContains(t, got, k, tc.command)
		}
		if tc.has == nil {
			assert.Empty(t, got, tc.command)
		}
	}
}

// The pipe lists the user's variables first, then those Pipelines or the
// relay set.
func TestPipeVarsListTheUsersFirst(t *testing.T) {
	t.Parallel()
	got := keys(CommandVars("pipe"))
	first := slices.IndexFunc(got, func(k string) bool { return k == "BITBUCKET_WORKSPACE" })
	assert.Greater(t, first, slices.Index(got, "LLM_API_KEY"))
	for _, k := range got[first:] {
		assert.True(t, strings.HasPrefix(k, "BITBUCKET_") || strings.HasPrefix(k, "BITREVIEW_"), "%s after the Pipelines variables", k)
	}
}
