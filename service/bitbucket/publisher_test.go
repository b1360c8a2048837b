package bitbucket

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

const (
	ws, slug = "acme", "shop"
	head1    = "1111111111111111111111111111111111111111"
	head2    = "2222222222222222222222222222222222222222"
	base     = "0000000000000000000000000000000000000000"
)

const diff1 = `diff --git a/a.go b/a.go
new file mode 100644
--- /dev/null
+++ b/a.go
@@ -0,0 +1,4 @@
+package a
+
+func A() int { return 1 }
+func B() int { return 2 }
`

type env struct {
	bb     *bbtest.Server
	bot    bbtest.User
	client *bbapi.Client
	pr     PR
	diff   *diffparse.Diff
}

func newEnv(t *testing.T, opts ...bbapi.Option) *env {
	t.Helper()
	bb := bbtest.New(t)
	bot := bb.AddUser(bbtest.NewUser("bot"))
	bb.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 1, Source: bbtest.Endpoint{Commit: head1}, Destination: bbtest.Endpoint{Commit: base}}, diff1)
	opts = append([]bbapi.Option{bbapi.WithAccessToken(bot.AccessToken), bbapi.WithRetry(4, time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := bbapi.NewClient(bb.URL, opts...)
	require.NoError(t, err)
	d, err := diffparse.Parse([]byte(diff1))
	require.NoError(t, err)
	return &env{bb: bb, bot: bot, client: c, pr: PR{Workspace: ws, Repo: slug, ID: 1}, diff: d}
}

func finding(d *diffparse.Diff, line int, sev review.Severity, title string) review.Finding {
	f := review.Finding{Path: "a.go", Side: diffparse.New, Line: line, Severity: sev, Category: "bug", Title: title, Body: "Because."}
	_, l := d.File("a.go").LineAt(diffparse.New, line)
	f.Fingerprint = review.Fingerprint(f, l.Text)
	return f
}

func (e *env) publish(t *testing.T, opts publishOptions, res *review.Result, scope review.Scope) *review.Outcome {
	t.Helper()
	p := &publisher{api: e.client, pr: e.pr, opts: opts}
	prior, err := p.Load(t.Context())
	require.NoError(t, err)
	if scope.PRDiff == nil {
		scope = review.Scope{PRDiff: e.diff, Reviewed: e.diff, Complete: true}
	}
	out, err := p.Publish(t.Context(), prior, res, review.SummaryInfo{Version: "test"}, review.State{HeadCommit: head1}, scope)
	require.NoError(t, err)
	return out
}

func (e *env) ours() (summaries, inline []bbtest.Comment) {
	for _, c := range e.bb.Comments(ws, slug, 1) {
		if c.Deleted || c.User.UUID != e.bot.UUID {
			continue
		}
		if c.Inline != nil {
			inline = append(inline, c)
		} else if review.IsSummary(c.Raw) {
			summaries = append(summaries, c)
		}
	}
	return summaries, inline
}

func TestSpoofedMarkersOnLaterPagesAreNeverTouched(t *testing.T) {
	e := newEnv(t)
	mallory := bbtest.NewUser("mallory")
	f := finding(e.diff, 3, review.High, "A returns a constant")
	for i := range 260 {
		e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "chatter " + string(rune('a'+i%26)), User: mallory})
	}
	// Page 3: a spoofed summary and a spoofed fingerprint, by someone else.
	spoofSummary := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: "gotcha\n[//]: # (bitreview:summary)\n", User: mallory})
	spoofInline := e.bb.AddComment(ws, slug, 1, bbtest.Comment{Raw: review.RenderComment(f), User: mallory, Inline: &bbtest.Inline{Path: "a.go", To: 3}})

	out := e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: []review.Finding{f}}, review.Scope{})
	assert.Equal(t, 1, out.Posted, "a fingerprint in someone else's comment does not count as ours")
	assert.Equal(t, "created", out.Summary)
	out = e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: []review.Finding{f}}, review.Scope{})
	assert.Equal(t, 0, out.Posted)
	assert.Equal(t, "unchanged", out.Summary)

	summaries, inline := e.ours()
	assert.Len(t, summaries, 1)
	assert.Len(t, inline, 1)
	for _, c := range e.bb.Comments(ws, slug, 1) {
		if c.ID == spoofSummary.ID || c.ID == spoofInline.ID {
			assert.False(t, c.Deleted)
			assert.Nil(t, c.Resolution)
			assert.Equal(t, c.CreatedOn, c.UpdatedOn, "never edited")
		}
	}
	pages := 0
	for _, r := range e.bb.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/comments") {
			pages++
		}
	}
	assert.GreaterOrEqual(t, pages, 6, "every page is read, twice")
}

