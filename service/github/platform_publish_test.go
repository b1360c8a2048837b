package github

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/platformtest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// summaries returns the bodies of the summaries on the fake.
func summaries(s *ghtest.Server) []string {
	var out []string
	for _, c := range s.IssueComments() {
		if review.IsSummary(c.Body) {
			out = append(out, c.Body)
		}
	}
	return out
}

// publishWith runs Load and Publish of one run on a new Platform.
func publishWith(t *testing.T, api API, opts PlatformOptions, fs ...review.Finding) (*review.Prior, *review.Outcome) {
	t.Helper()
	d := metaDiff(t, api)
	p := NewPlatform(api, testPR, opts)
	_, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	prior, err := p.Load(t.Context())
	require.NoError(t, err)
	out, err := p.Publish(t.Context(), &review.Result{Findings: fs}, review.SummaryInfo{Version: "test"},
		review.State{HeadCommit: head, BaseCommit: base}, review.Scope{PRDiff: d, Reviewed: d, Complete: true}, review.Limits{})
	require.NoError(t, err)
	return prior, out
}

func metaDiff(t *testing.T, api API) *diffparse.Diff {
	t.Helper()
	d, _, _, err := fetchDiff(t.Context(), api, testPR, 0)
	require.NoError(t, err)
	return d
}

// Load reads what earlier runs left as the host-neutral Prior; Publish
// answers the host-neutral Outcome.
func TestPlatformLoadAndPublish(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	first, out := publishWith(t, api, PlatformOptions{}, finding(3, "wrong sign"))
	assert.Equal(t, &review.Prior{Me: actionsBot}, first)
	assert.Equal(t, 1, out.Posted)
	assert.Equal(t, "created", out.Summary)
	assert.Equal(t, review.Verdict{Findings: 1, Worst: review.High}, out.Verdict)

	second, out := publishWith(t, api, PlatformOptions{}, finding(3, "wrong sign"))
	assert.True(t, second.HasSummary)
	assert.True(t, second.HasState)
	assert.True(t, second.Reviewed(head))
	assert.True(t, second.HasVerdict)
	assert.Equal(t, review.Verdict{Findings: 1, Worst: review.High}, second.CurrentVerdict())
	require.Len(t, second.Open, 1)
	assert.Equal(t, "wrong sign", second.Open[0].Title)
	assert.Equal(t, 0, out.Posted)
	assert.Equal(t, 1, out.Existing)
	assert.Equal(t, "unchanged", out.Summary)
	assert.Len(t, summaries(s), 1)
	assert.Len(t, s.ReviewComments(), 1)
}

func TestPlatformPublishSkippedKeepsState(t *testing.T) {
	t.Parallel()
	s, api, _ := newFake(t)
	publishWith(t, api, PlatformOptions{}, finding(3, "a"))
	p := NewPlatform(api, testPR, PlatformOptions{})
	_, err := p.Load(t.Context())
	require.NoError(t, err)
	out, err := p.PublishSkipped(t.Context(), "this pull request is a draft.", review.SummaryInfo{Version: "test"})
	require.NoError(t, err)
	assert.Equal(t, "updated", out.Summary)
	got := summaries(s)
	require.Len(t, got, 1)
	assert.Contains(t, got[0], "this pull request is a draft.")
	st, ok := review.ParseState(got[0])
	require.True(t, ok)
	assert.Equal(t, head, st.HeadCommit, "the last reviewed head is kept")
}

func TestPlatformSaveStateRoundTrip(t *testing.T) {
	t.Parallel()
	platformtest.SaveStateRoundTrip(t, contractFake)
}

func TestPlatformSaveStateAndPublishInOneRun(t *testing.T) {
	t.Parallel()
	platformtest.SaveStateAndPublishInOneRun(t, contractFake)
}

// A dry run reads but writes nothing: every write is described instead.
func TestPlatformDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	q := s.AddIssueComment("alice", "@bitreview why?")
	var dry bytes.Buffer
	p := NewPlatform(api, testPR, PlatformOptions{DryRun: &dry, CheckRun: true})
	_, err := p.PullRequest(t.Context())
	require.NoError(t, err)
	_, err = p.Load(t.Context())
	require.NoError(t, err)
	_, err = p.Publish(t.Context(), &review.Result{Findings: []review.Finding{finding(3, "a")}}, review.SummaryInfo{}, review.State{HeadCommit: head},
		review.Scope{PRDiff: d, Reviewed: d, Complete: true}, review.Limits{})
	require.NoError(t, err)
	_, err = p.PublishSkipped(t.Context(), "draft", review.SummaryInfo{})
	require.NoError(t, err)
	require.NoError(t, p.SaveState(t.Context(), review.State{Paused: true}, review.SummaryInfo{}))
	rep, err := p.Report(t.Context(), review.Report{Commit: head, Findings: []review.Finding{finding(3, "a")}, Diff: d})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Placed)
	m, err := p.Message(t.Context(), q.ID)
	require.NoError(t, err)
	require.NoError(t, p.Reply(t.Context(), m, review.RenderReply("because", int(q.ID))))

	for _, r := range s.Requests() {
		assert.True(t, strings.HasPrefix(r, "GET "), "a dry run wrote: %s", r)
	}
	for _, want := range []string{"would post inline comment", "would post summary", "would publish check run", "would reply to comment"} {
		assert.Contains(t, dry.String(), want)
	}
}

// Publish anchors the comments on the head commit even when the flow did
// not ask for the pull request first (GitHub refuses another commit_id).
func TestPlatformPublishReadsTheHead(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	out, err := NewPlatform(api, testPR, PlatformOptions{}).Publish(t.Context(), &review.Result{Findings: []review.Finding{finding(3, "a")}},
		review.SummaryInfo{}, review.State{HeadCommit: head}, review.Scope{PRDiff: d, Reviewed: d, Complete: true}, review.Limits{})
	require.NoError(t, err)
	assert.Equal(t, 1, out.Posted)
	require.Len(t, s.ReviewComments(), 1)
	assert.Equal(t, head, s.ReviewComments()[0].CommitID)
}
