package bbapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
)

func TestIssues(t *testing.T) {
	s, c := fakeClient(t)
	s.AddPullRequest("ws", "repo", bbtest.PullRequest{ID: 1}, "")
	_, _, err := c.GetIssue(t.Context(), "ws", "repo", 3)
	var er *bbapi.ErrorResponse
	require.True(t, errors.As(err, &er))
	assert.Equal(t, http.StatusNotFound, er.StatusCode, "no tracker: 404")

	s.AddIssue("ws", "repo", bbtest.Issue{ID: 3, Title: "Query users", Content: "Add a query.", Kind: "task", State: "open"})
	i, _, err := c.GetIssue(t.Context(), "ws", "repo", 3)
	require.NoError(t, err)
	assert.Equal(t, "Query users", i.Title)
	assert.Equal(t, "Add a query.", i.Content.Raw)
	assert.Equal(t, "open", i.State)
	assert.Equal(t, "https://bitbucket.org/ws/repo/issues/3", i.Links.HTML.Href)

	created, _, err := c.CreateIssue(t.Context(), "ws", "repo", &bbapi.NewIssue{Title: "Fix it", Content: &bbapi.Content{Raw: "body"}, Kind: "bug"})
	require.NoError(t, err)
	assert.Equal(t, 4, created.ID)
	assert.Len(t, s.Issues("ws", "repo"), 2)
	assert.Empty(t, s.Violations())
}

func TestIssueScopes(t *testing.T) {
	s := bbtest.New(t)
	u := bbtest.NewUser("limited")
	u.Scopes = []string{bbtest.ScopeReadRepository, bbtest.ScopeReadPullRequest}
	u = s.AddUser(u)
	s.AddIssue("ws", "repo", bbtest.Issue{Title: "x"})
	c, err := bbapi.NewClient(s.URL, bbapi.WithAPIToken(u.Email, u.APIToken))
	require.NoError(t, err)
	_, _, err = c.GetIssue(t.Context(), "ws", "repo", 1)
	var er *bbapi.ErrorResponse
	require.True(t, errors.As(err, &er))
	assert.Equal(t, http.StatusForbidden, er.StatusCode)
	assert.Contains(t, er.Hint, "read:issue:bitbucket")
}

func TestUpdatePullRequestAndCommits(t *testing.T) {
	s := bbtest.New(t, bbtest.AllowViolations())
	bot := s.AddUser(bbtest.NewUser("bot"))
	c, err := bbapi.NewClient(s.URL, bbapi.WithAccessToken(bot.AccessToken))
	require.NoError(t, err)
	ana := s.AddUser(bbtest.NewUser("ana"))
	var commits []bbtest.CommitInfo
	for i := range 130 {
		commits = append(commits, bbtest.CommitInfo{Hash: fmt.Sprintf("%040d", i), Message: fmt.Sprintf("ABC-%d change", i+1)})
	}
	s.AddPullRequest("ws", "repo", bbtest.PullRequest{ID: 1, Title: "T", Description: "old", Reviewers: []bbtest.User{ana.Public()}, Commits: commits}, "")

	got, err := c.ListPullRequestCommits(t.Context(), "ws", "repo", 1, 120)
	require.NoError(t, err)
	require.Len(t, got, 120, "stops at the limit")
	assert.Equal(t, "ABC-1 change", got[0].Message)

	pr, _, err := c.GetPullRequest(t.Context(), "ws", "repo", 1)
	require.NoError(t, err)
	require.Len(t, pr.Reviewers, 1)
	out, _, err := c.UpdatePullRequest(t.Context(), "ws", "repo", 1, &bbapi.PullRequestUpdate{Title: pr.Title, Description: "new", Reviewers: []bbapi.AccountRef{{UUID: pr.Reviewers[0].UUID}}})
	require.NoError(t, err)
	assert.Equal(t, "new", out.Description)
	after, _ := s.PullRequest("ws", "repo", 1)
	assert.Equal(t, "new", after.Description)
	assert.Len(t, after.Reviewers, 1, "the reviewers sent back are kept")
	assert.Empty(t, s.Violations())

	_, _, err = c.UpdatePullRequest(t.Context(), "ws", "repo", 1, &bbapi.PullRequestUpdate{Description: "no title"})
	assert.Error(t, err, "the live API needs the title")
	assert.Len(t, s.Violations(), 1)
}
