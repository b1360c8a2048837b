package workflow

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

const testDiff = `diff --git a/app/users.go b/app/users.go
--- a/app/users.go
+++ b/app/users.go
@@ -1,3 +1,4 @@
 package app
 
+func Users(db DB, name string) { db.Query("SELECT * FROM users WHERE name = '" + name + "'") }
 // end
`

const findingAnswer = `{"summary":"Injectable query.","findings":[{"path":"app/users.go","line":3,"severity":"high","category":"security","title":"SQL injection","body":"Use a placeholder."}]}`

// stubModel answers every request with text (or err) and counts calls.
type stubModel struct {
	mu    sync.Mutex
	calls int
	text  string
	err   error
	reqs  []review.Request
}

func (m *stubModel) Generate(_ context.Context, req review.Request) (*review.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	m.reqs = append(m.reqs, req)
	if m.err != nil {
		return nil, m.err
	}
	if req.SchemaName == review.WalkthroughSchemaName {
		return &review.Response{Text: `{"summary":"s","files":[{"path":"app/users.go","note":"adds Users"}]}`, Model: "stub"}, nil
	}
	return &review.Response{Text: m.text, Model: "stub"}, nil
}

func newPR() *memory {
	return &memory{
		meta: review.PullRequest{ID: 7, Title: "Add users", TargetBranch: "main", SourceCommit: "bbbbbbbbbbbbbbbb", TargetCommit: "aaaaaaaaaaaaaaaa"},
		diff: testDiff, messages: map[int64]*review.Message{},
	}
}

// fixture is one run's world: a pull request in memory, a stub model, the
// step log and the settings (environment variables).
type fixture struct {
	p     *memory
	model *stubModel
	log   bytes.Buffer
	s     settings.Settings
	deps  Deps
}

func newFixture(t *testing.T, env ...string) *fixture {
	t.Helper()
	s, cerr := settings.Load(append([]string{"LLM_API_KEY=k"}, env...))
	require.Nil(t, cerr)
	f := &fixture{p: newPR(), model: &stubModel{text: findingAnswer}, s: s}
	f.deps = Deps{
		Log: NewLog(&f.log, false, func() (review.TextScanner, error) { return redact.New() }), Version: "test",
		Model:    func(settings.Settings) (review.Model, error) { return f.model, nil },
		Secrets:  func() (review.SecretScanner, error) { return redact.New() },
		Commands: command.New("bitreview"),
	}
	return f
}

func (f *fixture) run(t *testing.T) (Outcome, int) {
	t.Helper()
	out := Run(t.Context(), f.p, f.s, f.deps)
	return out, ExitCode(out, f.deps.Log)
}

func TestFirstReviewPublishesAndReports(t *testing.T) {
	f := newFixture(t, "FAIL_ON=high")
	out, code := f.run(t)
	require.NoError(t, out.Err, f.log.String())
	assert.Equal(t, ExitFindings, code, "a high finding reaches FAIL_ON=high")
	assert.Equal(t, 1, f.p.count("Publish"))
	require.Len(t, f.p.reports, 1)
	r := f.p.reports[0]
	assert.Empty(t, r.Incomplete, "a complete review")
	assert.True(t, r.Failed, "the report fails exactly when the step does")
	assert.Equal(t, "bbbbbbbbbbbbbbbb", f.p.state.HeadCommit, "the reviewed head is recorded")
	assert.Contains(t, f.log.String(), "Diff fetched: 1 file,")
}

func TestSkipsWithoutAModelCall(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*memory)
		env    []string
		reason string // "" → already reviewed, nothing written
	}{
		{name: "ignored", setup: func(m *memory) { m.meta.Description = "WIP\n\n@bitreview ignore" }, reason: "@bitreview ignore"},
		{name: "draft", setup: func(m *memory) { m.meta.Draft = true }, reason: "draft"},
		{name: "paused", setup: func(m *memory) { m.summary, m.state.Paused = true, true }, reason: "paused"},
		{name: "already reviewed", setup: func(m *memory) {
			m.summary, m.state.HeadCommit = true, "bbbbbbbbbbbbbbbb"
		}},
		{name: "auto review off", setup: func(m *memory) {
			m.base = map[string]string{".bitreview.yaml": "auto_review:\n  enabled: false\n"}
		}, reason: "turned off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.env...)
			tt.setup(f.p)
			out, code := f.run(t)
			require.NoError(t, out.Err)
			assert.Equal(t, ExitOK, code)
			assert.Zero(t, f.model.calls, "no model call")
			assert.Zero(t, f.p.count("Diff"), "the diff is not even read")
			if tt.reason == "" {
				assert.Zero(t, f.p.count("PublishSkipped"), "nothing written")
				return
			}
			require.Len(t, f.p.skipped, 1)
			assert.Contains(t, f.p.skipped[0], tt.reason)
		})
	}
}

