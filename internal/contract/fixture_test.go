package contract

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
	"github.com/bitreview/bitreview/workflow"
)

// fixture is one pull request on one host and a stub model, driven as cmd
// drives them: settings from an environment, the Deps cmd builds, one
// workflow.Run or workflow.Answer per run on a new Platform, and the exit
// code of workflow.ExitCode.
type fixture struct {
	t    *testing.T
	kind hostKind
	host host
	llm  *llmtest.Server
	// diff is the pull request's diff now.
	diff *diffparse.Diff
}

// newFixture starts kind's fake with the pull request of testdata/pr.diff
// and a model that reviews with testdata/review.json.
func newFixture(t *testing.T, kind hostKind) *fixture {
	t.Helper()
	raw := readFile(t, "pr.diff")
	f := &fixture{t: t, kind: kind, host: kind.new(t, raw), llm: llmtest.NewOpenAI(t), diff: parse(t, raw)}
	f.answerWith("review.json")
	return f
}

// fresh is a new fixture on the same kind of host, for a scenario that
// needs several.
func (f *fixture) fresh(t *testing.T) *fixture { return newFixture(t, f.kind) }

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func parse(t *testing.T, raw string) *diffparse.Diff {
	t.Helper()
	d, err := diffparse.Parse([]byte(raw))
	require.NoError(t, err)
	return d
}

// answerWith makes the model review with the reply in testdata file
// name, write the walkthrough of testdata/walkthrough.json and answer
// questions with testdata/answer.json.
func (f *fixture) answerWith(name string) {
	walk, reply, answer := readFile(f.t, "walkthrough.json"), readFile(f.t, name), readFile(f.t, "answer.json")
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		switch c.SchemaName {
		case review.WalkthroughSchemaName:
			return llmtest.Reply{JSON: walk}
		case review.QuestionSchemaName:
			return llmtest.Reply{JSON: answer}
		}
		return llmtest.Reply{JSON: reply}
	})
}

// result is how a run ended.
type result struct {
	code int
	log  string
}

// settings are the variables env sets over the model's and
// FAIL_ON_ERROR=true, so that a run that could not complete exits 3.
func (f *fixture) settings(env []string) settings.Settings {
	s, err := settings.Load(append([]string{
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + f.llm.URL, "LLM_MODEL=stub-model", "LLM_TIMEOUT=10s",
		"FAIL_ON_ERROR=true",
	}, env...))
	require.Nil(f.t, err)
	return s
}

// deps are cmd's Deps (wire.go), with the model's retries not waiting.
func deps(log *workflow.Log) workflow.Deps {
	return workflow.Deps{
		Log: log, Version: "contract",
		Model: func(s settings.Settings) (review.Model, error) {
			cfg := s.LLM()
			cfg.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			return llm.New(cfg)
		},
		Secrets:  func() (review.SecretScanner, error) { return redact.New() },
		Commands: settings.CommandParser(),
	}
}

// exec runs one run on a new Platform and maps its outcome to the exit
// code.
func (f *fixture) exec(env []string, run func(workflow.Platform, settings.Settings, workflow.Deps) workflow.Outcome, inline bool) result {
	f.t.Helper()
	var buf bytes.Buffer
	log := workflow.NewLog(&buf, false, func() (review.TextScanner, error) { return redact.New() })
	out := run(f.host.platform(inline), f.settings(env), deps(log))
	r := result{code: workflow.ExitCode(out, log), log: buf.String()}
	f.t.Logf("%s run:\n%s", f.kind.name, r.log)
	return r
}

// review is a pipeline or workflow run on the pull request.
func (f *fixture) review(env ...string) result {
	return f.exec(env, func(p workflow.Platform, s settings.Settings, d workflow.Deps) workflow.Outcome {
		return workflow.Run(f.t.Context(), p, s, d)
	}, false)
}

// answer is the run a comment's "@bitreview …" starts.
func (f *fixture) answer(c comment, cmd command.Command, env ...string) result {
	return f.exec(env, func(p workflow.Platform, s settings.Settings, d workflow.Deps) workflow.Outcome {
		return workflow.Answer(f.t.Context(), p, s, d, c.id, cmd)
	}, c.inline)
}

// push moves the pull request to head2SHA (testdata/pr2.diff), and makes
// the model review with testdata/review2.json.
func (f *fixture) push() {
	raw := readFile(f.t, "pr2.diff")
	f.host.push(head2SHA, raw, readFile(f.t, "inc2.diff"))
	f.diff = parse(f.t, raw)
	f.answerWith("review2.json")
}

// forcePush moves the pull request to head3SHA, which does not descend
// from the last head.
func (f *fixture) forcePush() {
	raw := readFile(f.t, "pr2.diff")
	f.host.forcePush(head3SHA, raw)
	f.diff = parse(f.t, raw)
}

// calls counts the model calls so far.
func (f *fixture) calls() int { return len(f.llm.Calls()) }

// prompts are the model calls' texts from the first on, sorted (batches
// run concurrently).
func (f *fixture) prompts(from int) []string {
	var out []string
	for _, c := range f.llm.Calls()[from:] {
		out = append(out, c.System+"\n---\n"+c.Prompt)
	}
	slices.Sort(out)
	return out
}

// summary is the bot's one summary and its state; it fails the test
// unless there is exactly one.
func (f *fixture) summary() (string, review.State) {
	f.t.Helper()
	all := f.host.summaries()
	require.Len(f.t, all, 1, "exactly one summary of the bot's")
	st, _ := review.ParseState(all[0])
	return all[0], st
}

// reviewed checks that the summary records head as reviewed.
func (f *fixture) reviewed(head string) {
	f.t.Helper()
	_, st := f.summary()
	assert.True(f.t, review.SameCommit(st.HeadCommit, head), "reviewed head %q, want %s", st.HeadCommit, head)
}

// fingerprints checks the bot's inline comments: each on a commentable
// line of the pull request's diff, with a fingerprint, none twice. It
// returns the fingerprints, sorted.
func (f *fixture) fingerprints() []string {
	f.t.Helper()
	var out []string
	for _, c := range f.host.inline() {
		assert.True(f.t, f.diff.Commentable(c.path, c.side, c.line), "anchor %s %s %d", c.path, c.side, c.line)
		require.NotEmpty(f.t, c.fingerprint, "inline comment on %s:%d has a fingerprint", c.path, c.line)
		assert.NotContains(f.t, out, c.fingerprint, "inline comment on %s:%d posted twice", c.path, c.line)
		out = append(out, c.fingerprint)
	}
	slices.Sort(out)
	return out
}
