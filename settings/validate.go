package settings

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/review"
)

// LoadValidated reads the configuration of a command ("pipe", "action",
// "review") and checks it: unparsable variables and bad values come out in
// one message, one problem per variable, sorted, so that fixing one
// mistake never reveals the next. A variable that could not be parsed is
// reported as such, not also as the zero value it was left at.
func LoadValidated(environ []string, command string) (Settings, *Error) {
	s, perr := Load(environ)
	var problems []string
	parsed := map[string]bool{}
	if perr != nil {
		problems = append(problems, perr.Problems...)
		for _, p := range perr.Problems {
			parsed[problemVar(p)] = true
		}
	}
	if verr := s.Validate(command); verr != nil {
		for _, p := range verr.Problems {
			if !parsed[problemVar(p)] {
				problems = append(problems, p)
			}
		}
	}
	if len(problems) == 0 {
		return s, nil
	}
	sort.Strings(problems)
	return s, &Error{Problems: problems}
}

// problemVar is the variable a problem starts with ("MAX_FILES: …").
func problemVar(problem string) string {
	name, _, _ := strings.Cut(problem, ":")
	return name
}

// Validate checks values and combinations for a command ("pipe" needs
// Bitbucket credentials and a pull request; "action" and "review" need
// neither).
func (s Settings) Validate(command string) *Error {
	var p []string
	if command == "pipe" {
		p = append(p, s.validateBitbucket()...)
		if cmd := s.Command(); s.ChatCommand != "" && !slices.Contains(pipelineCommands(), cmd) {
			p = append(p, "BITREVIEW_COMMAND: must be one of "+joinCommands(pipelineCommands())+" (the relay sets it from an @bitreview comment)")
		}
	}
	p = append(p, s.LLMProblems(command)...)
	p = append(p, s.validateReview()...)
	p = append(p, s.lintProblems()...)
	p = append(p, s.linkedProblems()...)
	if len(p) == 0 {
		return nil
	}
	sort.Strings(p)
	return &Error{Problems: p}
}

func (s Settings) validateBitbucket() []string {
	p := s.credentialProblems(
		"BITBUCKET_ACCESS_TOKEN: not set. Set it to a repository access token with the Pull requests: Write and Repositories: Read permissions, or set BITBUCKET_API_TOKEN and BITBUCKET_EMAIL for an Atlassian API token with scopes read:repository:bitbucket, read:pullrequest:bitbucket, write:pullrequest:bitbucket (store either as a secured variable)",
		"BITBUCKET_API_TOKEN: not set. BITBUCKET_EMAIL is set, so an Atlassian API token is expected (scopes read:repository:bitbucket, read:pullrequest:bitbucket, write:pullrequest:bitbucket)")
	if s.Workspace == "" {
		p = append(p, "BITBUCKET_WORKSPACE: not set. Pipelines sets it; when running elsewhere set the workspace slug")
	}
	if s.RepoSlug == "" {
		p = append(p, "BITBUCKET_REPO_SLUG: not set. Pipelines sets it; when running elsewhere set the repository slug")
	}
	if _, err := s.PullRequestID(); err != nil {
		p = append(p, err.Error())
	}
	return p
}

// AuthProblems checks the Bitbucket credentials and API URL only (the
// relay, setup and doctor need no pull request). scopes names what the
// command needs, for the message.
func (s Settings) AuthProblems(scopes string) []string {
	return s.credentialProblems(
		"BITBUCKET_ACCESS_TOKEN: not set. Set it to an access token, or set BITBUCKET_API_TOKEN and BITBUCKET_EMAIL for an Atlassian API token; this command needs "+scopes,
		"BITBUCKET_API_TOKEN: not set. BITBUCKET_EMAIL is set, so an Atlassian API token is expected (this command needs "+scopes+")")
}

// credentialProblems checks that one Bitbucket auth mode is complete and
// that BITBUCKET_API_URL may carry it; noAuth and noToken are the
// command's own words for no credential at all and for an email without
// its API token.
func (s Settings) credentialProblems(noAuth, noToken string) []string {
	var p []string
	switch {
	case s.AccessToken != "" && (s.APIToken != "" || s.Email != ""):
		p = append(p, "BITBUCKET_ACCESS_TOKEN and BITBUCKET_API_TOKEN/BITBUCKET_EMAIL are both set: use one auth mode, either an access token (Bearer) or an Atlassian API token with its account email")
	case s.AccessToken == "" && s.APIToken == "" && s.Email == "":
		p = append(p, noAuth)
	case s.APIToken != "" && s.Email == "":
		p = append(p, "BITBUCKET_EMAIL: not set. An Atlassian API token is sent as email:token; set the email of the account that owns BITBUCKET_API_TOKEN")
	case s.APIToken == "" && s.Email != "" && s.AccessToken == "":
		p = append(p, noToken)
	}
	if u, err := url.Parse(s.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		p = append(p, "BITBUCKET_API_URL: must be an absolute http(s) URL without credentials, such as https://api.bitbucket.org/2.0")
	} else if msg := s.plainHTTPProblem(); msg != "" {
		p = append(p, msg)
	}
	return p
}