func TestPostThatTimesOutAfterStoringIsNotRepeated(t *testing.T) {
	e := newEnv(t, bbapi.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	e.bb.Fault(bbtest.Fault{Method: "POST", PathContains: "/comments", StoreThenHang: 2 * time.Second})
	f := finding(e.diff, 3, review.High, "A returns a constant")
	out := e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: []review.Finding{f}}, review.Scope{})
	assert.Equal(t, 1, out.Posted)
	_, inline := e.ours()
	assert.Len(t, inline, 1, "found by its fingerprint after the timeout, not posted twice")
}

// TestRateLimitStormLosesNothing is requirement 35: a 429 was not
// processed, so a refused POST is sent again and the first run is complete.
func TestRateLimitStormLosesNothing(t *testing.T) {
	e := newEnv(t)
	e.bb.Fault(bbtest.Fault{Method: "GET", Status: 429, Times: 3})
	e.bb.Fault(bbtest.Fault{Method: "POST", PathContains: "/comments", Status: 429, Times: 2})
	fs := []review.Finding{finding(e.diff, 3, review.High, "A returns a constant"), finding(e.diff, 4, review.Low, "B returns a constant")}
	out := e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: append([]review.Finding(nil), fs...)}, review.Scope{})
	assert.Equal(t, 2, out.Posted)
	assert.Zero(t, out.Failed)
	summaries, inline := e.ours()
	require.Len(t, summaries, 1)
	assert.NotContains(t, summaries[0].Raw, "Publishing incomplete")
	assert.Len(t, inline, 2, "no loss, no duplicate")
	assert.Equal(t, 5, e.bb.Count("POST", "/comments"), "2 inline + summary + the 2 refused and sent again")
}

// TestRefusedPostLosesNothingAcrossRuns: a 503 on a POST may hide a stored
// comment, so it is not sent again blindly; the next run posts it once.
func TestRefusedPostLosesNothingAcrossRuns(t *testing.T) {
	e := newEnv(t)
	e.bb.Fault(bbtest.Fault{Method: "GET", Status: 429, Times: 3})
	e.bb.Fault(bbtest.Fault{Method: "POST", PathContains: "/comments", Status: 503, Times: 1})
	fs := []review.Finding{finding(e.diff, 3, review.High, "A returns a constant"), finding(e.diff, 4, review.Low, "B returns a constant")}

	p := &publisher{api: e.client, pr: e.pr, opts: publishOptions{Limits: review.Limits{TasksAt: -1}}}
	prior, err := p.Load(t.Context())
	require.NoError(t, err, "GETs are retried through the storm")
	out, err := p.Publish(t.Context(), prior, &review.Result{Findings: append([]review.Finding(nil), fs...)}, review.SummaryInfo{}, review.State{HeadCommit: head1}, review.Scope{PRDiff: e.diff, Reviewed: e.diff, Complete: true})
	require.Error(t, err, "a POST refused with 503 is not retried blindly")
	assert.Equal(t, 1, out.Failed)
	summaries, _ := e.ours()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "Publishing incomplete")
	st, _ := review.ParseState(summaries[0].Raw)
	assert.Empty(t, st.HeadCommit, "the head is not recorded as reviewed, so the next run retries")

	out = e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: append([]review.Finding(nil), fs...)}, review.Scope{})
	assert.Equal(t, 1, out.Posted)
	assert.Equal(t, 1, out.Existing)
	summaries, inline := e.ours()
	assert.Len(t, summaries, 1)
	assert.Len(t, inline, 2, "no loss, no duplicate")
}

func TestStaleCommentsDeletedOrResolved(t *testing.T) {
	e := newEnv(t)
	fA := finding(e.diff, 3, review.High, "A returns a constant")
	fB := finding(e.diff, 4, review.Medium, "B returns a constant")
	e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: []review.Finding{fA, fB}}, review.Scope{})
	_, inline := e.ours()
	require.Len(t, inline, 2)
	var idA, idB int
	for _, c := range inline {
		if strings.Contains(c.Raw, "A returns") {
			idA = c.ID
		} else {
			idB = c.ID
		}
	}
	e.bb.AddComment(ws, slug, 1, bbtest.Comment{ParentID: idB, Raw: "why?"})

	// A full, complete review that finds neither again.
	out := e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{}, review.Scope{})
	assert.Equal(t, 1, out.Deleted)
	assert.Equal(t, 1, out.Resolved)
	for _, c := range e.bb.Comments(ws, slug, 1) {
		switch c.ID {
		case idA:
			assert.True(t, c.Deleted, "nobody replied: deleted")
		case idB:
			assert.False(t, c.Deleted, "a thread with replies is never deleted")
			assert.NotNil(t, c.Resolution)
		}
	}
	// Resolved by a human (or by us): found again, it is not re-posted.
	out = e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: []review.Finding{fB}}, review.Scope{})
	assert.Equal(t, 0, out.Posted)
	assert.Equal(t, 1, out.Dismissed)
}

