// Package settings is bitreview's configuration policy: the variables of
// every command (read from an environment that the caller passes in, never
// from the process), their validation with one message that names every
// problem, the repository's .bitreview.yaml and how it merges under the
// variables, and what the run derives from both (thresholds, costs, engine
// and model options, whether a pull request is skipped).
//
// It reads no environment itself: cmd passes os.Environ()-style slices. It
// talks to no code host either: the repository's files come through a
// review.FileSource that the caller provides.
package settings

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Settings is every variable of product.md. It is read once, by Load, and
// passed by value.
type Settings struct {
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
	Lint
	// Linked issues and the description's summary (jira.go).
	Linked

	// explicit names the variables set (non-empty) in the environment, so
	// the repository config never overrides a pipe variable.
	explicit map[string]bool
}

// Error lists every problem with the configuration at once. Each entry
// names the variable and the fix, never the value.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// Load parses environ (KEY=VALUE pairs) in one pass and reports every
// unparsable variable together. Commands use LoadValidated, which adds the
// value checks to the same message.
func Load(environ []string) (Settings, *Error) {
	vars := varsOf(environ)
	var s Settings
	var problems []string
	if err := env.ParseWithOptions(&s, env.Options{Environment: vars}); err != nil {
		problems = append(problems, describeEnvErrors(err)...)
	}
	var listProblems []string
	s.PathFilters, listProblems = readList(vars, "PATH_FILTERS")
	problems = append(problems, listProblems...)
	problems = append(problems, readLint(vars, &s.Lint)...)
	s.explicit = map[string]bool{}
	for k, v := range vars {
		if v != "" {
			s.explicit[strings.TrimSuffix(k, "_COUNT")] = true
		}
	}
	if len(problems) > 0 {
		return s, &Error{Problems: problems}
	}
	return s, nil
}

// varsOf turns KEY=VALUE pairs into a map; a later pair wins.
func varsOf(environ []string) map[string]string {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return vars
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

// envName maps a Settings field name to its variable.
func envName(field string) string {
	if f, ok := reflect.TypeFor[Settings]().FieldByName(field); ok {
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

// Var is one variable with its default, as documented.
type Var struct{ Key, Default string }

// Vars lists the variables of Settings with their defaults, for the docs
// sync test and `help`. PATH_FILTERS, a list variable, is not among them.
func Vars() []Var { return VarsOf(&Settings{}) }

// VarsOf lists the variables of a struct with env tags (Settings, Action,
// Relay) with their defaults.
func VarsOf(cfg any) []Var {
	params, err := env.GetFieldParams(cfg)
	if err != nil {
		return nil
	}
	out := make([]Var, 0, len(params))
	for _, p := range params {
		out = append(out, Var{Key: p.Key, Default: p.DefaultValue})
	}
	return out
}

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
