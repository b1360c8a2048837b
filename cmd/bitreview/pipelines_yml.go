package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// pipelinesFile is the Pipelines configuration, read from the repository's
// main branch by setup and doctor.
const pipelinesFile = "bitbucket-pipelines.yml"

// chatVariables are what the relay passes to the custom pipeline; the
// pipeline must declare them and the pipe step must pass them on (pipe
// variables reach a pipe only when listed under its variables:).
var chatVariables = []string{"BITREVIEW_PR_ID", "BITREVIEW_COMMENT_ID", "BITREVIEW_COMMAND"}

// ymlReport is what a bitbucket-pipelines.yml has of bitreview.
type ymlReport struct {
	PRStep     bool     // a pull-requests pipeline runs the bitreview pipe
	Custom     bool     // pipelines.custom.bitreview exists
	CustomPipe bool     // and runs the bitreview pipe
	Declared   []string // chat variables it declares
	Passed     []string // chat variables its pipe step passes on
}

// missing lists what the yml lacks for the pipe (pull-request reviews) and
// for the relay (the custom pipeline), in words.
func (y ymlReport) missing() (pipe, relay []string) {
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
		for _, v := range chatVariables {
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

// analysePipelinesYML reads a bitbucket-pipelines.yml (aliases resolved).
func analysePipelinesYML(data []byte) (ymlReport, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return ymlReport{}, fmt.Errorf("%s is not valid YAML: %w", pipelinesFile, err)
	}
	var y ymlReport
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
		for _, v := range chatVariables {
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

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+)$`)

// pipeRef is the image reference the snippet pins: this binary's version
// when it is a release, else a placeholder to replace.
func pipeRef() string {
	if m := semverRE.FindStringSubmatch(version); m != nil {
		return "docker://bitreview/bitreview:" + m[1]
	}
	return "docker://bitreview/bitreview:<version>"
}

// pipelinesSnippet is what bitbucket-pipelines.yml needs: the
// pull-request step and the custom pipeline the relay starts.
func pipelinesSnippet() string {
	ref := pipeRef()
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
