package ghtest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testDiff = `diff --git a/a.go b/a.go
--- a/a.go
+++ b/a.go
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
@@ -20,2 +20,3 @@
 twenty
+new
 twentyone
`

func do(t *testing.T, s *Server, method, path, token, accept, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestFakeEnforcesGitHubConstraints(t *testing.T) {
	t.Parallel()
	s := New(t, "o", "r")
	s.AddToken("tok", "bot", false)
	require.NoError(t, s.SetPullRequest(PullRequest{Number: 1, HeadSHA: "h", BaseSHA: "b", Diff: testDiff}))
	const comments = "/repos/o/r/pulls/1/comments"

	code, _, _ := do(t, s, "GET", "/repos/o/r/pulls/1", "", "", "")
	assert.Equal(t, http.StatusUnauthorized, code, "auth required")

	code, body, _ := do(t, s, "GET", "/repos/o/r/pulls/1", "tok", diffType, "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, testDiff, body, "diff media type")

	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"body":"x","commit_id":"h","path":"a.go","line":2,"side":"RIGHT"}`, 201},
		{`{"body":"x","commit_id":"h","path":"a.go","line":2,"side":"LEFT"}`, 201},
		{`{"body":"x","commit_id":"h","path":"a.go","line":10,"side":"RIGHT"}`, 422},                                     // between hunks
		{`{"body":"x","commit_id":"h","path":"a.go","line":21,"side":"RIGHT","start_line":2,"start_side":"RIGHT"}`, 422}, // two hunks
		{`{"body":"x","commit_id":"h","path":"a.go","line":22,"side":"RIGHT","start_line":20,"start_side":"RIGHT"}`, 201},
		{`{"body":"x","commit_id":"old","path":"a.go","line":2,"side":"RIGHT"}`, 422},
		{`{"body":"x","commit_id":"h","path":"b.go","line":1,"side":"RIGHT"}`, 422},
		{`{"body":"x","commit_id":"h","path":"a.go","position":3}`, 422},
	} {
		code, body, _ := do(t, s, "POST", comments, "tok", "", tc.body)
		assert.Equal(t, tc.want, code, "%s → %s", tc.body, body)
	}

	for range 5 {
		do(t, s, "POST", "/repos/o/r/issues/1/comments", "tok", "", `{"body":"c"}`)
	}
	code, _, h := do(t, s, "GET", "/repos/o/r/issues/1/comments?per_page=2", "tok", "", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, h.Get("Link"), `page=2`)
	assert.Contains(t, h.Get("Link"), `rel="next"`)

	s.Fail("GET", "/issues/1/comments", http.StatusTooManyRequests, 1)
	code, _, h = do(t, s, "GET", "/repos/o/r/issues/1/comments", "tok", "", "")
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Equal(t, "0", h.Get("X-RateLimit-Remaining"))
	code, _, _ = do(t, s, "GET", "/repos/o/r/issues/1/comments", "tok", "", "")
	assert.Equal(t, http.StatusOK, code, "a fault fires the given number of times")
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(t, "o", "r")
	s.AddToken("tok", "bot", false)
	require.NoError(t, s.SetPullRequest(PullRequest{Number: 1, HeadSHA: "h", BaseSHA: "b", Diff: testDiff}))
	const comments = "/repos/o/r/issues/1/comments"

	s.Fault(Fault{Method: "GET", PathSuffix: "/comments", Status: http.StatusTooManyRequests, Every: 3, Times: -1, RetryAfter: "2"})
	var codes []int
	for range 7 {
		code, _, h := do(t, s, "GET", comments, "tok", "", "")
		codes = append(codes, code)
		if code == http.StatusTooManyRequests {
			assert.Equal(t, "2", h.Get("Retry-After"))
			assert.Empty(t, h.Get("X-RateLimit-Remaining"), "no primary-limit headers unless asked")
		}
	}
	assert.Equal(t, []int{200, 200, 429, 200, 200, 429, 200}, codes, "every third matching request")
	code, _, _ := do(t, s, "POST", comments, "tok", "", `{"body":"c"}`)
	assert.Equal(t, http.StatusCreated, code, "another method does not match")
	assert.Equal(t, 2, s.Faulted())

	before := time.Now().Unix()
	s.Fault(Fault{Method: "POST", Status: http.StatusForbidden, ResetIn: 10 * time.Second})
	code, body, h := do(t, s, "POST", comments, "tok", "", `{"body":"c"}`)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "API rate limit exceeded")
	assert.Equal(t, "0", h.Get("X-RateLimit-Remaining"))
	reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	require.NoError(t, err)
	assert.InDelta(t, before+10, reset, 1)
	assert.Len(t, s.IssueComments(), 1, "the refused POST stored nothing")

	s.Fault(Fault{Method: "POST", Status: http.StatusForbidden, RetryAfter: "60", Secondary: true})
	code, body, h = do(t, s, "POST", comments, "tok", "", `{"body":"c"}`)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "secondary-rate-limits")
	assert.Equal(t, "60", h.Get("Retry-After"))

	s.Fault(Fault{Method: "POST", ResetIn: time.Minute})
	code, _, h = do(t, s, "POST", comments, "tok", "", `{"body":"last"}`)
	assert.Equal(t, http.StatusCreated, code, "Status 0 sends the real answer")
	assert.Equal(t, "0", h.Get("X-RateLimit-Remaining"), "with the spent window's headers")
	assert.Len(t, s.IssueComments(), 2)
}

// Single comments are read by id (404 once deleted), review comments carry
// GitHub's diff_hunk (the hunk up to the commented line) and replies keep
// their thread's; accounts named "…[bot]" are of type Bot.
func TestFakeReadsSingleComments(t *testing.T) {
	t.Parallel()
	s := New(t, "o", "r")
	s.AddToken("tok", "", true)
	require.NoError(t, s.SetPullRequest(PullRequest{Number: 1, HeadSHA: "h", BaseSHA: "b", Diff: testDiff}))

	c, err := s.AddReviewComment("alice", "a.go", "RIGHT", 2, "why TWO?")
	require.NoError(t, err)
	assert.Equal(t, "@@ -1,3 +1,3 @@\n one\n-two\n+TWO", c.DiffHunk)
	_, err = s.AddReviewComment("alice", "a.go", "RIGHT", 10, "between hunks")
	require.Error(t, err, "anchored as the API would")
	left, err := s.AddReviewComment("alice", "a.go", "LEFT", 2, "old")
	require.NoError(t, err)
	assert.Equal(t, "@@ -1,3 +1,3 @@\n one\n-two", left.DiffHunk)

	code, body, _ := do(t, s, "POST", "/repos/o/r/pulls/1/comments", "tok", "", fmt.Sprintf(`{"body":"because","in_reply_to":%d}`, c.ID))
	require.Equal(t, http.StatusCreated, code, body)
	assert.Contains(t, body, `"diff_hunk":"@@ -1,3 +1,3 @@\n one\n-two\n+TWO"`)
	assert.Contains(t, body, `"type":"Bot"`)
	code, body, _ = do(t, s, "GET", fmt.Sprintf("/repos/o/r/pulls/comments/%d", c.ID), "tok", "", "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"body":"why TWO?"`)
	assert.Contains(t, body, `"type":"User"`)

	ic := s.AddIssueComment("bob", "hello")
	code, body, _ = do(t, s, "GET", fmt.Sprintf("/repos/o/r/issues/comments/%d", ic.ID), "tok", "", "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"body":"hello"`)
	code, _, _ = do(t, s, "GET", fmt.Sprintf("/repos/o/r/pulls/comments/%d", ic.ID), "tok", "", "")
	assert.Equal(t, http.StatusNotFound, code, "an issue comment is not a review comment")
	code, _, _ = do(t, s, "GET", "/repos/o/r/issues/comments/99999", "tok", "", "")
	assert.Equal(t, http.StatusNotFound, code, "a deleted comment")
}
