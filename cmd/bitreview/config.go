package main

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/relay"
	"github.com/bitreview/bitreview/review"
)

// Config is every variable of product.md. It is read once, here, and
// passed by value; no other package reads the environment.
type Config struct {
	// Provided by Bitbucket Pipelines.
	Workspace      string `env:"BITBUCKET_WORKSPACE"`
	RepoSlug       string `env:"BITBUCKET_REPO_SLUG"`
	PRID           string `env:"BITBUCKET_PR_ID"`
	Commit         string `env:"BITBUCKET_COMMIT"`
	CloneDir       string `env:"BITBUCKET_CLONE_DIR"`
	PRDestBranch   string `env:"BITBUCKET_PR_DESTINATION_BRANCH"`
	Branch         string `env:"BITBUCKET_BRANCH"`
	BuildNumber    string `env:"BITBUCKET_BUILD_NUMBER"`
	ChatPRID       string `env:"BITREVIEW_PR_ID"`
	ChatCommentID  string `env:"BITREVIEW_COMMENT_ID"`
	ChatCommand    string `env:"BITREVIEW_COMMAND"`
	PipeStorageDir string `env:"BITBUCKET_PIPE_STORAGE_DIR"`
	PipelineUUID   string `env:"BITBUCKET_PIPELINE_UUID"`

	// Set by the user.
	AccessToken    string        `env:"BITBUCKET_ACCESS_TOKEN"`
	APIToken       string        `env:"BITBUCKET_API_TOKEN"`
	Email          string        `env:"BITBUCKET_EMAIL"`
	APIURL         string        `env:"BITBUCKET_API_URL" envDefault:"https://api.bitbucket.org/2.0"`
	AllowHTTP      bool          `env:"BITBUCKET_ALLOW_HTTP" envDefault:"false"`
	LLMProvider    string        `env:"LLM_PROVIDER" envDefault:"openai"`
	LLMModel       string        `env:"LLM_MODEL"`
	LLMLightModel  string        `env:"LLM_LIGHT_MODEL"`
	LLMAPIKey      string        `env:"LLM_API_KEY"`
	LLMBaseURL     string        `env:"LLM_BASE_URL"`
	LLMTimeout     time.Duration `env:"LLM_TIMEOUT" envDefault:"120s"`
	LLMConcurrency int           `env:"LLM_CONCURRENCY" envDefault:"4"`
	LLMPrices      string        `env:"LLM_PRICES"`
	ReviewProfile  string        `env:"REVIEW_PROFILE" envDefault:"chill"`
	ReviewLanguage string        `env:"REVIEW_LANGUAGE" envDefault:"en-US"`
	PathFilters    []string      `env:"-"` // PATH_FILTERS: list variable, read by readList
	MaxFiles       int           `env:"MAX_FILES" envDefault:"300"`
	MaxComments    int           `env:"MAX_COMMENTS" envDefault:"30"`
	MaxInputTokens int           `env:"MAX_INPUT_TOKENS" envDefault:"200000"`
	MaxDiffBytes   int           `env:"MAX_DIFF_BYTES" envDefault:"33554432"`
	MinSeverity    string        `env:"MIN_SEVERITY" envDefault:"low"`
	FailOn         string        `env:"FAIL_ON" envDefault:"none"`
	FailOnError    bool          `env:"FAIL_ON_ERROR" envDefault:"false"`
	CodeInsights   bool          `env:"CODE_INSIGHTS" envDefault:"true"`
	TasksOn        string        `env:"TASKS_ON" envDefault:"none"`
	Incremental    bool          `env:"INCREMENTAL" envDefault:"true"`
	DryRun         bool          `env:"DRY_RUN" envDefault:"false"`
	ConfigFile     string        `env:"CONFIG_FILE" envDefault:".bitreview.yaml"`
	Debug          bool          `env:"DEBUG" envDefault:"false"`
	RunTimeout     time.Duration `env:"RUN_TIMEOUT" envDefault:"30m"`

	// explicit names the variables set (non-empty) in the environment, so
	// the repository config never overrides a pipe variable.
	explicit map[string]bool
}

