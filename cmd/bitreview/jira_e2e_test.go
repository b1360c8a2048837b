package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/jira/jiratest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// Linked issues end to end (issue 21): the built binary against the fake
// Bitbucket, a fake Jira Cloud site that enforces Basic auth and answers
// v3 with ADF, and the stub LLM.

const (
	jiraEmail = "bitreview@acme.test"
	jiraToken = "jira-e2e-token-3f9c1d7a"
)

// loginADF is ABC-12's description: a paragraph, an "Acceptance criteria"
// heading and a bullet list, as Jira Cloud v3 answers it.
const loginADF = `{"type":"doc","version":1,"content":[
 {"type":"paragraph","content":[{"type":"text","text":"Users look each other up by name."}]},
 {"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"Acceptance criteria"}]},
 {"type":"bulletList","content":[
  {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"the name is passed as a query parameter"}]}]},
  {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"the query is never built by concatenation"}]}]}]}]}`

const issuesReply = `{"issues":[
 {"key":"ABC-12","assessment":"partly","reason":"The lookup exists, but the query is concatenated."},
 {"key":"#3","assessment":"addressed","reason":"The handler now queries users."}]}`

// authorDescription has the placeholder between the author's own text,
// with CRLF line ends and trailing spaces to keep.
const authorDescription = "closes #3\r\n\r\nWhy: lookups.\r\n\r\n@bitreview summary\r\n\r\nThanks ✓  "

type linkedFixture struct {
	*fixture
	jira *jiratest.Server
}

// newLinkedFixture is the standard pull request 7, titled and branched
// after ABC-12, describing authorDescription, with Bitbucket issue #3 and
// Jira issue ABC-12.
func newLinkedFixture(t *testing.T) *linkedFixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	d, err := diffparse.Parse(raw)
	require.NoError(t, err)
	f := &fixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t), diff: d}
	f.bot = f.bb.AddUser(bbtest.NewUser("bitreview-bot"))
	f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{
		ID: 7, Title: "ABC-12: look users up by name", Description: authorDescription,
		Source:      bbtest.Endpoint{Branch: "feature/ABC-12-users", Commit: srcSHA},
		Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
		Commits:     []bbtest.CommitInfo{{Hash: srcSHA, Message: "ABC-12 users query"}},
	}, string(raw))
	f.bb.AddIssue(ws, slug, bbtest.Issue{ID: 3, Title: "Query users by name", Content: "Add a users query to the handler.", Kind: "task", State: "open"})
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		switch c.SchemaName {
		case review.WalkthroughSchemaName:
			return llmtest.Reply{JSON: walkReply}
		case review.IssuesSchemaName:
			return llmtest.Reply{JSON: issuesReply}
		}
		return llmtest.Reply{JSON: reviewReply}
	})
	j := jiratest.New(t)
	j.AddUser(jiraEmail, jiraToken)
	j.AddIssue(jiratest.Issue{Key: "ABC-12", Summary: "Look users up by name", Status: "In Progress", Type: "Story", Description: json.RawMessage(loginADF)})
	return &linkedFixture{fixture: f, jira: j}
}

func (f *linkedFixture) jiraEnv(extra ...string) []string {
	return f.env(append([]string{"JIRA_BASE_URL=" + f.jira.URL, "JIRA_EMAIL=" + jiraEmail, "JIRA_API_TOKEN=" + jiraToken}, extra...)...)
}

// issueCalls are the model calls that assessed linked issues.
func (f *linkedFixture) issueCalls() []llmtest.Call {
	var out []llmtest.Call
	for _, c := range f.llm.Calls() {
		if c.SchemaName == review.IssuesSchemaName {
			out = append(out, c)
		}
	}
	return out
}

func (f *linkedFixture) description(t *testing.T) string {
	t.Helper()
	pr, ok := f.bb.PullRequest(ws, slug, 7)
	require.True(t, ok)
	return pr.Description
}

