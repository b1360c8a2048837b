package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// Issue 20: static-analysis reports that earlier commands of the step wrote
// into the clone are merged into the review. These tests run the real
// tools on a small repository made inside the test: staticcheck (SARIF,
// relative paths under %SRCROOT%) and shellcheck (Checkstyle XML, absolute
// paths of the clone). .ci/run installs both; a machine without one skips
// with the command that installs it.

// staticcheckVersion is the release .ci/run installs.
const staticcheckVersion = "v0.8.2"

// lintTool finds a tool on PATH or in Go's bin directory, or skips.
func lintTool(t *testing.T, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("%s is not installed, so this test cannot run it (install it with: %s; .ci/run does)", name, install)
	return ""
}

// lintRepo is the small repository of the tests: on main, a Go module
// whose legacy.go already has a staticcheck finding, and a shell script;
// the pull request's commit adds a line with a staticcheck finding to
// main.go and one with a shellcheck finding to the script.
type lintRepo struct {
	dir, base, head string
	diff            string
}

const (
	lintMainBase = "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() {\n\tname := \"x\"\n\tfmt.Println(greet(name), strings.ToUpper(name))\n}\n\nfunc greet(name string) string { return \"hi \" + name }\n"
	lintMainHead = "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\nfunc main() {\n\tname := \"x\"\n\tif strings.Index(name, \"x\") != -1 {\n\t\tfmt.Println(\"has x\")\n\t}\n\tfmt.Println(greet(name), strings.ToUpper(name))\n}\n\nfunc greet(name string) string { return \"hi \" + name }\n"
	// lintIndexLine is the line of lintMainHead with staticcheck's S1003.
	lintIndexLine = 10
	lintLegacy    = "package main\n\nimport \"strings\"\n\nfunc legacy(s string) bool { return strings.Index(s, \"y\") != -1 }\n"
	lintDeployB   = "#!/bin/sh\nset -eu\necho deploying\n"
	lintDeployH   = "#!/bin/sh\nset -eu\necho deploying\ncp build/app $1\n"
)

func newLintRepo(t *testing.T) lintRepo {
	t.Helper()
	dir, git := newGitRepo(t)
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("go.mod", "module example.com/demo\n\ngo 1.22\n")
	write("main.go", lintMainBase)
	write("legacy.go", lintLegacy)
	write("scripts/deploy.sh", lintDeployB)
	git("add", ".")
	git("commit", "-q", "-m", "base")
	base := gitOutput(t, dir, "rev-parse", "HEAD")
	git("checkout", "-q", "-b", "feature")
	write("main.go", lintMainHead)
	write("scripts/deploy.sh", lintDeployH)
	git("commit", "-q", "-am", "feature")
	head := gitOutput(t, dir, "rev-parse", "HEAD")
	diff := gitOutput(t, dir, "diff", base, head) + "\n"
	return lintRepo{dir: dir, base: base, head: head, diff: diff}
}

// runTools runs staticcheck and shellcheck as earlier commands of the step
// would, writing reports/staticcheck.sarif and reports/shellcheck.xml into
// the clone (untracked, as a build leaves them).
func (r lintRepo) runTools(t *testing.T) {
	t.Helper()
	sc := lintTool(t, "staticcheck", "go install honnef.co/go/tools/cmd/staticcheck@"+staticcheckVersion)
	sh := lintTool(t, "shellcheck", "apt-get install shellcheck")
	require.NoError(t, os.MkdirAll(filepath.Join(r.dir, "reports"), 0o755))
	cmd := exec.Command(sc, "-f", "sarif", "./...")
	cmd.Dir = r.dir
	sarif, err := cmd.Output() // exit 1: it found something
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		require.NoError(t, err, string(ee.Stderr))
	}
	require.Contains(t, string(sarif), "S1003", "staticcheck finds strings.Index != -1")
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, "reports", "staticcheck.sarif"), sarif, 0o644))
	cmd = exec.Command(sh, "-f", "checkstyle", filepath.Join(r.dir, "scripts", "deploy.sh"))
	xml, _ := cmd.Output() // exit 1: it found something
	require.Contains(t, string(xml), "SC2086", "shellcheck finds the unquoted $1")
	require.Contains(t, string(xml), "name='"+r.dir, "absolute paths")
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, "reports", "shellcheck.xml"), xml, 0o644))
}

