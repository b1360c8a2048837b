package bitbucket

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/internal/platformtest"
	"github.com/bitreview/bitreview/review"
)

// publishWith runs Load and Publish of one run on a new Platform.
func (e *env) publishWith(t *testing.T, lim review.Limits, fs ...review.Finding) (*review.Prior, *review.Outcome) {
	t.Helper()
	p := NewPlatform(e.client, e.pr, noTasks)
	prior, err := p.Load(t.Context())
	require.NoError(t, err)
	out, err := p.Publish(t.Context(), &review.Result{Findings: fs}, review.SummaryInfo{Version: "test"},
		review.State{HeadCommit: head1, BaseCommit: base}, e.scope(), lim)
	require.NoError(t, err)
	return prior, out
}

func (e *env) scope() review.Scope {
	return review.Scope{PRDiff: e.diff, Reviewed: e.diff, Complete: true}
}

// summaryBodies are the bodies of the bot's live summaries.
func (e *env) summaryBodies() []string {
	var out []string
	summaries, _ := e.ours()
	for _, c := range summaries {
		out = append(out, c.Raw)
	}
	return out
}

// Load reads what earlier runs left as the host-neutral Prior; Publish
// answers the host-neutral Outcome, tasks included.
func TestPlatformLoadAndPublish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := finding(e.diff, 3, review.High, "A returns a constant")
	first, out := e.publishWith(t, review.Limits{TasksAt: review.High}, f)
	assert.Equal(t, &review.Prior{Me: e.bot.UUID}, first)
	assert.Equal(t, 1, out.Posted)
	assert.Equal(t, 1, out.Tasks)
	assert.Equal(t, "created", out.Summary)
	assert.Equal(t, review.Verdict{Findings: 1, Worst: review.High}, out.Verdict)

	second, out := e.publishWith(t, review.Limits{TasksAt: review.High}, f)
	assert.True(t, second.HasSummary)
	assert.True(t, second.HasState)
	assert.True(t, second.Reviewed(head1))
	assert.True(t, second.HasVerdict)
	assert.Equal(t, review.Verdict{Findings: 1, Worst: review.High}, second.CurrentVerdict())
	require.Len(t, second.Open, 1)
	assert.Equal(t, "A returns a constant", second.Open[0].Title)
	assert.Equal(t, &review.Outcome{Existing: 1, Summary: "unchanged", Verdict: review.Verdict{Findings: 1, Worst: review.High}}, out)
	assert.Len(t, e.summaryBodies(), 1)
	_, inline := e.ours()
	assert.Len(t, inline, 1)
	assert.Len(t, e.bb.Tasks(ws, slug, 1), 1, "a task once")
}

// The flow may publish without asking for the pull request or loading
// first: Publish loads what earlier runs left itself.
func TestPlatformPublishLoadsFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.publishWith(t, noLimits, finding(e.diff, 3, review.High, "a"))
	out, err := NewPlatform(e.client, e.pr, noTasks).Publish(t.Context(), &review.Result{Findings: []review.Finding{finding(e.diff, 3, review.High, "a")}},
		review.SummaryInfo{Version: "test"}, review.State{HeadCommit: head1, BaseCommit: base}, e.scope(), noLimits)
	require.NoError(t, err)
	assert.Equal(t, 1, out.Existing, "the earlier comment was found")
	assert.Equal(t, "unchanged", out.Summary)
}

func TestPlatformPublishSkippedKeepsState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.publishWith(t, noLimits, finding(e.diff, 3, review.High, "a"))
	p := NewPlatform(e.client, e.pr, noTasks)
	_, err := p.Load(t.Context())
	require.NoError(t, err)
	out, err := p.PublishSkipped(t.Context(), "this pull request is a draft.", review.SummaryInfo{Version: "test"})
	require.NoError(t, err)
	assert.Equal(t, "updated", out.Summary)
	got := e.summaryBodies()
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "this pull request is a draft.")
	st, ok := review.ParseState(got[0])
	require.True(t, ok)
	assert.Equal(t, head1, st.HeadCommit, "the last reviewed head is kept")
}

func TestPlatformSaveStateRoundTrip(t *testing.T) {
	t.Parallel()
	platformtest.SaveStateRoundTrip(t, func(t *testing.T) platformtest.Fake { return newEnv(t).fake(t) })
}

func TestPlatformSaveStateAndPublishInOneRun(t *testing.T) {
	t.Parallel()
	platformtest.SaveStateAndPublishInOneRun(t, func(t *testing.T) platformtest.Fake { return newEnv(t).fake(t) })
}

// The bot's account is read once a run, whatever reads it.
func TestPlatformReadsTheBotOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.bb.AddComment(ws, slug, 1, byAlice("@bitreview why?"))
	p := NewPlatform(e.client, e.pr, noTasks)
	m, err := p.Message(t.Context(), int64(q.ID))
	require.NoError(t, err)
	require.NoError(t, p.Reply(t.Context(), m, review.RenderReply("because", q.ID)))
	_, err = p.Load(t.Context())
	require.NoError(t, err)
	require.NoError(t, p.SaveState(t.Context(), review.State{Handled: []int{q.ID}}, review.SummaryInfo{}))
	assert.Equal(t, 1, e.bb.Count("GET", "/user"))
}

// A dry run reads but writes nothing: every write is described instead.
func TestPlatformDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := e.bb.AddComment(ws, slug, 1, byAlice("@bitreview why?"))
	var dry bytes.Buffer
	p := NewPlatform(e.client, e.pr, PlatformOptions{DryRun: &dry, CodeInsights: true})
	_, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	_, err = p.Load(t.Context())
	require.NoError(t, err)
	f := finding(e.diff, 3, review.High, "a")
	_, err = p.Publish(t.Context(), &review.Result{Findings: []review.Finding{f}}, review.SummaryInfo{}, review.State{HeadCommit: head1}, e.scope(), review.Limits{TasksAt: review.Low})
	require.NoError(t, err)
	_, err = p.PublishSkipped(t.Context(), "draft", review.SummaryInfo{})
	require.NoError(t, err)
	require.NoError(t, p.SaveState(t.Context(), review.State{Paused: true}, review.SummaryInfo{}))
	rep, err := p.Report(t.Context(), review.Report{Findings: []review.Finding{f}, Diff: e.diff})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Placed)
	m, err := p.Message(t.Context(), int64(q.ID))
	require.NoError(t, err)
	require.NoError(t, p.Reply(t.Context(), m, review.RenderReply("because", q.ID)))

	for _, r := range e.bb.Requests() {
		assert.Equal(t, "GET", r.Method, "a dry run wrote: %s %s", r.Method, r.Path)
	}
	for _, want := range []string{"would post inline comment", "would post summary", "would publish Code Insights report", "would reply to comment"} {
		assert.Contains(t, dry.String(), want)
	}
}
