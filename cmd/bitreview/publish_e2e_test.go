package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// writes counts the requests that change something on the fake.
func writes(bb *bbtest.Server) int {
	n := 0
	for _, r := range bb.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

func TestPipeTenRunsOnTheSameHead(t *testing.T) {
	f := newFixture(t)
	out, code := execPipe(t, f.env())
	require.Equal(t, 0, code, out)
	summaries, inline := f.comments()
	require.Len(t, summaries, 1)
	require.Len(t, inline, 3)
	calls, w := len(f.llm.Calls()), writes(f.bb)
	require.NotZero(t, calls)
	assert.Len(t, f.bb.Reports(ws, slug, srcSHA), 1, "a Code Insights report on the head commit")

	for run := 2; run <= 10; run++ {
		out, code := execPipe(t, f.env())
		require.Equal(t, 0, code, out)
		require.Contains(t, out, "Already reviewed 5f1c0ffee0dd", "run %d", run)
	}
	assert.Equal(t, calls, len(f.llm.Calls()), "runs 2-10 make no model call")
	assert.Equal(t, w, writes(f.bb), "runs 2-10 write nothing")
	summaries2, inline2 := f.comments()
	assert.Len(t, summaries2, 1, "exactly one summary")
	assert.Equal(t, summaries[0].ID, summaries2[0].ID)
	assert.Len(t, inline2, 3, "no duplicate inline comment")

	// The verdict recorded by run 1 still gates the step without a review.
	out, code = execPipe(t, f.env("FAIL_ON=high"))
	assert.Equal(t, exitFindings, code, out)
	assert.Equal(t, calls, len(f.llm.Calls()))

	// `@bitreview full review` forces a pass over the whole pull request.
	out, code = execPipe(t, f.env("BITREVIEW_COMMAND=full review"))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Full review requested")
	assert.Greater(t, len(f.llm.Calls()), calls)
	_, inline3 := f.comments()
	assert.Len(t, inline3, 3, "a forced full review posts no duplicate")
}

const (
	head2 = "2222222222222222222222222222222222222222"
	head3 = "3333333333333333333333333333333333333333"
)

// utilAdded is the second push's new file, in the pull request's diff and
// in the increment.
const utilAdded = `diff --git a/app/util.go b/app/util.go
new file mode 100644
index 0000000..2222222
--- /dev/null
+++ b/app/util.go
@@ -0,0 +1,3 @@
+package app
+
+func Must(err error) { _ = err }
`

// prDiff2 is the pull request after a second push: Add is fixed and a new
// file appears.
const prDiff2 = `diff --git a/app/math.go b/app/math.go
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/app/math.go
@@ -0,0 +1,3 @@
+package app
+
+func Add(a, b int) int { return a + b }
diff --git a/app/server.go b/app/server.go
index b79fbe2..ec69751 100644
--- a/app/server.go
+++ b/app/server.go
@@ -1,10 +1,15 @@
 package app
 
-import "net/http"
+import (
+	"database/sql"
+	"net/http"
+)
 
-func handler(w http.ResponseWriter, r *http.Request) {
-	name := r.URL.Query().Get("name")
-	w.Write([]byte("hello " + name))
+func handler(db *sql.DB) http.HandlerFunc {
+	return func(w http.ResponseWriter, r *http.Request) {
+		name := r.URL.Query().Get("name")
+		rows, _ := db.Query("SELECT * FROM users WHERE name = '" + name + "'")
+		defer rows.Close()
+		w.Write([]byte("hello " + name))
+	}
 }
-
-func unused() {}
` + utilAdded + `diff --git a/notes.txt b/notes.txt
deleted file mode 100644
index 0906fba..0000000
--- a/notes.txt
+++ /dev/null
@@ -1 +0,0 @@
-old line
`

// incDiff2 is what the second push changed (head2 against srcSHA), plus a
// file the merged destination branch brought in, which is not part of the
// pull request.
const incDiff2 = `diff --git a/app/math.go b/app/math.go
index 04e1932..1111111 100644
--- a/app/math.go
+++ b/app/math.go
@@ -1,3 +1,3 @@
 package app
 
-func Add(a, b int) int { return a - b }
+func Add(a, b int) int { return a + b }
` + utilAdded + `diff --git a/vendor/upstream.go b/vendor/upstream.go
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/vendor/upstream.go
@@ -0,0 +1 @@
+package upstream
`

const reviewReply2 = `{"summary":"Must swallows errors.","findings":[
 {"path":"app/util.go","line":3,"code":"func Must(err error) { _ = err }","severity":"medium","category":"bug","title":"Must ignores the error","body":"Panic or return it."}
]}`

func TestPipeNewCommitIsReviewedIncrementally(t *testing.T) {
	f := newFixture(t)
	f.bb.AddCommitWithParents(ws, slug, srcSHA, dstSHA)
	out, code := execPipe(t, f.env())
	require.Equal(t, 0, code, out)
	_, inline := f.comments()
	require.Len(t, inline, 3)
	var addComment, sqlComment bbtest.Comment
	for _, c := range inline {
		switch {
		case strings.Contains(c.Raw, "Add subtracts"):
			addComment = c
		case strings.Contains(c.Raw, "SQL injection"):
			sqlComment = c
		}
	}
	require.NotZero(t, addComment.ID)
	// Someone discusses the Add finding: its thread may be resolved, never deleted.
	f.bb.AddComment(ws, slug, 7, bbtest.Comment{ParentID: addComment.ID, Raw: "good catch", User: bbtest.NewUser("alice")})

	// Second push: Add fixed, util.go added; the destination branch was merged in.
	f.bb.AddCommitWithParents(ws, slug, head2, srcSHA)
	f.bb.SetPullRequestDiff(ws, slug, 7, head2, prDiff2)
	f.bb.SetDiff(ws, slug, head2, srcSHA, incDiff2)
	before := len(f.llm.Calls())
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"Fixes Add, adds Must.","files":[{"path":"app/math.go","note":"Add fixed","trivial":false},{"path":"app/util.go","note":"new Must helper","trivial":false}]}`}
		}
		return llmtest.Reply{JSON: reviewReply2}
	})
	out, code = execPipe(t, f.env("BITBUCKET_COMMIT="+head2))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Incremental review of 5f1c0ffee0dd..222222222222")
	assert.Contains(t, out, "1 inline comment(s) posted")
	assert.Contains(t, out, "1 resolved, 0 deleted")

	for _, c := range f.llm.Calls()[before:] {
		assert.NotContains(t, c.Prompt, "SELECT * FROM users", "code the push did not touch is not sent again")
		assert.NotContains(t, c.Prompt, "package upstream", "files outside the pull request are not reviewed")
	}
	summaries, inline2 := f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "(incremental)")
	st, ok := review.ParseState(summaries[0].Raw)
	require.True(t, ok)
	assert.Equal(t, head2, st.HeadCommit, "the state records the reviewed head in full")
	assert.Len(t, inline2, 4, "one new comment; the three earlier ones stay (one of them resolved)")
	for _, c := range f.bb.Comments(ws, slug, 7) {
		switch c.ID {
		case addComment.ID:
			assert.False(t, c.Deleted, "a thread with a human reply is never deleted")
			assert.NotNil(t, c.Resolution, "the fixed finding's thread is resolved")
		case sqlComment.ID:
			assert.Nil(t, c.Resolution, "untouched code keeps its open finding")
		}
	}
	assert.Empty(t, f.bb.RejectedAnchors())
	reports := f.bb.Annotations(ws, slug, head2, "bitreview")
	var titles []string
	for _, a := range reports {
		titles = append(titles, a.Summary)
	}
	assert.Contains(t, titles, "SQL injection through the name parameter", "the report covers open findings of earlier commits")
	assert.Contains(t, titles, "Must ignores the error")
	assert.NotContains(t, titles, "Add subtracts")

	// A force-push: the last reviewed commit is no longer an ancestor.
	f.bb.AddCommitWithParents(ws, slug, head3, dstSHA)
	f.bb.SetPullRequestDiff(ws, slug, 7, head3, prDiff2)
	out, code = execPipe(t, f.env("BITBUCKET_COMMIT="+head3))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "Full review instead of incremental: the last reviewed commit 222222222222 is not an ancestor of 333333333333")
	summaries, _ = f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "Full review instead of incremental")
}

func TestPipeSkipsDraftsAndIgnoredPullRequests(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pr     bbtest.PullRequest
		reason string
	}{
		{"draft", bbtest.PullRequest{ID: 7, Draft: true}, "draft"},
		{"ignore", bbtest.PullRequest{ID: 7, Description: "WIP\n\n@bitreview ignore"}, "bitreview ignore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			bb := bbtest.New(t) // a fresh fake with the pull request as this case needs it
			f.bb = bb
			f.bot = bb.AddUser(bbtest.NewUser("bitreview-bot"))
			tc.pr.Source = bbtest.Endpoint{Commit: srcSHA}
			tc.pr.Destination = bbtest.Endpoint{Commit: dstSHA}
			bb.AddPullRequest(ws, slug, tc.pr, prDiff2)
			for range 2 {
				out, code := execPipe(t, f.env())
				require.Equal(t, 0, code, out)
				assert.Contains(t, out, "Not reviewed:")
			}
			assert.Empty(t, f.llm.Calls(), "no model call")
			summaries, inline := f.comments()
			require.Len(t, summaries, 1)
			assert.Empty(t, inline)
			assert.Contains(t, summaries[0].Raw, tc.reason)
			assert.Equal(t, 1, bb.Count("POST", "/comments"), "one summary, written once")
			assert.Zero(t, bb.Count("PUT", ""), "unchanged on the second run")
		})
	}
}
