package jira_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/jira"
	"github.com/bitreview/bitreview/jira/jiratest"
	"github.com/bitreview/bitreview/review"
)

const (
	email = "bot@acme.test"
	token = "jira-token-canary-0000"
)

func newSite(t *testing.T) (*jiratest.Server, *jira.Client) {
	t.Helper()
	s := jiratest.New(t)
	s.AddUser(email, token)
	c, err := jira.NewClient(s.URL, email, token, jira.WithTimeout(2*time.Second))
	require.NoError(t, err)
	return s, c
}

func TestGetIssue(t *testing.T) {
	t.Parallel()
	s, c := newSite(t)
	s.AddIssue(jiratest.Issue{Key: "ABC-12", Summary: "Log in", Status: "In Progress", Type: "Story", Description: jiratest.ADF("Users log in.\nAcceptance criteria:")})
	i, err := c.GetIssue(t.Context(), "ABC-12")
	require.NoError(t, err)
	assert.Equal(t, "ABC-12", i.Key)
	assert.Equal(t, "Log in", i.Fields.Summary)
	assert.Equal(t, "In Progress", i.Fields.Status.Name)
	assert.Equal(t, "Story", i.Fields.IssueType.Name)
	assert.Equal(t, "Users log in.\n\nAcceptance criteria:", jira.Text(i.Fields.Description))
	require.Len(t, s.Requests(), 1)
	assert.Equal(t, email, s.Requests()[0].User, "Basic auth with the configured account")
	assert.Equal(t, s.URL+"/browse/ABC-12", c.BrowseURL("ABC-12"))
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s, c := newSite(t)
	_, err := c.GetIssue(t.Context(), "ABC-404")
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, jira.StatusOf(err))
	assert.Equal(t, "jira: GET /rest/api/3/issue/ABC-404: HTTP 404 Not Found", err.Error())

	bad, err := jira.NewClient(s.URL, email, "wrong-token")
	require.NoError(t, err)
	_, err = bad.GetIssue(t.Context(), "ABC-1")
	assert.Equal(t, http.StatusUnauthorized, jira.StatusOf(err))
	assert.NotContains(t, err.Error(), "wrong-token")

	s.SetFault(jiratest.Fault{Delay: 5 * time.Second})
	fast, err := jira.NewClient(s.URL, email, token, jira.WithTimeout(100*time.Millisecond))
	require.NoError(t, err)
	_, err = fast.GetIssue(t.Context(), "ABC-1")
	assert.ErrorIs(t, err, jira.ErrTimeout)

	s.Close()
	_, err = c.GetIssue(t.Context(), "ABC-1")
	require.Error(t, err)
	assert.Zero(t, jira.StatusOf(err))
	assert.NotContains(t, err.Error(), token)
}

// The token goes only to the site: a redirect elsewhere is not followed.
func TestNoRedirects(t *testing.T) {
	t.Parallel()
	other := jiratest.New(t)
	site := http.NewServeMux()
	site.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	})
	srv := newHTTPServer(t, site)
	c, err := jira.NewClient(srv, email, token)
	require.NoError(t, err)
	_, err = c.GetIssue(t.Context(), "ABC-1")
	assert.Equal(t, http.StatusFound, jira.StatusOf(err))
	assert.Empty(t, other.Requests())
}

func TestNewClientRefuses(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "acme.atlassian.net", "ftp://x", "https://u:p@acme.atlassian.net", "https://acme.atlassian.net?x=1"} {
		_, err := jira.NewClient(u, email, token)
		assert.Error(t, err, u)
		if err != nil {
			assert.NotContains(t, err.Error(), "u:p")
		}
	}
	_, err := jira.NewClient("https://acme.atlassian.net", "", token)
	assert.Error(t, err)
}

func TestCreateIssue(t *testing.T) {
	t.Parallel()
	s, c := newSite(t)
	got, err := c.CreateIssue(t.Context(), jira.NewIssue{Project: "OPS", Type: "Task", Summary: "Fix the injection",
		Description: jira.Doc(jira.Paragraph{Text: "in app/server.go:11"}, jira.Paragraph{Text: "comment", URL: "https://bitbucket.org/acme/shop/pull-requests/7#comment-3"})})
	require.NoError(t, err)
	assert.Equal(t, "OPS-901", got.Key)
	created := s.Created()
	require.Len(t, created, 1)
	assert.Equal(t, "Fix the injection", created[0].Summary)
	assert.Contains(t, string(created[0].Description), "#comment-3")

	_, err = c.CreateIssue(t.Context(), jira.NewIssue{Project: "NOPE", Type: "Task", Summary: "x", Description: jira.Doc()})
	assert.Equal(t, http.StatusBadRequest, jira.StatusOf(err))
	_, err = c.CreateIssue(t.Context(), jira.NewIssue{Project: "OPS", Type: "Task", Summary: "two\nlines", Description: jira.Doc()})
	assert.Equal(t, http.StatusBadRequest, jira.StatusOf(err), "the fake refuses what Jira refuses")
	assert.Len(t, s.Created(), 1)
	assert.True(t, strings.HasPrefix(s.Requests()[0].Path, "/rest/api/3/issue"))
}

func TestTracker(t *testing.T) {
	t.Parallel()
	s, c := newSite(t)
	s.AddIssue(jiratest.Issue{Key: "ABC-1", Summary: "Login", Description: jiratest.ADF("Do it.")})
	tr := jira.NewTracker(c)
	i, err := tr.Issue(t.Context(), "ABC-1")
	require.NoError(t, err)
	assert.Equal(t, review.TrackerIssue{Key: "ABC-1", Title: "Login", Status: "To Do", Type: "Story", Text: "Do it.", URL: s.URL + "/browse/ABC-1"}, *i)

	_, err = tr.Issue(t.Context(), "ABC-9")
	assert.ErrorIs(t, err, review.ErrIssueNotFound)
	s.SetFault(jiratest.Fault{Status: http.StatusForbidden})
	_, err = tr.Issue(t.Context(), "ABC-1")
	var te *review.TrackerError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, http.StatusForbidden, te.Status)
	s.SetFault(jiratest.Fault{})

	got, err := tr.CreateIssue(t.Context(), review.NewTrackerIssue{Project: "OPS", Title: "Fix it", Body: "Critical finding.\n\nWhere: `a.go` line 3\n\nReview comment: https://bitbucket.org/x#comment-1", Link: "https://bitbucket.org/x#comment-1"})
	require.NoError(t, err)
	assert.Equal(t, "OPS-901", got.Key)
	created := s.Created()
	require.Len(t, created, 1)
	assert.Equal(t, "Task", created[0].Type)
	assert.Equal(t, "Critical finding.\n\nWhere: `a.go` line 3\n\nReview comment", jira.Text(created[0].Description))
	assert.Contains(t, string(created[0].Description), `"href":"https://bitbucket.org/x#comment-1"`)
}