// lintFixture is a fake Bitbucket holding the repository's pull request,
// and a model that repeats staticcheck's finding in its own words.
func lintFixture(t *testing.T, r lintRepo) *fixture {
	t.Helper()
	d, err := diffparse.Parse([]byte(r.diff))
	require.NoError(t, err)
	f := &fixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t), diff: d}
	f.bot = f.bb.AddUser(bbtest.NewUser("bitreview-bot"))
	f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{
		ID: 7, Title: "Say when the name has an x", Description: "x",
		Source:      bbtest.Endpoint{Branch: "feature", Commit: r.head},
		Destination: bbtest.Endpoint{Branch: "main", Commit: r.base},
	}, r.diff)
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"s","files":[]}`}
		}
		if !strings.Contains(c.Prompt, "main.go") {
			return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"Checks the name.","findings":[
 {"path":"main.go","side":"new","line":10,"code":"\tif strings.Index(name, \"x\") != -1 {","severity":"low","category":"maintainability","title":"Use strings.Contains instead of strings.Index","body":"strings.Contains(name, \"x\") says the same and reads better."},
 {"path":"main.go","side":"new","line":11,"code":"\t\tfmt.Println(\"has x\")","severity":"medium","category":"bug","title":"Message does not name the input","body":"Print the name too."}
]}`}
	})
	return f
}

func (f *fixture) lintEnv(r lintRepo, extra ...string) []string {
	return f.env(append([]string{
		"BITBUCKET_CLONE_DIR=" + r.dir, "BITBUCKET_COMMIT=" + r.head,
		"LINT_REPORTS_COUNT=2", "LINT_REPORTS_0=reports/*.sarif", "LINT_REPORTS_1=reports/*.xml",
		"FAIL_ON_ERROR=true",
	}, extra...)...)
}

// toolComments returns the bot's inline comments that mention rule.
func (f *fixture) toolComments(rule string) []bbtest.Comment {
	_, inline := f.comments()
	var out []bbtest.Comment
	for _, c := range inline {
		if strings.Contains(c.Raw, rule) {
			out = append(out, c)
		}
	}
	return out
}

