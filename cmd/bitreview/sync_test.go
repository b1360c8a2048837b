package main

// The user-set variables are declared three times: the settings.Settings
// struct (the source of truth, plus list variables read by settings'
// readList), pipe.yml (what
// Atlassian's pipe tooling and the marketplace read) and README.md's
// Variables table (what users read). These tests fail when the three
// disagree on a name, a default or whether a variable is required, and, when
// ../shared/docs/product.md is beside the repository, when the names drift
// from the product's contract.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/caarlos0/env/v11"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"

	"github.com/bitreview/bitreview/settings"
)

// notUserVars are the Settings variables a user does not set in the pipe
// step: Pipelines provides them, or the relay passes them to the custom
// pipeline, or they are internal. They belong in neither pipe.yml nor the
// README's Variables table.
var notUserVars = map[string]string{
	"BITBUCKET_WORKSPACE":             "Pipelines",
	"BITBUCKET_REPO_SLUG":             "Pipelines",
	"BITBUCKET_PR_ID":                 "Pipelines (pull-request pipelines)",
	"BITBUCKET_COMMIT":                "Pipelines",
	"BITBUCKET_CLONE_DIR":             "Pipelines",
	"BITBUCKET_PR_DESTINATION_BRANCH": "Pipelines (pull-request pipelines)",
	"BITBUCKET_BRANCH":                "Pipelines",
	"BITBUCKET_BUILD_NUMBER":          "Pipelines",
	"BITBUCKET_PIPELINE_UUID":         "Pipelines",
	"BITBUCKET_PIPE_STORAGE_DIR":      "Pipelines (pipes)",
	"BITREVIEW_PR_ID":                 "the relay, through the custom pipeline",
	"BITREVIEW_COMMENT_ID":            "the relay, through the custom pipeline",
	"BITREVIEW_COMMAND":               "the relay, through the custom pipeline",
}

// extensionVars are user variables that product.md does not name (yet):
// product.md fixes the names it lists, and a variable beyond them is a
// deliberate addition, listed here with what it is for.
var extensionVars = map[string]string{
	"LLM_PRICES":           "prices for the cost estimate in the summary",
	"TASKS_ON":             "pull-request tasks on inline comments at or above a severity",
	"RUN_TIMEOUT":          "deadline of the whole run, so a stuck model or Bitbucket cannot hold the step until its max-time",
	"MAX_DIFF_BYTES":       "bytes of the diff read at most (requirement 33, resource bombs)",
	"BITBUCKET_ALLOW_HTTP": "opt-in for a plain http:// BITBUCKET_API_URL to a host that is not loopback",
}

// plannedVars are variables product.md lists for features not built yet,
// each with the open issue that builds it. The code must not read them yet:
// the issue that adds one removes its entry here, and from then on the full
// check (name and default) applies to it.
var plannedVars = map[string]string{}

// docVar is one variable as one of the three sources declares it.
type docVar struct {
	Default    string
	HasDefault bool
	Required   bool
}

// codeVars reads the variables of a Settings-like struct (env tags) plus the
// list variables, minus notUserVars. The second result lists the
// notUserVars entries that the struct does have.
func codeVars(t *testing.T, cfg any, lists []string) (map[string]docVar, []string) {
	t.Helper()
	params, err := env.GetFieldParams(cfg)
	require.NoError(t, err)
	out := make(map[string]docVar)
	var internal []string
	for _, p := range params {
		if p.Ignored || p.Key == "" {
			continue
		}
		if _, ok := notUserVars[p.Key]; ok {
			internal = append(internal, p.Key)
			continue
		}
		out[p.Key] = docVar{Default: p.DefaultValue, HasDefault: p.HasDefaultValue, Required: p.Required || p.NotEmpty}
	}
	for _, l := range lists {
		out[l] = docVar{}
	}
	return out, internal
}

