package settings

import (
	"slices"
	"strings"
)

// CommandVars are the variables a command reads, for its help: "pipe",
// "action", "review", "relay", "setup" or "doctor"; nil for a command
// that reads none.
func CommandVars(command string) []Var {
	withLists := append(Vars(), Var{Key: "PATH_FILTERS"}, Var{Key: "LINT_REPORTS"})
	switch command {
	case "pipe":
		// The user's first, then those Pipelines or the relay set.
		all := append(withLists, Var{Key: "PLATFORM"})
		user := filterVars(all, func(k string) bool { return !slices.Contains(pipelinesSet(), k) })
		return append(user, filterVars(all, inList(pipelinesSet()))...)
	case "action":
		return append(VarsOf(&Action{}), filterVars(withLists, func(k string) bool {
			// GitHub cannot edit the description (no DescriptionWriter).
			return !strings.HasPrefix(k, "BITBUCKET_") && !strings.HasPrefix(k, "BITREVIEW_") && k != "DESCRIPTION_SUMMARY"
		})...)
	case "review":
		skip := []string{"CODE_INSIGHTS", "TASKS_ON", "INCREMENTAL", "DRY_RUN", "DEBUG", "RUN_TIMEOUT", "DESCRIPTION_SUMMARY"}
		return filterVars(withLists, func(k string) bool {
			return !strings.HasPrefix(k, "BITBUCKET_") && !strings.HasPrefix(k, "BITREVIEW_") && !strings.HasPrefix(k, "JIRA_") && !slices.Contains(skip, k)
		})
	case "relay":
		return append(VarsOf(&Relay{}), filterVars(Vars(), inList(bitbucketAuth()))...)
	case "setup":
		return setupVars()
	case "doctor":
		return append(setupVars(), filterVars(Vars(), inList([]string{"LLM_PROVIDER", "LLM_MODEL", "LLM_API_KEY", "LLM_BASE_URL"}))...)
	}
	return nil
}

// pipelinesSet are the Settings variables that Pipelines or the relay set.
func pipelinesSet() []string {
	return []string{"BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG", "BITBUCKET_PR_ID", "BITBUCKET_COMMIT",
		"BITBUCKET_CLONE_DIR", "BITBUCKET_PR_DESTINATION_BRANCH", "BITBUCKET_BRANCH", "BITBUCKET_BUILD_NUMBER",
		"BITBUCKET_PIPE_STORAGE_DIR", "BITBUCKET_PIPELINE_UUID", "BITREVIEW_PR_ID", "BITREVIEW_COMMENT_ID", "BITREVIEW_COMMAND"}
}

// bitbucketAuth are the credentials setup, doctor and the relay read.
func bitbucketAuth() []string {
	return []string{"BITBUCKET_ACCESS_TOKEN", "BITBUCKET_API_TOKEN", "BITBUCKET_EMAIL", "BITBUCKET_API_URL"}
}

func setupVars() []Var {
	return append(filterVars(Vars(), inList(append(bitbucketAuth(), "BITBUCKET_ALLOW_HTTP", "BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG"))),
		Var{Key: "RELAY_WEBHOOK_SECRET"})
}

func inList(names []string) func(string) bool {
	return func(k string) bool { return slices.Contains(names, k) }
}

func filterVars(vars []Var, keep func(string) bool) []Var {
	var out []Var
	for _, v := range vars {
		if keep(v.Key) {
			out = append(out, v)
		}
	}
	return out
}