func TestIncompleteReviewRetiresNothing(t *testing.T) {
	e := newEnv(t)
	e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{Findings: []review.Finding{finding(e.diff, 3, review.High, "A returns a constant")}}, review.Scope{})
	out := e.publish(t, publishOptions{Limits: review.Limits{TasksAt: -1}}, &review.Result{}, review.Scope{PRDiff: e.diff, Reviewed: e.diff, Complete: false})
	assert.Zero(t, out.Deleted+out.Resolved)
	assert.Equal(t, 1, out.Carried)
	assert.Equal(t, review.High, out.Verdict.Worst, "a carried finding still counts for FAIL_ON")
}

func TestMaxCommentsCountsEarlierRuns(t *testing.T) {
	e := newEnv(t)
	fA := finding(e.diff, 3, review.High, "A returns a constant")
	fB := finding(e.diff, 4, review.Medium, "B returns a constant")
	e.publish(t, publishOptions{Limits: review.Limits{MaxComments: 1, TasksAt: -1}}, &review.Result{Findings: []review.Finding{fA}}, review.Scope{})
	res := &review.Result{Findings: []review.Finding{fA, fB}}
	out := e.publish(t, publishOptions{Limits: review.Limits{MaxComments: 1, TasksAt: -1}}, res, review.Scope{})
	assert.Equal(t, 0, out.Posted)
	assert.Equal(t, 1, out.OverBudget)
	require.Len(t, res.Unanchored, 1)
	assert.Contains(t, res.Unanchored[0].Unanchored, "MAX_COMMENTS")
}

func TestTasksAreCreatedOnce(t *testing.T) {
	e := newEnv(t)
	fs := []review.Finding{finding(e.diff, 3, review.High, "A returns a constant"), finding(e.diff, 4, review.Low, "B returns a constant")}
	for range 3 {
		e.publish(t, publishOptions{Limits: review.Limits{TasksAt: review.High}}, &review.Result{Findings: append([]review.Finding(nil), fs...)}, review.Scope{})
	}
	tasks := e.bb.Tasks(ws, slug, 1)
	require.Len(t, tasks, 1, "one task, for the high finding only, across runs")
	assert.Contains(t, tasks[0].Raw, "A returns a constant")
	assert.NotZero(t, tasks[0].CommentID)
	// The finding goes away: its comment is retired and its task resolved.
	e.publish(t, publishOptions{Limits: review.Limits{TasksAt: review.High}}, &review.Result{}, review.Scope{})
	assert.Equal(t, "RESOLVED", e.bb.Tasks(ws, slug, 1)[0].State)
}

func TestIdentityRefusedNamesTheScope(t *testing.T) {
	e := newEnv(t)
	u := bbtest.NewUser("no-user-scope")
	u.Scopes = []string{bbtest.ScopeReadPullRequest, bbtest.ScopeWritePullRequest, bbtest.ScopeReadRepository}
	u = e.bb.AddUser(u)
	c, err := bbapi.NewClient(e.bb.URL, bbapi.WithAccessToken(u.AccessToken))
	require.NoError(t, err)
	_, err = (&publisher{api: c, pr: e.pr}).Load(t.Context())
	var ie *IdentityError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, ie.Hint, "read:user:bitbucket")
	assert.Zero(t, e.bb.Count("", "/comments"), "nothing is read or written without an identity")
}

func TestParseCommentRoundTrip(t *testing.T) {
	for _, sev := range []review.Severity{review.Info, review.Low, review.Medium, review.High, review.Critical} {
		f := review.Finding{Path: "x.go", Line: 3, Severity: sev, Category: "security", Title: "Ping @alice about (bitreview:x)", Body: "Body\ntext", Suggestion: "fixed()", Fingerprint: "0123456789abcdef"}
		pc, ok := review.ParseComment(review.RenderComment(f))
		require.True(t, ok, sev)
		assert.Equal(t, sev, pc.Severity)
		assert.Equal(t, "security", pc.Category)
		assert.Equal(t, f.Title, pc.Title)
		assert.Equal(t, "Body\ntext", pc.Body)
	}
}

func TestPlanReview(t *testing.T) {
	e := newEnv(t)
	e.bb.AddCommitWithParents(ws, slug, head1, base)
	e.bb.AddCommitWithParents(ws, slug, head2, head1)
	rebased := "4444444444444444444444444444444444444444"
	e.bb.AddCommitWithParents(ws, slug, rebased, base)
	for _, tc := range []struct {
		name, last, head string
		incremental      bool
		reason           string
	}{
		{"first review", "", head2, false, ""},
		{"ancestor (short hash)", head1[:12], head2, true, ""},
		{"force-push", head2, rebased, false, "not an ancestor"},
		{"unknown commit", "abcdefabcdef", head2, false, "no longer known"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planReview(t.Context(), e.client, e.pr, tc.last, tc.head)
			assert.Equal(t, tc.incremental, p.Incremental)
			if tc.reason == "" {
				assert.Empty(t, p.FallbackReason)
			} else {
				assert.Contains(t, p.FallbackReason, tc.reason)
			}
		})
	}
}
