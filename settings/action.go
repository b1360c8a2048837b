package settings

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/bitreview/bitreview/command"
)

// BotMention is the name the pipe and the action read in comments and
// descriptions ("@bitreview"); RELAY_BOT_NAME is the relay's own.
const BotMention = "bitreview"

// CommandParser is the shared "@bitreview …" parser (package command), the
// one the relay uses too.
func CommandParser() *command.Parser { return command.New(BotMention) }

// Action is what a GitHub Actions job adds to Settings: the Actions
// environment, and the inputs of action.yml.
type Action struct {
	Token      string `env:"GITHUB_TOKEN"`
	Repository string `env:"GITHUB_REPOSITORY"`
	EventPath  string `env:"GITHUB_EVENT_PATH"`
	EventName  string `env:"GITHUB_EVENT_NAME"`
	APIURL     string `env:"GITHUB_API_URL" envDefault:"https://api.github.com"`
	Workspace  string `env:"GITHUB_WORKSPACE"`
	CheckRun   bool   `env:"CHECK_RUN" envDefault:"true"`
}

// ActionEnviron maps GitHub's INPUT_<NAME> variables onto the plain names
// the pipe reads (INPUT_LLM_MODEL → LLM_MODEL; INPUT_GITHUB_TOKEN →
// GITHUB_TOKEN). A non-empty input wins over a plain variable of the same
// name; an empty one (an input the workflow did not set) is ignored.
func ActionEnviron(environ []string) []string {
	out := make([]string, 0, len(environ))
	var inputs []string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		name, isInput := strings.CutPrefix(k, "INPUT_")
		if isInput {
			if v != "" {
				inputs = append(inputs, strings.ReplaceAll(strings.ToUpper(name), "-", "_")+"="+v)
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, inputs...) // later entries win in Load and env.Parse
}

// PlatformOf picks what `bitreview pipe` talks to: PLATFORM=github or
// PLATFORM=bitbucket when set (also as the action input), else GitHub
// inside GitHub Actions (GITHUB_ACTIONS=true), else Bitbucket. `bitreview
// action` is always GitHub.
func PlatformOf(environ []string) (string, error) {
	var platform, actions string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PLATFORM", "INPUT_PLATFORM":
			if v != "" {
				platform = strings.ToLower(strings.TrimSpace(v))
			}
		case "GITHUB_ACTIONS":
			actions = v
		}
	}
	switch platform {
	case "github", "bitbucket":
		return platform, nil
	case "":
		if actions == "true" {
			return "github", nil
		}
		return "bitbucket", nil
	}
	return "", fmt.Errorf("PLATFORM: must be github or bitbucket, not %q", platform)
}

// LoadAction reads the action's own variables from environ (after
// ActionEnviron) and checks the ones GitHub Actions must set.
func LoadAction(environ []string) (Action, error) {
	var a Action
	if err := env.ParseWithOptions(&a, env.Options{Environment: varsOf(environ)}); err != nil {
		return a, fmt.Errorf("GitHub configuration: %w", err)
	}
	var p []string
	if a.Token == "" {
		p = append(p, "GITHUB_TOKEN: not set. Pass it as the github_token input (default ${{ github.token }}) with permissions pull-requests: write")
	}
	if !repoRE.MatchString(a.Repository) {
		p = append(p, "GITHUB_REPOSITORY: must be owner/repo (GitHub Actions sets it)")
	}
	if a.EventPath == "" {
		p = append(p, "GITHUB_EVENT_PATH: not set (GitHub Actions sets it)")
	}
	if len(p) > 0 {
		return a, &Error{Problems: p}
	}
	return a, nil
}

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// Event is the part of a workflow event bitreview reads.
type Event struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
	} `json:"pull_request"`
	Issue *struct {
		Number      int             `json:"number"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Comment *struct {
		ID   int64  `json:"id"`
		Body string `json:"body"`
		User struct {
			Login string `json:"login"`
			Type  string `json:"type"`
		} `json:"user"`
	} `json:"comment"`
}

// ReadEvent reads the event file GITHUB_EVENT_PATH names and returns the
// event with its pull request number; 0 means the event is not about a
// pull request.
func ReadEvent(path string) (Event, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Event{}, 0, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
	}
	var e Event
	if err := json.Unmarshal(data, &e); err != nil {
		return Event{}, 0, fmt.Errorf("parse GITHUB_EVENT_PATH: %w", err)
	}
	switch {
	case e.PullRequest != nil && e.PullRequest.Number > 0:
		return e, e.PullRequest.Number, nil
	case e.Issue != nil && len(e.Issue.PullRequest) > 0 && string(e.Issue.PullRequest) != "null":
		return e, e.Issue.Number, nil
	}
	return e, 0, nil
}
