package workflow

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/review"
)

// fakeJira records what is created; err fails every call.
type fakeJira struct {
	created []review.NewTrackerIssue
	err     error
}

func (j *fakeJira) Issue(context.Context, string) (*review.TrackerIssue, error) {
	return nil, review.ErrIssueNotFound
}

func (j *fakeJira) CreateIssue(_ context.Context, in review.NewTrackerIssue) (*review.TrackerIssue, error) {
	if j.err != nil {
		return nil, j.err
	}
	j.created = append(j.created, in)
	return &review.TrackerIssue{Key: in.Project + "-1", URL: "https://acme.atlassian.net/browse/" + in.Project + "-1"}, nil
}

// replyToFinding is comment 5, "@bitreview create issue", in the thread of
// bitreview's inline comment 4 on app/users.go line 3.
func replyToFinding(f *fixture) {
	finding := review.Finding{Path: "app/users.go", Line: 3, Severity: review.High, Title: "SQL injection", Body: "Use a placeholder.", Fingerprint: "0123456789abcdef"}
	f.p.messages[5] = &review.Message{ID: 5, Author: "alice", Body: "@bitreview create issue",
		Inline: &review.Anchor{Path: "app/users.go", Line: 3},
		Root:   &review.RootComment{ID: 4, Body: review.RenderComment(finding), Bot: true, URL: "https://bitbucket.org/acme/shop/pull-requests/7/_/diff#comment-4"}}
}

func TestCreateIssue(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     []string
		title   string // of the pull request
		jira    *fakeJira
		created int
		reply   string
	}{
		{"in JIRA_PROJECT", []string{"JIRA_PROJECT=OPS"}, "Add users", &fakeJira{}, 1, "Created issue [OPS-1](https://acme.atlassian.net/browse/OPS-1)"},
		{"in the linked key's project", nil, "WEB-7: add users", &fakeJira{}, 1, "Created issue [WEB-1]("},
		{"no project to file in", nil, "Add users", &fakeJira{}, 0, "set `JIRA_PROJECT`"},
		{"Jira refuses", []string{"JIRA_PROJECT=OPS"}, "x", &fakeJira{err: &review.TrackerError{Status: http.StatusForbidden, Err: assert.AnError}}, 0, "No issue created in Jira (Jira denied access (HTTP 403)"},
		{"dry run", []string{"JIRA_PROJECT=OPS", "DRY_RUN=true"}, "x", &fakeJira{}, 0, "Created issue [DRY-RUN]"},
		{"no tracker at all", nil, "x", nil, 0, "configure Jira"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.env...)
			f.p.meta.Title = tc.title
			replyToFinding(f)
			if tc.jira != nil {
				f.deps.Jira = tc.jira
			}
			for range 2 { // a redelivery acts on nothing twice
				out := Answer(t.Context(), f.p, f.s, f.deps, 5, command.CreateIssue)
				require.NoError(t, out.Err, f.log.String())
			}
			if tc.jira != nil {
				require.Len(t, tc.jira.created, tc.created)
				if tc.created == 1 {
					in := tc.jira.created[0]
					assert.Equal(t, "SQL injection", in.Title)
					assert.Contains(t, in.Body, "Where: `app/users.go` line 3")
					assert.Equal(t, "https://bitbucket.org/acme/shop/pull-requests/7/_/diff#comment-4", in.Link)
				}
			}
			require.Len(t, f.p.replies, 1, "one reply")
			assert.Contains(t, f.p.replies[0], tc.reply)
			assert.True(t, f.p.state.HasHandled(5), "recorded before anything is filed")
			assert.Zero(t, f.model.calls, "no model call")
		})
	}
}

func TestCreateIssueOutsideAFindingThread(t *testing.T) {
	f := newFixture(t, "JIRA_PROJECT=OPS")
	j := &fakeJira{}
	f.deps.Jira = j
	f.p.messages[5] = &review.Message{ID: 5, Author: "alice", Body: "@bitreview create issue",
		Root: &review.RootComment{ID: 4, Body: "a question of bob's", Bot: false}}
	require.NoError(t, Answer(t.Context(), f.p, f.s, f.deps, 5, command.CreateIssue).Err)
	assert.Empty(t, j.created)
	require.Len(t, f.p.replies, 1)
	assert.True(t, strings.Contains(f.p.replies[0], "works in a reply to one of bitreview's inline comments"))
}
