package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// PipelinesFile is the Pipelines configuration, read from a repository's
// main branch by setup and doctor.
const PipelinesFile = "bitbucket-pipelines.yml"

// chatVariables are what the relay passes to the custom pipeline; the
// pipeline must declare them and the pipe step must pass them on (pipe
// variables reach a pipe only when listed under its variables:).
func chatVariables() []string {
	return []string{"BITREVIEW_PR_ID", "BITREVIEW_COMMENT_ID", "BITREVIEW_COMMAND"}
}

// PipelinesYML is what a bitbucket-pipelines.yml has of bitreview.
type PipelinesYML struct {
	PRStep     bool     // a pull-requests pipeline runs the bitreview pipe
	Custom     bool     // pipelines.custom.bitreview exists
	CustomPipe bool     // and runs the bitreview pipe
	Declared   []string // chat variables it declares
	Passed     []string // chat variables its pipe step passes on
}

// Missing lists what the yml lacks for the pipe (pull-request reviews) and
// for the relay (the custom pipeline), in words.
func (y PipelinesYML) Missing() (pipe, relay []string) {
	if !y.PRStep {
		pipe = append(pipe, "a pull-requests pipeline step with the bitreview pipe")
	}
	switch {
	case !y.Custom:
		relay = append(relay, "the custom pipeline bitreview (custom: bitreview:)")
	case !y.CustomPipe:
		relay = append(relay, "a bitreview pipe step in the custom pipeline bitreview")
	}
	if y.Custom {
		for _, v := range chatVariables() {
			if !slices.Contains(y.Declared, v) {
				relay = append(relay, v+" under the custom pipeline's variables:")
			}
			if y.CustomPipe && !slices.Contains(y.Passed, v) {
				relay = append(relay, v+": $"+v+" under the pipe's variables:")
			}
		}
	}
	return pipe, relay
}

// AnalysePipelinesYML reads a bitbucket-pipelines.yml (aliases resolved).
func AnalysePipelinesYML(data []byte) (PipelinesYML, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return PipelinesYML{}, fmt.Errorf("%s is not valid YAML: %w", PipelinesFile, err)
	}
	var y PipelinesYML
	pipelines, _ := doc["pipelines"].(map[string]any)
	if prs, ok := pipelines["pull-requests"].(map[string]any); ok {
		for _, def := range prs {
			if len(bitreviewPipes(def)) > 0 {
				y.PRStep = true
			}
		}
	}
	custom, _ := pipelines["custom"].(map[string]any)
	def, ok := custom["bitreview"]
	if !ok {
		return y, nil
	}
	y.Custom = true
	items, _ := def.([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		vars, _ := m["variables"].([]any)
		for _, v := range vars {
			vm, _ := v.(map[string]any)
			if name, _ := vm["name"].(string); name != "" {
				y.Declared = append(y.Declared, name)
			}
		}
	}
	for _, p := range bitreviewPipes(def) {
		y.CustomPipe = true
		vars, _ := p["variables"].(map[string]any)
		for _, v := range chatVariables() {
			if val, _ := vars[v].(string); strings.Contains(val, v) && !slices.Contains(y.Passed, v) {
				y.Passed = append(y.Passed, v)
			}
		}
	}
	return y, nil
}

// bitreviewPipes finds every "- pipe: …bitreview…" step item under v.
func bitreviewPipes(v any) []map[string]any {
	var out []map[string]any
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if p, ok := x["pipe"].(string); ok && strings.Contains(strings.ToLower(p), "bitreview") {
				out = append(out, x)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}

// The yml a repository's main branch lacks, as readMainYML tells it.
var (
	errNoMainBranch = errors.New("the repository has no main branch yet")
	errNoYML        = errors.New("no " + PipelinesFile)
)

// ymlSyntaxError is a bitbucket-pipelines.yml that is not YAML.
type ymlSyntaxError struct{ err error }

func (e *ymlSyntaxError) Error() string { return e.err.Error() }
func (e *ymlSyntaxError) Unwrap() error { return e.err }

// readMainYML reads and analyses bitbucket-pipelines.yml on the
// repository's main branch (branch when the caller knows it). It returns
// the branch read, and errNoMainBranch, errNoYML (404), a *ymlSyntaxError
// or the Bitbucket call's own error.
func readMainYML(ctx context.Context, api RepoReader, ws, repo, branch string) (string, PipelinesYML, error) {
	if branch == "" {
		r, _, err := api.GetRepository(ctx, ws, repo)
		if err != nil {
			return "", PipelinesYML{}, err
		}
		if r.MainBranch == nil || r.MainBranch.Name == "" {
			return "", PipelinesYML{}, errNoMainBranch
		}
		branch = r.MainBranch.Name
	}
	var buf bytes.Buffer
	if _, err := api.GetFile(ctx, ws, repo, branch, PipelinesFile, &buf); err != nil {
		if statusCode(err) == http.StatusNotFound {
			return branch, PipelinesYML{}, errNoYML
		}
		return branch, PipelinesYML{}, err
	}
	y, err := AnalysePipelinesYML(buf.Bytes())
	if err != nil {
		return branch, y, &ymlSyntaxError{err}
	}
	return branch, y, nil
}

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+)$`)

// pipeRef is the image reference the snippet pins: version when it is a
// release, else a placeholder to replace.
func pipeRef(version string) string {
	if m := semverRE.FindStringSubmatch(version); m != nil {
		return "docker://bitreview/bitreview:" + m[1]
	}
	return "docker://bitreview/bitreview:<version>"
}

// PipelinesSnippet is what bitbucket-pipelines.yml needs: the pull-request
// step and the custom pipeline the relay starts, with the image of
// version (this binary's) when it is a release.
func PipelinesSnippet(version string) string {
	ref := pipeRef(version)
	return `pipelines:
  pull-requests:
    '**':
      - step:
          name: AI code review
          script:
            - pipe: ` + ref + `
              variables:
                BITBUCKET_ACCESS_TOKEN: $BITREVIEW_BB_TOKEN
                LLM_API_KEY: $LLM_API_KEY
  custom:
    bitreview:            # started by the relay for @bitreview comments and fork pull requests
      - variables:
          - name: BITREVIEW_PR_ID
          - name: BITREVIEW_COMMENT_ID
          - name: BITREVIEW_COMMAND
      - step:
          name: bitreview
          script:
            - pipe: ` + ref + `
              variables:
                BITBUCKET_ACCESS_TOKEN: $BITREVIEW_BB_TOKEN
                LLM_API_KEY: $LLM_API_KEY
                BITREVIEW_PR_ID: $BITREVIEW_PR_ID
                BITREVIEW_COMMENT_ID: $BITREVIEW_COMMENT_ID
                BITREVIEW_COMMAND: $BITREVIEW_COMMAND
`
}
