package settings

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/caarlos0/env/v11"
	"github.com/hbollon/go-edlib"
)

// neverWarned are names of our prefixes that others set: Bitbucket
// Pipelines (bitbucket-cloud.md §13), a pipe's storage, and test hooks.
// The relay's RELAY_*, the action's INPUT_* and GitHub's GITHUB_* are left
// alone by prefix.
var neverWarned = map[string]bool{
	"BITBUCKET_REPO_UUID": true, "BITBUCKET_REPO_FULL_NAME": true, "BITBUCKET_TAG": true,
	"BITBUCKET_GIT_HTTP_ORIGIN": true, "BITBUCKET_GIT_SSH_ORIGIN": true, "BITBUCKET_EXIT_CODE": true,
	"BITBUCKET_DEPLOYMENT_ENVIRONMENT": true, "BITBUCKET_DEPLOYMENT_ENVIRONMENT_UUID": true,
	"BITBUCKET_PR_DESTINATION_COMMIT": true, "BITBUCKET_STEP_UUID": true, "BITBUCKET_STEP_TRIGGERER_UUID": true,
	"BITBUCKET_PROJECT_KEY": true, "BITBUCKET_PROJECT_UUID": true, "BITBUCKET_WORKSPACE_UUID": true,
	"BITBUCKET_STEP_OIDC_TOKEN": true, "BITBUCKET_PIPE_SHARED_STORAGE_DIR": true, "BITBUCKET_PARALLEL_STEP": true,
	"BITBUCKET_PARALLEL_STEP_COUNT": true, "BITBUCKET_SSH_KEY_FILE": true, "BITBUCKET_DOCKER_HOST_INTERNAL": true,
	"BITBUCKET_BOOKMARK": true, "BITREVIEW_OPENAPI": true,
}

// listEntry matches the entries of a list variable (PATH_FILTERS_0…).
var listEntry = regexp.MustCompile(`^(PATH_FILTERS|LINT_REPORTS)_(COUNT|[0-9]+)$`)

// knownVariables are the names some bitreview command reads.
func knownVariables() []string {
	names := []string{"PATH_FILTERS", "LINT_REPORTS", "PLATFORM"}
	for _, cfg := range []any{&Settings{}, &Action{}, &Relay{}} {
		params, err := env.GetFieldParams(cfg)
		if err != nil {
			continue
		}
		for _, p := range params {
			if p.Key != "" {
				names = append(names, p.Key)
			}
		}
	}
	return names
}

// UnknownVariables warns about variables that look like ours but that no
// command reads, with the closest known name: LLM_MODLE, MAX_COMENTS or
// FAILON would otherwise be ignored without a word. A name looks like ours
// when it starts with the first word of a known one (LLM, MAX, FAIL,
// BITBUCKET, …) and is within a few edits of it. Names only, never values.
func UnknownVariables(environ []string) []string {
	known := knownVariables()
	isKnown := map[string]bool{}
	words := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
		w, _, _ := strings.Cut(k, "_")
		words[w] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if seen[name] || isKnown[name] || neverWarned[name] || listEntry.MatchString(name) ||
			strings.HasPrefix(name, "RELAY_") || strings.HasPrefix(name, "INPUT_") || strings.HasPrefix(name, "GITHUB_") {
			continue
		}
		seen[name] = true
		if !hasKnownWord(name, words) {
			continue
		}
		if best := closest(name, known); best != "" {
			out = append(out, fmt.Sprintf("%s is not a bitreview variable and is ignored: did you mean %s?", name, best))
		}
	}
	sort.Strings(out)
	return out
}

// hasKnownWord reports whether name starts with the first word of a known
// variable ("FAILON" with FAIL).
func hasKnownWord(name string, words map[string]bool) bool {
	for w := range words {
		if strings.HasPrefix(name, w) {
			return true
		}
	}
	return false
}

// closest returns the known name within reach of name, or "": one edit
// (a swap of two neighbours counts as one: LLM_MODLE), two for names of 12
// characters or more. Two edits on shorter names catch other tools'
// variables (autoconf's CONFIG_SITE is two from CONFIG_FILE).
func closest(name string, known []string) string {
	limit := 1
	if len(name) >= 12 {
		limit = 2
	}
	best, bestDist := "", 0
	for _, k := range known {
		d := edlib.OSADamerauLevenshteinDistance(name, k)
		if d <= limit && (best == "" || d < bestDist || (d == bestDist && k < best)) {
			best, bestDist = k, d
		}
	}
	return best
}