func TestLinkedIssuesEndToEnd(t *testing.T) {
	f := newLinkedFixture(t)
	out, code := execPipe(t, f.jiraEnv("INCREMENTAL=false"))
	t.Log(out)
	require.Equal(t, 0, code)

	// The key in the title, the branch and a commit is fetched once, with
	// the configured account.
	reqs := f.jira.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/rest/api/3/issue/ABC-12", reqs[0].Path)
	assert.Equal(t, jiraEmail, reqs[0].User)
	assert.Equal(t, 1, f.bb.Count("GET", "/issues/3"), "the Bitbucket issue is read")
	assert.Contains(t, out, "Linked issues: 2 issues named, 2 read")

	// Both issues reach the assessment, the Jira one with its acceptance
	// criteria, as untrusted data.
	calls := f.issueCalls()
	require.Len(t, calls, 1)
	p := calls[0].Prompt
	assert.Contains(t, p, `<untrusted kind="issue" key="ABC-12" tracker="Jira" type="Story" status="In Progress">`)
	assert.Contains(t, p, "Title: Look users up by name")
	assert.Contains(t, p, "Acceptance criteria:\n- the name is passed as a query parameter\n- the query is never built by concatenation")
	assert.Contains(t, p, `<untrusted kind="issue" key="#3" tracker="Bitbucket"`)
	assert.Contains(t, p, "Add a users query to the handler.")

	// The summary assesses each.
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	s := summaries[0].Raw
	assert.Contains(t, s, "### Linked issues")
	assert.Contains(t, s, "| `ABC-12` | Look users up by name | 🟡 partly | The lookup exists, but the query is concatenated. |")
	assert.Contains(t, s, "| `#3` | Query users by name | ✅ addressed | The handler now queries users. |")

	// The placeholder is filled; the author's text around it is kept byte
	// for byte.
	desc := f.description(t)
	assert.True(t, strings.HasPrefix(desc, "closes #3\r\n\r\nWhy: lookups.\r\n\r\n"+review.DescriptionStart), desc)
	assert.True(t, strings.HasSuffix(desc, review.DescriptionEnd+"\r\n\r\nThanks ✓  "), desc)
	assert.Contains(t, desc, "Adds a users query and an Add helper", "the walkthrough's overview")
	assert.Contains(t, desc, "| `ABC-12` | Look users up by name | 🟡 partly |")
	assert.NotContains(t, desc, "@bitreview summary")
	assert.Equal(t, 1, f.bb.Count("PUT", "/pullrequests/7"))

	// A second run neither grows the description nor writes it.
	out, code = execPipe(t, f.jiraEnv("INCREMENTAL=false"))
	require.Equal(t, 0, code, out)
	assert.Equal(t, desc, f.description(t))
	assert.Equal(t, 1, f.bb.Count("PUT", "/pullrequests/7"), "nothing changed: no write")
	assert.Len(t, f.issueCalls(), 2, "the second run assesses again")
	assert.NotContains(t, f.issueCalls()[1].Prompt, review.DescriptionStart, "bitreview's own block is not fed back as the author's description")

	// The Jira token is nowhere but in the Authorization header to Jira.
	for where, text := range map[string]string{"step log": out, "summary": s, "description": desc, "prompt": p} {
		assert.NotContains(t, text, jiraToken, where)
	}
}

func TestLinkedIssuesWhenJiraFails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *linkedFixture) []string
		row   string
	}{
		{"401: wrong token", func(f *linkedFixture) []string {
			return f.env("JIRA_BASE_URL="+f.jira.URL, "JIRA_EMAIL="+jiraEmail, "JIRA_API_TOKEN=not-the-token")
		}, "| `ABC-12` | — | — | not read: Jira refused the credentials (HTTP 401); check JIRA_EMAIL and JIRA_API_TOKEN"},
		{"down", func(f *linkedFixture) []string {
			f.jira.Close()
			return f.jiraEnv()
		}, "| `ABC-12` | — | — | not read: Jira could not be reached |"},
		{"not configured", func(f *linkedFixture) []string { return f.env() },
			"| `ABC-12` | — | — | not fetched: Jira is not configured (JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN) |"},
		{"a key that is no issue", func(f *linkedFixture) []string {
			f.jira.RemoveIssue("ABC-12")
			return f.jiraEnv()
		}, "| `ABC-12` | — | — | no such issue (Jira answered 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLinkedFixture(t)
			env := tc.setup(f)
			out, code := execPipe(t, env)
			require.Equal(t, 0, code, out)
			assert.Contains(t, out, "✔ Published:", "the review completes")
			summaries, inline := f.comments()
			require.Len(t, summaries, 1)
			assert.NotEmpty(t, inline)
			assert.Contains(t, summaries[0].Raw, tc.row)
			assert.NotContains(t, out, jiraToken)
		})
	}
}

