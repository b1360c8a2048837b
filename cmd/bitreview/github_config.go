package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/bitreview/bitreview/command"
)

// githubConfig is what a GitHub Actions job adds to Config: the Actions
// environment, and the inputs of action.yml.
type githubConfig struct {
	Token      string `env:"GITHUB_TOKEN"`
	Repository string `env:"GITHUB_REPOSITORY"`
	EventPath  string `env:"GITHUB_EVENT_PATH"`
	EventName  string `env:"GITHUB_EVENT_NAME"`
	APIURL     string `env:"GITHUB_API_URL" envDefault:"https://api.github.com"`
	Workspace  string `env:"GITHUB_WORKSPACE"`
	CheckRun   bool   `env:"CHECK_RUN" envDefault:"true"`
}

// actionEnviron maps GitHub's INPUT_<NAME> variables onto the plain names
// the pipe reads (INPUT_LLM_MODEL → LLM_MODEL; INPUT_GITHUB_TOKEN →
// GITHUB_TOKEN). A non-empty input wins over a plain variable of the same
// name; an empty one (an input the workflow did not set) is ignored.
func actionEnviron(environ []string) []string {
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
	return append(out, inputs...) // later entries win in loadConfig and env.Parse
}

func loadGitHubConfig(environ []string) (githubConfig, error) {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var c githubConfig
	if err := env.ParseWithOptions(&c, env.Options{Environment: vars}); err != nil {
		return c, fmt.Errorf("GitHub configuration: %w", err)
	}
	var p []string
	if c.Token == "" {
		p = append(p, "GITHUB_TOKEN: not set. Pass it as the github_token input (default ${{ github.token }}) with permissions pull-requests: write")
	}
	if !repoRE.MatchString(c.Repository) {
		p = append(p, "GITHUB_REPOSITORY: must be owner/repo (GitHub Actions sets it)")
	}
	if c.EventPath == "" {
		p = append(p, "GITHUB_EVENT_PATH: not set (GitHub Actions sets it)")
	}
	if len(p) > 0 {
		return c, &ConfigError{Problems: p}
	}
	return c, nil
}

var repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// ghEvent is the part of a workflow event bitreview reads.
type ghEvent struct {
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

// readEvent returns the pull request number of the event, and the
// comment's text for comment events ("" otherwise). 0 means the event is
// not about a pull request.
func readEvent(path string) (ghEvent, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ghEvent{}, 0, fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
	}
	var e ghEvent
	if err := json.Unmarshal(data, &e); err != nil {
		return ghEvent{}, 0, fmt.Errorf("parse GITHUB_EVENT_PATH: %w", err)
	}
	switch {
	case e.PullRequest != nil && e.PullRequest.Number > 0:
		return e, e.PullRequest.Number, nil
	case e.Issue != nil && len(e.Issue.PullRequest) > 0 && string(e.Issue.PullRequest) != "null":
		return e, e.Issue.Number, nil
	}
	return e, 0, nil
}

// actionRequest reads a comment with the shared parser, as the relay does
// on Bitbucket: the command the action runs ("review", "full review",
// "summary", which reviews like review, or "help"), or the question; both
// are "" when the comment does not mention bitreview. The commands the
// action does not offer (pause, resume, ignore) are answered with the
// help.
func actionRequest(body string) (cmd, question string) {
	m, ok := newCommandParser().Parse(body)
	switch {
	case !ok:
		return "", ""
	case m.Command == command.Ask:
		return "", m.Question
	case m.Command == command.Pause || m.Command == command.Resume || m.Command == command.Ignore:
		return string(command.Help), ""
	}
	return string(m.Command), ""
}