func TestExplicitCommandOverridesPauseAndDraft(t *testing.T) {
	f := newFixture(t, "BITREVIEW_COMMAND=review")
	f.p.meta.Draft, f.p.summary, f.p.state.Paused = true, true, true
	out, _ := f.run(t)
	require.NoError(t, out.Err)
	assert.Equal(t, 1, f.p.count("Publish"))
	assert.True(t, f.p.state.Paused, "a one-off review keeps the pause")
}

func TestModelFailureIsNeverAPass(t *testing.T) {
	for _, failOnError := range []bool{false, true} {
		f := newFixture(t, "FAIL_ON_ERROR="+map[bool]string{false: "false", true: "true"}[failOnError])
		f.model.err = errors.New("503 overloaded")
		out, code := f.run(t)
		require.Error(t, out.Err)
		assert.Equal(t, map[bool]int{false: ExitOK, true: ExitRemote}[failOnError], code)
		require.Len(t, f.p.reports, 1)
		assert.Contains(t, f.p.reports[0].Incomplete, "the model did not answer")
		assert.Empty(t, f.p.state.HeadCommit, "an incomplete review records no head: the next run covers it")
	}
}

func TestDiffTooLargeSaysSoOnThePullRequest(t *testing.T) {
	f := newFixture(t)
	f.p.diffErr = errors.Join(review.ErrDiffTooLarge, errors.New("555"))
	out, _ := f.run(t)
	require.ErrorIs(t, out.Err, review.ErrDiffTooLarge)
	require.Len(t, f.p.skipped, 1)
	assert.Contains(t, f.p.skipped[0], "too large")
}

func TestIncrementalReviewSeesOnlyTheNewCommits(t *testing.T) {
	f := newFixture(t)
	f.p.summary, f.p.state.HeadCommit = true, "cccccccccccc"
	inc := strings.Replace(testDiff, `"SELECT`, `"SELECT /* new */`, 1)
	f.p.increment = review.Increment{From: "cccccccccccc"}
	f.p.increment.Diff = mustParse(t, inc)
	out, _ := f.run(t)
	require.NoError(t, out.Err)
	assert.Equal(t, 1, f.p.count("Increment"))
	assert.Contains(t, f.log.String(), "Incremental review of cccccccccccc..bbbbbbbbbbbb")
	assert.Contains(t, f.p.reports[0].Reviewed, "Incremental review")
}

func TestReportFailureIsOptionalOnlyWhenTheHostSaysSo(t *testing.T) {
	f := newFixture(t, "FAIL_ON_ERROR=true")
	f.p.reportErr = &review.OptionalError{Err: errors.New("check run: 403 (grant checks: write)")}
	out, code := f.run(t)
	require.NoError(t, out.Err)
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, f.log.String(), "403")

	f = newFixture(t, "FAIL_ON_ERROR=true")
	f.p.reportErr = errors.New("code insights: 500")
	out, code = f.run(t)
	require.Error(t, out.Err)
	assert.Equal(t, ExitRemote, code)
}

func TestCrashIsAnIncompleteRun(t *testing.T) {
	f := newFixture(t)
	f.deps.Model = func(settings.Settings) (review.Model, error) { panic("boom with a secret: ghp_x") }
	out, code := f.run(t)
	require.ErrorIs(t, out.Err, ErrCrashed)
	assert.Equal(t, ExitOK, code, "FAIL_ON_ERROR=false")
	assert.NotContains(t, f.log.String(), "ghp_x", "the panic value is never printed")
}

func TestConfigMistakeFoundDuringTheRunExits2(t *testing.T) {
	f := newFixture(t)
	f.deps.Model = func(settings.Settings) (review.Model, error) { return nil, errors.New("LLM_BASE_URL: must use https") }
	_, code := f.run(t)
	assert.Equal(t, ExitConfig, code)
}

func mustParse(t *testing.T, raw string) *diffparse.Diff {
	t.Helper()
	d, err := diffparse.Parse([]byte(raw))
	require.NoError(t, err)
	return d
}

// A host that says how it read the diff (DiffNoter) has it said in the
// step log.
func TestDiffNotesAreLogged(t *testing.T) {
	f := newFixture(t)
	out := Run(t.Context(), diffNoter{f.p}, f.s, f.deps)
	require.NoError(t, out.Err, f.log.String())
	assert.Contains(t, f.log.String(), "rebuilt from the files endpoint")
}
