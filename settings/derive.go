package settings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/review"
)

// AuthMode names the Bitbucket credential in use, never its value.
func (s Settings) AuthMode() string {
	switch {
	case s.AccessToken != "":
		return "access token (Bearer)"
	case s.APIToken != "":
		return "Atlassian API token (Basic email:token)"
	}
	return "none"
}

// PullRequestID is the pull request under review: BITREVIEW_PR_ID (custom
// pipeline started by the relay) or BITBUCKET_PR_ID (pull-request
// pipeline).
func (s Settings) PullRequestID() (int, error) {
	name, v := "BITBUCKET_PR_ID", s.PRID
	if s.ChatPRID != "" {
		name, v = "BITREVIEW_PR_ID", s.ChatPRID
	}
	if v == "" {
		return 0, errors.New("BITBUCKET_PR_ID: not set. Run the pipe in a pull-requests pipeline (Pipelines sets it), or pass BITREVIEW_PR_ID from a custom pipeline")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s: must be a pull request number", name)
	}
	return n, nil
}

// CostOf estimates what res cost with the configured price table.
func (s Settings) CostOf(res *review.Result) float64 {
	prices, err := review.ParsePrices(s.LLMPrices)
	if err != nil {
		return 0
	}
	usd, _ := prices.Cost(res.UsageByModel)
	return usd
}

// FailOnSeverity returns the severity that fails the step (FAIL_ON), or -1
// for none.
func (s Settings) FailOnSeverity() (review.Severity, error) {
	return severityOrNone(s.FailOn)
}

// TasksOnSeverity returns the lowest severity that gets a pull-request
// task under its inline comment (TASKS_ON), or -1 for none.
func (s Settings) TasksOnSeverity() (review.Severity, error) {
	return severityOrNone(s.TasksOn)
}

func severityOrNone(v string) (review.Severity, error) {
	if strings.EqualFold(v, "none") || v == "" {
		return -1, nil
	}
	return review.ParseSeverity(v)
}

// Fails reports whether a verdict reaches FAIL_ON.
func (s Settings) Fails(v review.Verdict) bool {
	threshold, _ := s.FailOnSeverity()
	return threshold >= 0 && v.Findings > 0 && v.Worst >= threshold
}

// Command is BITREVIEW_COMMAND normalised: lower case, single spaces, and
// "ask" when empty.
func (s Settings) Command() string {
	c := strings.ToLower(strings.Join(strings.Fields(s.ChatCommand), " "))
	if c == "" {
		return "ask"
	}
	return c
}

// ChatMode reports whether the run acts on a comment (any command, review
// and full review included: a comment is acted on at most once).
func (s Settings) ChatMode() bool { return strings.TrimSpace(s.ChatCommentID) != "" }

// ExplicitReview reports whether a person asked for this run, which then
// goes ahead even while automatic reviews are paused.
func (s Settings) ExplicitReview() bool { return strings.TrimSpace(s.ChatCommand) != "" }

// FullReviewAsked reports whether the relay passed `@bitreview full
// review`.
func (s Settings) FullReviewAsked() bool {
	return strings.EqualFold(strings.Join(strings.Fields(s.ChatCommand), " "), "full review")
}

// EngineOptions are the review engine's options from the settings. The
// caller adds what comes from elsewhere: the repository's instructions and
// guidelines, the secret scanner, the file sources, progress callbacks.
func (s Settings) EngineOptions() review.Options {
	minSev, _ := review.ParseSeverity(s.MinSeverity)
	filter, _ := diffparse.NewPathFilter(s.PathFilters)
	return review.Options{
		Profile: review.Profile(s.ReviewProfile), Language: s.ReviewLanguage,
		MaxFiles: s.MaxFiles, MaxComments: s.MaxComments, MaxInputTokens: s.MaxInputTokens,
		MinSeverity: minSev, Concurrency: s.LLMConcurrency, Filter: filter,
	}
}

// LLM is the model's configuration, for llm.New.
func (s Settings) LLM() llm.Config {
	return llm.Config{
		Provider: s.LLMProvider, Model: s.LLMModel, LightModel: s.LLMLightModel,
		APIKey: s.LLMAPIKey, BaseURL: s.LLMBaseURL, Timeout: s.LLMTimeout,
	}
}

// ReportsWithoutToken reports whether a run whose configuration is wrong
// can still say so on the pull request: inside Bitbucket Pipelines, without
// a Bitbucket token, with Code Insights on and the commit known, the
// Pipelines auth proxy takes a Code Insights report (and nothing else).
func (s Settings) ReportsWithoutToken() bool {
	tokenless := s.AccessToken == "" && s.APIToken == ""
	inPipelines := s.PipelineUUID != "" || s.PipeStorageDir != ""
	return tokenless && inPipelines && s.CodeInsights && s.Commit != "" && s.Workspace != "" && s.RepoSlug != ""
}