// ConfigError lists every problem with the configuration at once. Each
// entry names the variable and the fix, never the value.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// loadConfig parses environ (KEY=VALUE pairs) in one pass and reports every
// unparsable variable together. Commands use loadValidated, which adds the
// value checks to the same message.
func loadConfig(environ []string) (Config, *ConfigError) {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var cfg Config
	var problems []string
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		problems = append(problems, describeEnvErrors(err)...)
	}
	var listProblems []string
	cfg.PathFilters, listProblems = readList(vars, "PATH_FILTERS")
	problems = append(problems, listProblems...)
	cfg.explicit = map[string]bool{}
	for k, v := range vars {
		if v != "" {
			cfg.explicit[strings.TrimSuffix(k, "_COUNT")] = true
		}
	}
	if len(problems) > 0 {
		return cfg, &ConfigError{Problems: problems}
	}
	return cfg, nil
}

// describeEnvErrors turns caarlos0/env's errors into messages that name the
// variable and the expected type. The library's own ParseError text
// contains the raw value, which may be a secret, so it is never printed.
func describeEnvErrors(err error) []string {
	var agg env.AggregateError
	errs := []error{err}
	if errors.As(err, &agg) {
		errs = agg.Errors
	}
	var out []string
	for _, e := range errs {
		var pe env.ParseError
		var ns env.VarIsNotSetError
		var em env.EmptyVarError
		switch {
		case errors.As(e, &pe):
			out = append(out, fmt.Sprintf("%s: must be %s", envName(pe.Name), typeHint(pe.Type.String())))
		case errors.As(e, &ns):
			out = append(out, ns.Key+": required, not set")
		case errors.As(e, &em):
			out = append(out, em.Key+": required, empty")
		default:
			out = append(out, "configuration: could not be read")
		}
	}
	return out
}

// envName maps a Config field name to its variable.
func envName(field string) string {
	if f, ok := reflect.TypeFor[Config]().FieldByName(field); ok {
		if key, _, _ := strings.Cut(f.Tag.Get("env"), ","); key != "" && key != "-" {
			return key
		}
	}
	return field
}

func typeHint(t string) string {
	switch t {
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	case "time.Duration":
		return "a duration such as 90s or 2m"
	}
	return "a " + t
}

// configVar is one variable with its default, as documented.
type configVar struct{ key, def string }

// configVars lists the Config variables with their defaults, for the docs
// sync test and `help`.
func configVars() []configVar { return paramsOf(&Config{}) }

// readList reads a pipe list variable: NAME_COUNT with NAME_0…NAME_n, as
// Bitbucket passes YAML lists to pipes, or else a comma-separated NAME.
// A count that is not a number, or an entry below the count that is not
// set, is a problem: the list would silently be shorter than written.
func readList(vars map[string]string, name string) (list, problems []string) {
	if count, set := vars[name+"_COUNT"]; set && strings.TrimSpace(count) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 0 {
			return nil, []string{name + "_COUNT: must be a whole number (Bitbucket sets it for a YAML list)"}
		}
		for i := range n {
			key := fmt.Sprintf("%s_%d", name, i)
			if v := strings.TrimSpace(vars[key]); v != "" {
				list = append(list, v)
			} else {
				problems = append(problems, fmt.Sprintf("%s: not set, but %s_COUNT is %d: set %s_0 to %s_%d, or correct the count", key, name, n, name, name, n-1))
			}
		}
		return list, problems
	}
	for _, v := range strings.Split(vars[name], ",") {
		if v = strings.TrimSpace(v); v != "" {
			list = append(list, v)
		}
	}
	return list, nil
}