// replyToFinding runs a review, then has alice reply "@bitreview create
// issue" to bitreview's inline comment on the SQL injection.
func (f *linkedFixture) replyToFinding(t *testing.T, env []string) (root, reply bbtest.Comment) {
	t.Helper()
	out, code := execPipe(t, env)
	require.Equal(t, 0, code, out)
	_, inline := f.comments()
	for _, c := range inline {
		if strings.Contains(c.Raw, "SQL injection") {
			root = c
		}
	}
	require.NotZero(t, root.ID, "the review posted the finding")
	reply = f.bb.AddComment(ws, slug, 7, bbtest.Comment{User: bbtest.NewUser("alice"), Raw: "@bitreview create issue", ParentID: root.ID})
	return root, reply
}

func TestCreateIssueInJira(t *testing.T) {
	f := newLinkedFixture(t)
	root, c := f.replyToFinding(t, f.jiraEnv())
	env := f.chatEnv(c.ID, "create issue", "JIRA_BASE_URL="+f.jira.URL, "JIRA_EMAIL="+jiraEmail, "JIRA_API_TOKEN="+jiraToken)
	for range 2 { // the second run is a redelivery of the same trigger
		out, code := execPipe(t, env)
		require.Equal(t, 0, code, out)
		assert.NotContains(t, out, jiraToken)
	}
	created := f.jira.Created()
	require.Len(t, created, 1, "exactly one issue across a redelivery")
	assert.Equal(t, "ABC", created[0].Project, "the project of the linked key (no JIRA_PROJECT)")
	assert.Equal(t, "SQL injection through the name parameter", created[0].Summary)
	assert.Equal(t, jiraEmail, created[0].User)
	var doc struct{ Type string }
	require.NoError(t, json.Unmarshal(created[0].Description, &doc))
	assert.Equal(t, "doc", doc.Type, "the description is ADF")
	body := string(created[0].Description)
	assert.Contains(t, body, "Use a placeholder.")
	assert.Contains(t, body, "`app/server.go` line 11")
	assert.Contains(t, body, "#comment-"+itoa(root.ID), "a link to the review comment")

	rs := f.replies(c.ID)
	require.Len(t, rs, 1, "one reply across a redelivery")
	assert.Contains(t, rs[0].Raw, "Created issue [ABC-901]("+f.jira.URL+"/browse/ABC-901)")
	assert.NotContains(t, rs[0].Raw, jiraToken)
}

func TestCreateIssueInBitbucket(t *testing.T) {
	f := newLinkedFixture(t)
	root, c := f.replyToFinding(t, f.env())
	for range 2 {
		out, code := execPipe(t, f.chatEnv(c.ID, "create issue"))
		require.Equal(t, 0, code, out)
	}
	issues := f.bb.Issues(ws, slug)
	require.Len(t, issues, 2, "issue #3 and exactly one new one")
	got := issues[1]
	assert.Equal(t, "SQL injection through the name parameter", got.Title)
	assert.Contains(t, got.Content, "Where: `app/server.go` line 11")
	assert.Contains(t, got.Content, "[Review comment](https://bitbucket.org/"+ws+"/"+slug+"/pull-requests/7/_/diff#comment-"+itoa(root.ID)+")")
	rs := f.replies(c.ID)
	require.Len(t, rs, 1)
	assert.Contains(t, rs[0].Raw, "Created issue [#4](https://bitbucket.org/"+ws+"/"+slug+"/issues/4)")

	// Outside a reply to a finding there is nothing to file.
	other := f.bb.AddComment(ws, slug, 7, bbtest.Comment{User: bbtest.NewUser("alice"), Raw: "@bitreview create issue"})
	out, code := execPipe(t, f.chatEnv(other.ID, "create issue"))
	require.Equal(t, 0, code, out)
	assert.Len(t, f.bb.Issues(ws, slug), 2)
	require.Len(t, f.replies(other.ID), 1)
	assert.Contains(t, f.replies(other.ID)[0].Raw, "works in a reply to one of bitreview's inline comments")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