// plainHTTPProblem refuses a Bitbucket API URL that would send the token
// unencrypted: http:// is for a loopback host (tests, a local proxy) or
// needs BITBUCKET_ALLOW_HTTP=true. (The Pipelines auth proxy's internal
// http://api.bitbucket.org goes through cmd's proxy client, never through
// BITBUCKET_API_URL.)
func (s Settings) plainHTTPProblem() string {
	u, err := url.Parse(s.APIURL)
	if err != nil || u.Scheme != "http" || s.AllowHTTP || llm.IsLoopback(u.Hostname()) {
		return ""
	}
	return "BITBUCKET_API_URL: must use https: over plain http:// the token travels unencrypted, so http:// is allowed only to a loopback host (localhost, 127.0.0.1, ::1) or with BITBUCKET_ALLOW_HTTP=true"
}

// pipelineCommands are BITREVIEW_COMMAND's values: every command but
// ignore, which belongs in a pull request's description (the relay's
// relay.Commands).
func pipelineCommands() []string {
	var out []string
	for _, c := range command.All() {
		if c != command.Ignore {
			out = append(out, string(c))
		}
	}
	return out
}

// joinCommands lists the BITREVIEW_COMMAND values.
func joinCommands(cmds []string) string { return strings.Join(cmds, ", ") }

var providers = []string{"openai", "anthropic", "azure", "googleai", "bedrock", "mistral", "ollama", "openai-compatible"}

// LLMProblems checks the model's variables for a command ("pipe" and
// "action" need an API key for a hosted provider; "review" falls back to
// a local Ollama unless LLM_PROVIDER was chosen).
func (s Settings) LLMProblems(command string) []string {
	var p []string
	known := slices.Contains(providers, s.LLMProvider)
	if !known {
		p = append(p, "LLM_PROVIDER: must be one of "+strings.Join(providers, ", "))
	}
	needsKey := known && s.LLMProvider != "ollama" && s.LLMProvider != "bedrock" && s.LLMProvider != "openai-compatible"
	switch {
	case !needsKey || s.LLMAPIKey != "":
	case command == "pipe" || command == "action":
		p = append(p, fmt.Sprintf("LLM_API_KEY: not set. The %s provider needs an API key; store it as a secured variable and pass it to the %s", s.LLMProvider, command))
	case s.explicit["LLM_PROVIDER"]: // local review: a provider was chosen, so no Ollama fallback
		p = append(p, fmt.Sprintf("LLM_API_KEY: not set. LLM_PROVIDER is %s, which needs an API key: set LLM_API_KEY, or unset LLM_PROVIDER to use a local Ollama", s.LLMProvider))
	}
	if (s.LLMProvider == "azure" || s.LLMProvider == "openai-compatible") && s.LLMBaseURL == "" {
		p = append(p, fmt.Sprintf("LLM_BASE_URL: not set. The %s provider needs the endpoint URL", s.LLMProvider))
	}
	if err := llm.CheckBaseURL(s.LLMProvider, s.LLMBaseURL); known && err != nil {
		if errors.Is(err, llm.ErrPlainHTTP) {
			p = append(p, fmt.Sprintf("LLM_BASE_URL: must use https with the %s provider: its API key would travel unencrypted. Plain http:// is allowed only to a loopback host (localhost, 127.0.0.1, ::1) and for ollama and openai-compatible", s.LLMProvider))
		} else {
			p = append(p, "LLM_BASE_URL: must be an absolute http(s) URL without credentials, query or fragment")
		}
	}
	if _, err := review.ParsePrices(s.LLMPrices); err != nil {
		p = append(p, "LLM_PRICES: "+err.Error())
	}
	if s.LLMTimeout <= 0 {
		p = append(p, "LLM_TIMEOUT: must be a positive duration such as 120s")
	}
	if s.RunTimeout <= 0 {
		p = append(p, "RUN_TIMEOUT: must be a positive duration such as 30m, below the step's max-time")
	}
	if s.LLMConcurrency < 1 || s.LLMConcurrency > 64 {
		p = append(p, "LLM_CONCURRENCY: must be between 1 and 64")
	}
	return p
}

func (s Settings) validateReview() []string {
	var p []string
	if s.ReviewProfile != string(review.Chill) && s.ReviewProfile != string(review.Assertive) {
		p = append(p, "REVIEW_PROFILE: must be chill or assertive")
	}
	if _, err := review.ParseSeverity(s.MinSeverity); err != nil {
		p = append(p, "MIN_SEVERITY: must be one of "+strings.Join(review.SeverityNames(), ", "))
	}
	if _, err := s.FailOnSeverity(); err != nil {
		p = append(p, "FAIL_ON: must be none or one of "+strings.Join(review.SeverityNames(), ", "))
	}
	if _, err := s.TasksOnSeverity(); err != nil {
		p = append(p, "TASKS_ON: must be none or one of "+strings.Join(review.SeverityNames(), ", "))
	}
	if _, err := diffparse.NewPathFilter(s.PathFilters); err != nil {
		p = append(p, "PATH_FILTERS: "+err.Error())
	}
	for name, v := range map[string]int{"MAX_FILES": s.MaxFiles, "MAX_COMMENTS": s.MaxComments, "MAX_INPUT_TOKENS": s.MaxInputTokens, "MAX_DIFF_BYTES": s.MaxDiffBytes} {
		if v < 1 {
			p = append(p, name+": must be a positive whole number")
		}
	}
	return p
}