func TestPipeLintReportsOfRealTools(t *testing.T) {
	t.Parallel()
	r := newLintRepo(t)
	r.runTools(t)
	f := lintFixture(t, r)

	out, code := execPipe(t, f.lintEnv(r, "INCREMENTAL=false"))
	t.Log(out)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Static analysis: 2 report(s)")

	// A finding on a changed line is an inline comment: tool, rule, level,
	// message, and the help link (staticcheck.dev is an allowed host).
	s1003 := f.toolComments("S1003")
	require.Len(t, s1003, 1, "staticcheck's finding on the added line, posted inline once")
	c := s1003[0]
	assert.Equal(t, "main.go", c.Inline.Path)
	assert.Equal(t, lintIndexLine, c.Inline.To)
	assert.Contains(t, c.Raw, "staticcheck")
	assert.Contains(t, c.Raw, "should use strings.Contains")
	assert.Contains(t, c.Raw, "](https://staticcheck.dev/docs/checks#S1003)")
	_, hasFP := review.FingerprintOf(c.Raw)
	assert.True(t, hasFP)
	// The model said the same thing on the same line: merged into the
	// tool's comment, not posted twice. Its other finding stands alone.
	assert.Contains(t, c.Raw, `strings.Contains(name, "x") says the same`, "the model's words join the tool's comment")
	onLine := 0
	_, inline := f.comments()
	for _, c := range inline {
		if c.Inline.Path == "main.go" && c.Inline.To == lintIndexLine {
			onLine++
		}
	}
	assert.Equal(t, 1, onLine, "no second comment for the same problem")
	assert.Len(t, f.toolComments("Message does not name the input"), 1)

	// shellcheck's Checkstyle report names the script by its absolute
	// path in the clone.
	sc2086 := f.toolComments("SC2086")
	require.Len(t, sc2086, 1)
	assert.Equal(t, "scripts/deploy.sh", sc2086[0].Inline.Path)
	assert.Equal(t, 4, sc2086[0].Inline.To)
	assert.Contains(t, sc2086[0].Raw, "shellcheck")

	// legacy.go is untouched: its finding is counted, never posted inline.
	for _, c := range inline {
		assert.NotEqual(t, "legacy.go", c.Inline.Path)
	}

	// The model was shown the tool's finding on its lines, as data, and
	// told not to repeat it.
	var prompted bool
	for _, call := range f.llm.Calls() {
		if strings.Contains(call.Prompt, `<untrusted kind="static-analysis">`) {
			prompted = true
			assert.Contains(t, call.Prompt, "main.go:10")
			assert.Contains(t, call.Prompt, "S1003")
			assert.Contains(t, call.System, "do not report them again")
		}
	}
	assert.True(t, prompted, "the tool findings are in the model's prompt")

	// The summary's Static analysis section counts per tool.
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	sum := summaries[0].Raw
	assert.Contains(t, sum, "### Static analysis")
	assert.Regexp(t, `\| staticcheck \| 1 \| 2 \| 0 \|`, sum, "one on the diff (main.go), two off it (legacy.go: S1003, U1000), none cut")
	assert.Regexp(t, `\| shellcheck \| 1 \| 0 \| 0 \|`, sum)

	// One Code Insights report per tool, with annotations.
	for tool, want := range map[string]string{"staticcheck": "main.go", "shellcheck": "scripts/deploy.sh"} {
		rep, ok := f.bb.Report(ws, slug, r.head, "bitreview-"+tool)
		require.True(t, ok, "report bitreview-%s:\n%s", tool, out)
		assert.Equal(t, "PASSED", rep.Result)
		anns := f.bb.Annotations(ws, slug, r.head, "bitreview-"+tool)
		require.NotEmpty(t, anns, tool)
		assert.Equal(t, want, anns[0].Path)
		assert.Positive(t, anns[0].Line)
	}
	for _, a := range f.bb.Annotations(ws, slug, r.head, "bitreview") {
		assert.NotContains(t, a.Summary, "S1003", "tool findings are in their own report")
	}

	// A second full run adds nothing: the fingerprints match.
	posts := f.bb.Count("POST", "/comments")
	out, code = execPipe(t, f.lintEnv(r, "INCREMENTAL=false"))
	require.Equal(t, 0, code, out)
	assert.Equal(t, posts, f.bb.Count("POST", "/comments"), "a re-run posts nothing new:\n%s", out)
	assert.Len(t, f.toolComments("S1003"), 1)
	assert.Len(t, f.toolComments("SC2086"), 1)
}

// FAIL_ON and TASKS_ON apply to tool findings as to the model's: a model
// with nothing to say still fails the step on staticcheck's finding, and
// the tool's inline comment gets its task.
func TestPipeLintFindingsFailTheStepAndGetTasks(t *testing.T) {
	t.Parallel()
	r := newLintRepo(t)
	r.runTools(t)
	f := lintFixture(t, r)
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"s","files":[]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`}
	})
	out, code := execPipe(t, f.lintEnv(r, "FAIL_ON=medium", "TASKS_ON=medium"))
	assert.Equal(t, exitFindings, code, out)
	rep, ok := f.bb.Report(ws, slug, r.head, "bitreview-staticcheck")
	require.True(t, ok, out)
	assert.Equal(t, "FAILED", rep.Result, "staticcheck's warning reaches FAIL_ON=medium")
	assert.Regexp(t, regexp.MustCompile(`[1-9]\d* task\(s\) created`), out)
}

// LINT_FILTER=file: a finding anywhere in a changed file counts; inline
// only on a line of the diff, the rest listed in the summary.
func TestPipeLintFilterFile(t *testing.T) {
	t.Parallel()
	r := newLintRepo(t)
	require.NoError(t, os.MkdirAll(filepath.Join(r.dir, "reports"), 0o755))
	sarif := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"demo-lint"}},"results":[
 {"ruleId":"D1","level":"error","message":{"text":"greet shadows nothing"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"main.go"},"region":{"startLine":16}}}]},
 {"ruleId":"D2","level":"error","message":{"text":"on the added line"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"file://` + r.dir + `/main.go"},"region":{"startLine":10}}}]},
 {"ruleId":"D3","level":"error","message":{"text":"legacy is old"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"legacy.go"},"region":{"startLine":5}}}]},
 {"ruleId":"D4","level":"error","message":{"text":"escapes"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"../../etc/passwd"},"region":{"startLine":1}}}]}
]}]}`
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, "reports", "demo.sarif"), []byte(sarif), 0o644))
	f := lintFixture(t, r)
	out, code := execPipe(t, f.lintEnv(r, "LINT_FILTER=file"))
	require.Equal(t, 0, code, out)
	assert.Len(t, f.toolComments("D2"), 1, "on the diff: inline")
	assert.Empty(t, f.toolComments("D1"), "in a changed file, off the diff: not inline")
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "greet shadows nothing", "listed in the summary")
	assert.NotContains(t, summaries[0].Raw, "legacy is old", "not in a changed file: only counted")
	assert.Contains(t, summaries[0].Raw, "1 result(s) outside the repository were ignored")
	assert.NotContains(t, out, "etc/passwd")
}