// listVars finds the list variables that package settings reads with
// readList(vars, "NAME").
func listVars(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../settings/*.go")
	require.NoError(t, err)
	re := regexp.MustCompile(`readList\([^,()]+,\s*"([A-Z][A-Z0-9_]*)"\)`)
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// pipeYML is pipe.yml, as Atlassian's pipes lay it out.
type pipeYML struct {
	Name        string         `yaml:"name"`
	Image       string         `yaml:"image"`
	Category    string         `yaml:"category"`
	Description string         `yaml:"description"`
	Repository  string         `yaml:"repository"`
	Maintainer  map[string]any `yaml:"maintainer"`
	Vendor      map[string]any `yaml:"vendor"`
	Tags        []string       `yaml:"tags"`
	Variables   []struct {
		Name        string  `yaml:"name"`
		Description string  `yaml:"description"`
		Required    *bool   `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"variables"`
}

func readPipeYML(t *testing.T) (pipeYML, map[string]docVar, []string) {
	t.Helper()
	raw, err := os.ReadFile("../../pipe.yml")
	require.NoError(t, err)
	var p pipeYML
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&p), "pipe.yml")
	vars := make(map[string]docVar)
	var problems []string
	for _, v := range p.Variables {
		if _, dup := vars[v.Name]; dup {
			problems = append(problems, "pipe.yml lists "+v.Name+" twice")
		}
		if strings.TrimSpace(v.Description) == "" {
			problems = append(problems, "pipe.yml: "+v.Name+" has no description")
		}
		if v.Required == nil {
			problems = append(problems, "pipe.yml: "+v.Name+" does not say whether it is required")
		}
		d := docVar{Required: v.Required != nil && *v.Required}
		if v.Default != nil {
			d.Default, d.HasDefault = *v.Default, true
		}
		vars[v.Name] = d
	}
	return p, vars, problems
}

// readme is README.md split into its "## " sections.
type readme struct {
	text     string
	order    []string
	sections map[string]string
}

func readREADME(t *testing.T) readme {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	r := readme{text: string(raw), sections: map[string]string{}}
	cur := ""
	inFence := false
	for _, line := range strings.SplitAfter(r.text, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(line, "## ") {
			cur = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			r.order = append(r.order, cur)
			continue
		}
		r.sections[cur] += line
	}
	return r
}

var readmeDefault = regexp.MustCompile("Default: `([^`]*)`")

// variables parses the Variables table: "| NAME (*) | usage … Default: `x`. |".
func (r readme) variables() (map[string]docVar, []string) {
	vars := make(map[string]docVar)
	var problems []string
	for _, line := range strings.Split(r.sections["Variables"], "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) < 2 {
			continue
		}
		name := strings.TrimSpace(cells[0])
		if name == "Variable" || strings.Trim(name, "-: ") == "" {
			continue
		}
		var d docVar
		if n, ok := strings.CutSuffix(name, "(*)"); ok {
			name, d.Required = n, true
		}
		name = strings.Trim(strings.TrimSpace(name), "`")
		usage := strings.Join(cells[1:], "|")
		if m := readmeDefault.FindStringSubmatch(usage); m != nil {
			d.Default, d.HasDefault = m[1], true
		}
		if _, dup := vars[name]; dup {
			problems = append(problems, "README.md lists "+name+" twice")
		}
		vars[name] = d
	}
	return vars, problems
}

// compareVars names every disagreement between the code and the two
// documents.
func compareVars(code, pipe, readme map[string]docVar) []string {
	var problems []string
	pipeDoc := document{name: "pipe.yml", noDefault: "pipe.yml gives no default", notRequired: "not in pipe.yml"}
	readmeDoc := document{name: "README.md", noDefault: "README.md says no \"Default: `…`\"", notRequired: "not marked (*) in README.md"}
	for _, name := range sortedKeys(code) {
		c := code[name]
		p, inPipe := pipe[name]
		r, inReadme := readme[name]
		if !inPipe {
			problems = append(problems, name+": read by the code but missing from pipe.yml's variables")
		}
		if !inReadme {
			problems = append(problems, name+": read by the code but missing from README.md's Variables table")
		}
		if inPipe {
			problems = append(problems, compareVar(name, c, p, pipeDoc)...)
		}
		if inReadme {
			problems = append(problems, compareVar(name, c, r, readmeDoc)...)
		}
		if inPipe && inReadme && p.Required && !r.Required {
			problems = append(problems, name+": required in pipe.yml, not marked (*) in README.md")
		}
	}
	for _, name := range sortedKeys(pipe) {
		if _, ok := code[name]; !ok {
			problems = append(problems, name+": in pipe.yml but not read by the code")
		}
	}
	for _, name := range sortedKeys(readme) {
		if _, ok := code[name]; !ok {
			problems = append(problems, name+": in README.md's Variables table but not read by the code")
		}
	}
	return problems
}

// document names one of the two documents in compareVar's messages.
type document struct{ name, noDefault, notRequired string }

// compareVar names the disagreements between the code's c and the
// document's d on the variable name: its default and whether it is
// required.
func compareVar(name string, c, d docVar, doc document) []string {
	var problems []string
	switch {
	case c.HasDefault && !d.HasDefault:
		problems = append(problems, fmt.Sprintf("%s: the code defaults to %q, %s", name, c.Default, doc.noDefault))
	case !c.HasDefault && d.HasDefault:
		problems = append(problems, fmt.Sprintf("%s: %s gives the default %q, the code has none", name, doc.name, d.Default))
	case c.Default != d.Default:
		problems = append(problems, fmt.Sprintf("%s: the code defaults to %q, %s to %q", name, c.Default, doc.name, d.Default))
	}
	if c.Required && !d.Required {
		problems = append(problems, name+": required by the code, "+doc.notRequired)
	}
	return problems
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestVariablesInSyncAcrossConfigPipeYMLAndREADME(t *testing.T) {
	lists := listVars(t)
	require.Contains(t, lists, "PATH_FILTERS", "the list variable read by readList")
	code, internal := codeVars(t, &settings.Settings{}, lists)
	require.Contains(t, code, "LLM_PROVIDER", "Settings' env tags were read")
	_, pipe, pipeProblems := readPipeYML(t)
	rvars, readmeProblems := readREADME(t).variables()

	problems := append(append(pipeProblems, readmeProblems...), compareVars(code, pipe, rvars)...)
	assert.Empty(t, problems, "pipe.yml, README.md and Settings disagree:\n  %s", strings.Join(problems, "\n  "))

	// The allowlist stays honest: every entry is really read by the code,
	// and none is documented as a user variable.
	for name := range notUserVars {
		assert.Contains(t, internal, name, "notUserVars lists %s, which Settings does not read: remove it", name)
		assert.NotContains(t, pipe, name, "%s is provided by %s, not set by the user: remove it from pipe.yml", name, notUserVars[name])
		assert.NotContains(t, rvars, name, "%s is provided by %s: keep it out of README's Variables table", name, notUserVars[name])
	}
}

func TestSyncTestCatchesDrift(t *testing.T) {
	type extended struct {
		settings.Settings
		NewVar string `env:"BITREVIEW_NEW_VARIABLE" envDefault:"on"`
	}
	code, _ := codeVars(t, &extended{}, listVars(t))
	_, pipe, _ := readPipeYML(t)
	rvars, _ := readREADME(t).variables()
	problems := strings.Join(compareVars(code, pipe, rvars), "\n")
	assert.Contains(t, problems, "BITREVIEW_NEW_VARIABLE: read by the code but missing from pipe.yml")
	assert.Contains(t, problems, "BITREVIEW_NEW_VARIABLE: read by the code but missing from README.md")

	code, _ = codeVars(t, &settings.Settings{}, append(listVars(t), "EXTRA_LIST"))
	assert.Contains(t, strings.Join(compareVars(code, pipe, rvars), "\n"), "EXTRA_LIST: read by the code but missing from pipe.yml")

	code, _ = codeVars(t, &settings.Settings{}, listVars(t))
	changed := maps(pipe, func(m map[string]docVar) { m["MAX_COMMENTS"] = docVar{Default: "31", HasDefault: true} })
	assert.Contains(t, strings.Join(compareVars(code, changed, rvars), "\n"), `MAX_COMMENTS: the code defaults to "30", pipe.yml to "31"`)
	changed = maps(rvars, func(m map[string]docVar) { delete(m, "DEBUG"); m["GONE"] = docVar{} })
	problems = strings.Join(compareVars(code, pipe, changed), "\n")
	assert.Contains(t, problems, "DEBUG: read by the code but missing from README.md")
	assert.Contains(t, problems, "GONE: in README.md's Variables table but not read by the code")
	changed = maps(rvars, func(m map[string]docVar) { m["LLM_MODEL"] = docVar{Default: "gpt-4.1", HasDefault: true} })
	assert.Contains(t, strings.Join(compareVars(code, pipe, changed), "\n"), `LLM_MODEL: README.md gives the default "gpt-4.1", the code has none`)
}

func maps(m map[string]docVar, edit func(map[string]docVar)) map[string]docVar {
	c := make(map[string]docVar, len(m))
	for k, v := range m {
		c[k] = v
	}
	edit(c)
	return c
}

var semverTag = regexp.MustCompile(`^bitreview/bitreview:(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

func TestPipeYMLFollowsAtlassianConventions(t *testing.T) {
	p, _, _ := readPipeYML(t)
	assert.Equal(t, "bitreview", p.Name)
	assert.Regexp(t, semverTag, p.Image, "image: a pinned semantic version, never latest")
	for field, v := range map[string]string{"category": p.Category, "description": p.Description, "repository": p.Repository} {
		assert.NotEmpty(t, strings.TrimSpace(v), field)
	}
	assert.NotEmpty(t, p.Maintainer["name"], "maintainer.name")
	assert.NotEmpty(t, p.Maintainer["email"], "maintainer.email")
	assert.NotEmpty(t, p.Vendor["name"], "vendor.name")
	assert.NotEmpty(t, p.Tags, "tags")
	var names []string
	for _, v := range p.Variables {
		names = append(names, v.Name)
	}
	assert.Contains(t, names, "DEBUG")
}

func TestREADMEFollowsThePipeLayout(t *testing.T) {
	r := readREADME(t)
	assert.True(t, strings.HasPrefix(r.text, "# Bitbucket Pipelines Pipe: bitreview\n"), "title")
	for _, cmd := range []string{"go run ./cmd/bitreview review .", "go test -race ./..."} {
		assert.Contains(t, r.text[:strings.Index(r.text, "## ")], cmd, "the newcomer's command above the first section")
	}
	want := []string{"YAML Definition", "Variables", "Details", "Prerequisites", "Examples", "Troubleshooting", "Support", "License"}
	var got []string
	for _, s := range r.order {
		if slices.Contains(want, s) {
			got = append(got, s)
		}
	}
	assert.Equal(t, want, got, "sections of an Atlassian pipe README, in order")
	assert.Contains(t, r.sections["Variables"], "(*) = required variable.")

	// Every user variable is shown in the YAML Definition, set or commented.
	_, pipe, _ := readPipeYML(t)
	for name := range pipe {
		assert.Regexp(t, `(?m)^\s*#?\s*`+name+`:`, r.sections["YAML Definition"], "YAML Definition shows %s", name)
	}

	// Every example pins the version pipe.yml names.
	p, _, _ := readPipeYML(t)
	refs := regexp.MustCompile(`bitreview/bitreview:[0-9][0-9A-Za-z.-]*`).FindAllString(r.text, -1)
	require.NotEmpty(t, refs)
	for _, ref := range refs {
		assert.Equal(t, p.Image, ref, "README.md pins another version than pipe.yml")
	}
	for _, ex := range []string{"anthropic", "azure", "ollama", "openai-compatible", "FAIL_ON:", "PATH_FILTERS:", "custom:", "BITREVIEW_PR_ID", "BITREVIEW_COMMENT_ID", "BITREVIEW_COMMAND"} {
		assert.Contains(t, r.sections["Examples"], ex)
	}
	assert.NotRegexp(t, "(?i)run `?bitreview doctor", r.text, "doctor is not released")
}

// productVar matches a row of product.md's "Set by the user" table.
var productVar = regexp.MustCompile("^\\| (`[A-Z_0-9]+`(?:\\s*(?:\\+|/)\\s*`[A-Z_0-9]+`)*) \\| ([^|]*) \\|")

func TestVariableNamesMatchProductDoc(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/docs/product.md")
	if err != nil {
		t.Skipf("product.md is not beside the repository (%v)", err)
	}
	_, user, found := strings.Cut(string(raw), "Set by the user:")
	require.True(t, found, "product.md: the 'Set by the user:' table")
	product := map[string]string{} // name -> literal default, or "?" for prose
	for _, line := range strings.Split(user, "\n") {
		if line != "" && !strings.HasPrefix(line, "|") && len(product) > 0 {
			break // end of the table
		}
		m := productVar.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		names := regexp.MustCompile("`([A-Z_0-9]+)`").FindAllStringSubmatch(m[1], -1)
		defs := strings.Split(strings.TrimSpace(m[2]), " / ")
		for i, n := range names {
			def := "?"
			if len(defs) == len(names) {
				def = strings.Trim(strings.TrimSpace(defs[i]), "`")
				if def == "—" {
					def = ""
				} else if strings.Contains(def, " ") || strings.HasPrefix(def, "=") {
					def = "?"
				}
			}
			product[n[1]] = def
		}
	}
	require.Contains(t, product, "LLM_PROVIDER")

	code, _ := codeVars(t, &settings.Settings{}, listVars(t))
	for _, name := range sortedKeys(code) {
		def, ok := product[name]
		if _, ext := extensionVars[name]; ext {
			assert.False(t, ok, "%s is in product.md now: remove it from extensionVars", name)
			continue
		}
		if !assert.True(t, ok, "%s: read by the code but not in product.md (names are fixed there; add it there, or to extensionVars)", name) {
			continue
		}
		if def != "?" {
			assert.Equal(t, def, code[name].Default, "%s: the default differs from product.md", name)
		}
	}
	for _, name := range sortedKeys(product) {
		if issue, planned := plannedVars[name]; planned {
			assert.NotContains(t, code, name, "%s is read by the code now: remove it from plannedVars (%s)", name, issue)
			continue
		}
		assert.Contains(t, code, name, "%s: in product.md but not read by the code", name)
	}
	for _, name := range sortedKeys(plannedVars) {
		assert.Contains(t, product, name, "%s is in plannedVars but no longer in product.md: remove it", name)
	}
}
