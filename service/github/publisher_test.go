package github

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

const (
	head = "5f1c0ffee0ddba11ab1e5eed0bead5deadbeef00"
	base = "0123456789abcdef0123456789abcdef01234567"
)

var testPR = PR{Owner: "acme", Repo: "shop", Number: 7}

func newFake(t *testing.T) (*ghtest.Server, API, *diffparse.Diff) {
	t.Helper()
	raw, err := os.ReadFile("../../cmd/bitreview/testdata/pr.diff")
	require.NoError(t, err)
	s := ghtest.New(t, "acme", "shop")
	s.AddToken("ghs_x", "", true)
	s.AddToken("ghp_human", "mallory", false)
	require.NoError(t, s.SetPullRequest(ghtest.PullRequest{Number: 7, Title: "t", HeadSHA: head, BaseSHA: base, HeadRef: "f", BaseRef: "main", Diff: string(raw)}))
	c, err := NewClient(nil, s.URL, "ghs_x", "bitreview/test")
	require.NoError(t, err)
	d, err := diffparse.Parse(raw)
	require.NoError(t, err)
	return s, FromClient(c), d
}

// finding anchors a finding on the new side of app/math.go (line 3 is in
// the diff; line 30 is not).
func finding(line int, title string) review.Finding {
	f := review.Finding{Path: "app/math.go", Side: diffparse.New, Line: line, Severity: review.High, Title: title, Body: "b"}
	f.Fingerprint = review.Fingerprint(f, fmt.Sprint("code", line))
	return f
}

func publish(t *testing.T, api API, d *diffparse.Diff, fs ...review.Finding) (*review.Outcome, *review.Result, error) {
	t.Helper()
	pub := &publisher{api: api, pr: testPR, opts: publishOptions{Head: head}}
	prior, err := pub.Load(t.Context())
	require.NoError(t, err)
	res := &review.Result{Findings: fs}
	out, err := pub.Publish(t.Context(), prior, res, review.SummaryInfo{Version: "test"}, review.State{HeadCommit: head}, review.Scope{PRDiff: d, Reviewed: d, Complete: true})
	return out, res, err
}

func TestRefusedAnchorFallsBackToSingleComments(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	out, res, err := publish(t, api, d, finding(3, "in the diff"), finding(30, "outside the hunks"))
	require.NoError(t, err)
	assert.Equal(t, 1, out.Posted)
	assert.Equal(t, 1, out.Rejected)
	assert.Equal(t, 0, s.Reviews(), "the fake refused the review whole")
	require.Len(t, s.ReviewComments(), 1)
	require.Len(t, res.Unanchored, 1)
	assert.Equal(t, refused, res.Unanchored[0].Unanchored)
	summaries := 0
	for _, c := range s.IssueComments() {
		if review.IsSummary(c.Body) {
			summaries++
			assert.Contains(t, c.Body, "outside the hunks")
		}
	}
	assert.Equal(t, 1, summaries)
}

func TestRerunDoesNotDuplicateAndIgnoresCopiedMarkers(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	_, _, err := publish(t, api, d, finding(3, "a"))
	require.NoError(t, err)
	// A human pastes our summary: it is not ours and must not be edited.
	var ours string
	for _, c := range s.IssueComments() {
		ours = c.Body
	}
	s.AddIssueComment("mallory", ours)
	out, _, err := publish(t, api, d, finding(3, "a"))
	require.NoError(t, err)
	assert.Equal(t, 0, out.Posted)
	assert.Equal(t, 1, out.Existing)
	assert.Equal(t, "unchanged", out.Summary)
	assert.Len(t, s.ReviewComments(), 1)
	assert.Len(t, s.IssueComments(), 2)
}

func TestStaleCommentsDeletedUnlessDiscussed(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	_, _, err := publish(t, api, d, finding(1, "gone"), finding(3, "discussed"))
	require.NoError(t, err)
	for _, c := range s.ReviewComments() {
		if strings.Contains(c.Body, "discussed") {
			s.AddReply("alice", c.ID, "why?")
		}
	}
	out, _, err := publish(t, api, d)
	require.NoError(t, err)
	assert.Equal(t, 1, out.Deleted)
	assert.Equal(t, 1, out.Kept)
	assert.Len(t, s.ReviewComments(), 2, "the discussed thread and its reply stay")
}

func TestUnclearReviewFailureIsCheckedBeforeRetrying(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	s.Fail("POST", "/pulls/7/reviews", http.StatusBadGateway, 1)
	out, _, err := publish(t, api, d, finding(3, "a"), finding(2, "b"))
	require.NoError(t, err)
	assert.Equal(t, 2, out.Posted)
	assert.Len(t, s.ReviewComments(), 2)
}

func TestRateLimitedCommentFailsAndKeepsState(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	s.Fail("POST", "/pulls/7/reviews", http.StatusUnprocessableEntity, 1)
	s.Fail("POST", "/pulls/7/comments", http.StatusTooManyRequests, 1)
	out, _, err := publish(t, api, d, finding(3, "a"))
	require.Error(t, err)
	assert.Equal(t, 1, out.Failed)
	for _, c := range s.IssueComments() {
		st, ok := review.ParseState(c.Body)
		require.True(t, ok)
		assert.Empty(t, st.HeadCommit, "an incomplete publish does not record the head")
	}
}

func TestPaginationReadsEveryComment(t *testing.T) {
	t.Parallel()
	s, api, d := newFake(t)
	for i := range 250 {
		s.AddIssueComment("alice", fmt.Sprint("comment ", i))
	}
	_, _, err := publish(t, api, d, finding(3, "a"))
	require.NoError(t, err)
	out, _, err := publish(t, api, d, finding(3, "a"))
	require.NoError(t, err)
	assert.Equal(t, "unchanged", out.Summary, "the summary on page 3 was found")
	assert.Len(t, s.IssueComments(), 251)
}

func TestAuthIsRequired(t *testing.T) {
	t.Parallel()
	s, _, _ := newFake(t)
	c, err := NewClient(nil, s.URL, "wrong", "bitreview/test")
	require.NoError(t, err)
	_, err = fetchPullRequest(t.Context(), FromClient(c).Pulls, testPR)
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, statusOf(err))
	assert.Contains(t, hint(err), "github_token")
}

func TestHumanTokenIdentity(t *testing.T) {
	t.Parallel()
	s, _, _ := newFake(t)
	c, err := NewClient(nil, s.URL, "ghp_human", "bitreview/test")
	require.NoError(t, err)
	prior, err := (&publisher{api: FromClient(c), pr: testPR}).Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "mallory", prior.Me)
}