// The GitHub action takes the same input (lint_reports, relative to
// GITHUB_WORKSPACE): the tool's finding on a changed line is a review
// comment and an annotation of the check run.
func TestActionLintReports(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	ws := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(ws, "out"), 0o755))
	sarif := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"vet-like","rules":[{"id":"V1","defaultConfiguration":{"level":"error"}}]}},
 "results":[{"ruleId":"V1","message":{"text":"Add returns a - b"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"app/math.go","uriBaseId":"%SRCROOT%"},"region":{"startLine":3}}}]}]}]}`
	require.NoError(t, os.WriteFile(filepath.Join(ws, "out", "vet.sarif"), []byte(sarif), 0o644))
	out, code := execAction(t, f.env("GITHUB_WORKSPACE="+ws, "INPUT_LINT_REPORTS=out/*.sarif"))
	require.Equal(t, 0, code, out)
	var found bool
	for _, c := range f.gh.ReviewComments() {
		if strings.Contains(c.Body, "V1: Add returns a - b") {
			found = true
			assert.Equal(t, "app/math.go", c.Path)
			assert.Equal(t, 3, c.Line)
		}
	}
	assert.True(t, found, "the tool's finding is a review comment:\n%s", out)
	runs := f.gh.CheckRuns()
	require.Len(t, runs, 1)
	assert.Contains(t, runs[0].Summary, "vet-like 1 on the diff")
	var annotated bool
	for _, a := range runs[0].Annotations {
		if strings.Contains(fmt.Sprint(a["title"]), "V1") {
			annotated = true
		}
	}
	assert.True(t, annotated, "the check run annotates it: %v", runs[0].Annotations)
}

// `bitreview review --lint-report FILE` (repeatable) takes the reports a
// person names: staticcheck's finding on the changed line is printed with
// the review, legacy.go's is only counted, and the JSON output carries the
// counts.
func TestLocalReviewLintReports(t *testing.T) {
	t.Parallel()
	r := newLintRepo(t)
	r.runTools(t)
	stub := noFindingsStub(t, "main.go")
	sarif, xml := filepath.Join(r.dir, "reports", "staticcheck.sarif"), filepath.Join(r.dir, "reports", "shellcheck.xml")
	out, stderr, code := runReview(t, stub, "--base", "main", "--lint-report", sarif, "--format", "markdown", "--lint-report", xml, r.dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "S1003: should use strings.Contains")
	assert.Contains(t, out, "SC2086")
	assert.Contains(t, out, "### Static analysis")
	assert.Regexp(t, `\| staticcheck \| 1 \| 2 \| 0 \|`, out)
	assert.NotContains(t, out, "func legacy is unused")

	out, stderr, code = runReview(t, stub, "--base", "main", "--format", "json", "--lint-report", sarif, "--lint-report", filepath.Join(r.dir, "missing.sarif"), r.dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "missing.sarif: not read")
	assert.Contains(t, out, `"tool": "staticcheck"`)
	assert.Contains(t, out, `"static_analysis"`)
}
