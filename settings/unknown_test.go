package settings

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnknownVariablesAreNamedWithTheClosest(t *testing.T) {
	t.Parallel()
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
		{"CHECK_RUNS", "CHECK_RUN"},
	} {
		got := UnknownVariables([]string{tc.name + "=s3cr3t", "LLM_MODEL=x"})
		if assert.Len(t, got, 1, tc.name) {
			assert.Equal(t, tc.name+" is not a bitreview variable and is ignored: did you mean "+tc.want+"?", got[0])
		}
	}
}

// What Pipelines, GitHub Actions, the relay and the shell set is never
// warned about, nor are names unlike ours.
func TestUnknownVariablesLeaveOthersAlone(t *testing.T) {
	t.Parallel()
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
	assert.Empty(t, UnknownVariables(environ))
}

// A name is warned about once, however often it is set, and the warnings
// come sorted.
func TestUnknownVariablesOncePerNameSorted(t *testing.T) {
	t.Parallel()
	got := UnknownVariables([]string{"MAX_COMENTS=1", "LLM_MODLE=a", "MAX_COMENTS=2"})
	assert.Equal(t, []string{
		"LLM_MODLE is not a bitreview variable and is ignored: did you mean LLM_MODEL?",
		"MAX_COMENTS is not a bitreview variable and is ignored: did you mean MAX_COMMENTS?",
	}, got)
}
