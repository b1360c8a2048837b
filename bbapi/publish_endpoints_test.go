package bbapi_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
)

const (
	c1 = "1111111111111111111111111111111111111111"
	c2 = "2222222222222222222222222222222222222222"
	c3 = "3333333333333333333333333333333333333333"
)

func fakeClient(t *testing.T) (*bbtest.Server, *bbapi.Client) {
	t.Helper()
	s := bbtest.New(t)
	u := s.AddUser(bbtest.NewUser("bot"))
	c, err := bbapi.NewClient(s.URL, bbapi.WithAccessToken(u.AccessToken), bbapi.WithRetry(2, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	return s, c
}

func TestMergeBaseAndIncrementDiff(t *testing.T) {
	s, c := fakeClient(t)
	s.AddCommitWithParents("ws", "repo", c2, c1)
	s.AddCommitWithParents("ws", "repo", c3, c1)
	s.SetDiff("ws", "repo", c2, c1, "diff --git a/x b/x\n")

	mb, _, err := c.MergeBase(t.Context(), "ws", "repo", c2, c1[:12])
	require.NoError(t, err)
	assert.Equal(t, c1, mb.Hash, "c1 is an ancestor of c2")
	mb, _, err = c.MergeBase(t.Context(), "ws", "repo", c3, c2)
	require.NoError(t, err)
	assert.Equal(t, c1, mb.Hash, "c2 is not an ancestor of c3")
	_, _, err = c.MergeBase(t.Context(), "ws", "repo", c3, "abcdefabcdef")
	var er *bbapi.ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, 404, er.StatusCode)

	var buf bytes.Buffer
	_, err = c.GetDiff(t.Context(), "ws", "repo", c2+".."+c1, nil, &buf)
	require.NoError(t, err)
	assert.Equal(t, "diff --git a/x b/x\n", buf.String())
}

func TestTasksCreateListResolve(t *testing.T) {
	s, c := fakeClient(t)
	s.AddPullRequest("ws", "repo", bbtest.PullRequest{ID: 1}, "")
	cm := s.AddComment("ws", "repo", 1, bbtest.Comment{Raw: "hi"})
	task, _, err := c.CreatePullRequestTask(t.Context(), "ws", "repo", 1, &bbapi.NewTask{Content: bbapi.TaskContent{Raw: "do it"}, Comment: &bbapi.Ref{ID: cm.ID}})
	require.NoError(t, err)
	assert.Equal(t, "UNRESOLVED", task.State)
	tasks, err := c.ListPullRequestTasks(t.Context(), "ws", "repo", 1)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, cm.ID, tasks[0].Comment.ID)
	_, _, err = c.UpdatePullRequestTask(t.Context(), "ws", "repo", 1, task.ID, &bbapi.TaskUpdate{State: "RESOLVED"})
	require.NoError(t, err)
	assert.Equal(t, "RESOLVED", s.Tasks("ws", "repo", 1)[0].State)
}

func TestReportsAndAnnotations(t *testing.T) {
	s, c := fakeClient(t)
	s.AddCommit("ws", "repo", c1)
	_, _, err := c.PutReport(t.Context(), "ws", "repo", c1, "bitreview", &bbapi.Report{Title: "bitreview", Result: "PENDING", ReportType: "BUG"})
	require.NoError(t, err)
	_, err = c.PostAnnotations(t.Context(), "ws", "repo", c1, "bitreview", []bbapi.Annotation{{ExternalID: "a", Summary: "s", Severity: "HIGH", AnnotationType: "BUG", Path: "x.go", Line: 3}})
	require.NoError(t, err)
	_, err = c.PostAnnotations(t.Context(), "ws", "repo", c1, "bitreview", nil)
	assert.Error(t, err, "an empty batch is refused before sending")
	_, err = c.DeleteReport(t.Context(), "ws", "repo", c1, "bitreview")
	require.NoError(t, err)
	assert.Empty(t, s.Reports("ws", "repo", c1))
}

func TestPullRequestDiffStat(t *testing.T) {
	s, c := fakeClient(t)
	var diff bytes.Buffer
	for i := range 150 {
		fmt.Fprintf(&diff, "diff --git a/f%03d.go b/f%03d.go\n--- a/f%03d.go\n+++ b/f%03d.go\n@@ -1 +1,2 @@\n-a\n+b\n+c\n", i, i, i, i)
	}
	diff.WriteString("diff --git a/old.go b/new.go\nsimilarity index 100%\nrename from old.go\nrename to new.go\n")
	diff.WriteString("diff --git a/gone.go b/gone.go\ndeleted file mode 100644\n--- a/gone.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n")
	s.AddPullRequest("ws", "repo", bbtest.PullRequest{ID: 3,
		Source: bbtest.Endpoint{Commit: c2}, Destination: bbtest.Endpoint{Commit: c1}}, diff.String())

	stats, err := c.ListPullRequestDiffStat(t.Context(), "ws", "repo", 3)
	require.NoError(t, err)
	require.Len(t, stats, 152, "two pages of 100")
	assert.Equal(t, bbapi.DiffStat{Status: "modified", LinesAdded: 2, LinesRemoved: 1,
		Old: &bbapi.CommitFile{Path: "f000.go"}, New: &bbapi.CommitFile{Path: "f000.go"}}, *stats[0])
	assert.Equal(t, "renamed", stats[150].Status)
	assert.Equal(t, "old.go", stats[150].Old.Path)
	assert.Equal(t, "new.go", stats[150].New.Path)
	assert.Equal(t, "removed", stats[151].Status)
	assert.Nil(t, stats[151].New)
}