// validate checks values and combinations for a command ("pipe" needs
// Bitbucket credentials and a PR; "review" needs neither).
func (c Config) validate(command string) *ConfigError {
	var p []string
	if command == "pipe" {
		p = append(p, c.validateBitbucket()...)
		if cmd := c.chatCommand(); c.ChatCommand != "" && !slices.Contains(relay.Commands(), relay.Command(cmd)) {
			p = append(p, "BITREVIEW_COMMAND: must be one of "+joinCommands(relay.Commands())+" (the relay sets it from an @bitreview comment)")
		}
	}
	p = append(p, c.validateLLM(command)...)
	p = append(p, c.validateReview()...)
	if len(p) == 0 {
		return nil
	}
	sort.Strings(p)
	return &ConfigError{Problems: p}
}

func (c Config) validateBitbucket() []string {
	var p []string
	switch {
	case c.AccessToken != "" && (c.APIToken != "" || c.Email != ""):
		p = append(p, "BITBUCKET_ACCESS_TOKEN and BITBUCKET_API_TOKEN/BITBUCKET_EMAIL are both set: use one auth mode, either an access token (Bearer) or an Atlassian API token with its account email")
	case c.AccessToken == "" && c.APIToken == "" && c.Email == "":
		p = append(p, "BITBUCKET_ACCESS_TOKEN: not set. Set it to a repository access token with the Pull requests: Write and Repositories: Read permissions, or set BITBUCKET_API_TOKEN and BITBUCKET_EMAIL for an Atlassian API token with scopes read:repository:bitbucket, read:pullrequest:bitbucket, write:pullrequest:bitbucket (store either as a secured variable)")
	case c.APIToken != "" && c.Email == "":
		p = append(p, "BITBUCKET_EMAIL: not set. An Atlassian API token is sent as email:token; set the email of the account that owns BITBUCKET_API_TOKEN")
	case c.APIToken == "" && c.Email != "" && c.AccessToken == "":
		p = append(p, "BITBUCKET_API_TOKEN: not set. BITBUCKET_EMAIL is set, so an Atlassian API token is expected (scopes read:repository:bitbucket, read:pullrequest:bitbucket, write:pullrequest:bitbucket)")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		p = append(p, "BITBUCKET_API_URL: must be an absolute http(s) URL without credentials, such as https://api.bitbucket.org/2.0")
	} else if s := c.plainHTTPProblem(); s != "" {
		p = append(p, s)
	}
	if c.Workspace == "" {
		p = append(p, "BITBUCKET_WORKSPACE: not set. Pipelines sets it; when running elsewhere set the workspace slug")
	}
	if c.RepoSlug == "" {
		p = append(p, "BITBUCKET_REPO_SLUG: not set. Pipelines sets it; when running elsewhere set the repository slug")
	}
	if _, err := c.prID(); err != nil {
		p = append(p, err.Error())
	}
	return p
}

// authMode names the Bitbucket credential in use, never its value.
func (c Config) authMode() string {
	switch {
	case c.AccessToken != "":
		return "access token (Bearer)"
	case c.APIToken != "":
		return "Atlassian API token (Basic email:token)"
	}
	return "none"
}

// prID is the pull request under review: BITREVIEW_PR_ID (custom pipeline
// started by the relay) or BITBUCKET_PR_ID (pull-request pipeline).
func (c Config) prID() (int, error) {
	name, v := "BITBUCKET_PR_ID", c.PRID
	if c.ChatPRID != "" {
		name, v = "BITREVIEW_PR_ID", c.ChatPRID
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

var providers = []string{"openai", "anthropic", "azure", "googleai", "bedrock", "mistral", "ollama", "openai-compatible"}

func (c Config) validateLLM(command string) []string {
	var p []string
	known := false
	for _, pr := range providers {
		known = known || pr == c.LLMProvider
	}
	if !known {
		p = append(p, "LLM_PROVIDER: must be one of "+strings.Join(providers, ", "))
	}
	needsKey := known && c.LLMProvider != "ollama" && c.LLMProvider != "bedrock" && c.LLMProvider != "openai-compatible"
	switch {
	case !needsKey || c.LLMAPIKey != "":
	case command == "pipe" || command == "action":
		p = append(p, fmt.Sprintf("LLM_API_KEY: not set. The %s provider needs an API key; store it as a secured variable and pass it to the %s", c.LLMProvider, command))
	case c.explicit["LLM_PROVIDER"]: // local review: a provider was chosen, so no Ollama fallback
		p = append(p, fmt.Sprintf("LLM_API_KEY: not set. LLM_PROVIDER is %s, which needs an API key: set LLM_API_KEY, or unset LLM_PROVIDER to use a local Ollama", c.LLMProvider))
	}
	if (c.LLMProvider == "azure" || c.LLMProvider == "openai-compatible") && c.LLMBaseURL == "" {
		p = append(p, fmt.Sprintf("LLM_BASE_URL: not set. The %s provider needs the endpoint URL", c.LLMProvider))
	}
	if err := llm.CheckBaseURL(c.LLMProvider, c.LLMBaseURL); known && err != nil {
		if errors.Is(err, llm.ErrPlainHTTP) {
			p = append(p, fmt.Sprintf("LLM_BASE_URL: must use https with the %s provider: its API key would travel unencrypted. Plain http:// is allowed only to a loopback host (localhost, 127.0.0.1, ::1) and for ollama and openai-compatible", c.LLMProvider))
		} else {
			p = append(p, "LLM_BASE_URL: must be an absolute http(s) URL without credentials, query or fragment")
		}
	}
	if _, err := review.ParsePrices(c.LLMPrices); err != nil {
		p = append(p, "LLM_PRICES: "+err.Error())
	}
	if c.LLMTimeout <= 0 {
		p = append(p, "LLM_TIMEOUT: must be a positive duration such as 120s")
	}
	if c.RunTimeout <= 0 {
		p = append(p, "RUN_TIMEOUT: must be a positive duration such as 30m, below the step's max-time")
	}
	if c.LLMConcurrency < 1 || c.LLMConcurrency > 64 {
		p = append(p, "LLM_CONCURRENCY: must be between 1 and 64")
	}
	return p
}

func (c Config) validateReview() []string {
	var p []string
	if c.ReviewProfile != string(review.Chill) && c.ReviewProfile != string(review.Assertive) {
		p = append(p, "REVIEW_PROFILE: must be chill or assertive")
	}
	if _, err := review.ParseSeverity(c.MinSeverity); err != nil {
		p = append(p, "MIN_SEVERITY: must be one of "+strings.Join(review.SeverityNames(), ", "))
	}
	if _, err := c.failOn(); err != nil {
		p = append(p, "FAIL_ON: must be none or one of "+strings.Join(review.SeverityNames(), ", "))
	}
	if _, err := c.tasksOn(); err != nil {
		p = append(p, "TASKS_ON: must be none or one of "+strings.Join(review.SeverityNames(), ", "))
	}
	if _, err := diffparse.NewPathFilter(c.PathFilters); err != nil {
		p = append(p, "PATH_FILTERS: "+err.Error())
	}
	for name, v := range map[string]int{"MAX_FILES": c.MaxFiles, "MAX_COMMENTS": c.MaxComments, "MAX_INPUT_TOKENS": c.MaxInputTokens, "MAX_DIFF_BYTES": c.MaxDiffBytes} {
		if v < 1 {
			p = append(p, name+": must be a positive whole number")
		}
	}
	return p
}

// costOf estimates what res cost with the configured price table.
func (c Config) costOf(res *review.Result) float64 {
	prices, err := review.ParsePrices(c.LLMPrices)
	if err != nil {
		return 0
	}
	usd, _ := prices.Cost(res.UsageByModel)
	return usd
}

// failOn returns the severity that fails the step, or -1 for none.
func (c Config) failOn() (review.Severity, error) {
	if strings.EqualFold(c.FailOn, "none") || c.FailOn == "" {
		return -1, nil
	}
	return review.ParseSeverity(c.FailOn)
}

// tasksOn returns the lowest severity that gets a pull-request task under
// its inline comment, or -1 for none.
func (c Config) tasksOn() (review.Severity, error) {
	if strings.EqualFold(c.TasksOn, "none") || c.TasksOn == "" {
		return -1, nil
	}
	return review.ParseSeverity(c.TasksOn)
}
