package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Issue is an issue of a repository's own issue tracker.
type Issue struct {
	ID        int // 0 means the next id of the repository
	Title     string
	Content   string // content.raw
	State     string // "" means "new"
	Kind      string // "" means "bug"
	Reporter  User
	CreatedOn time.Time
}

// CommitInfo is a commit of a pull request, as its commit list serves it.
type CommitInfo struct {
	Hash    string
	Message string
}

const (
	// ScopeReadIssue and ScopeWriteIssue guard the issue tracker.
	ScopeReadIssue  = "read:issue:bitbucket"
	ScopeWriteIssue = "write:issue:bitbucket"
)

// issueState is a repository's tracker; the caller holds s.mu.
type issueState struct {
	issues map[int]*Issue
	next   int
}

func (s *Server) issueRoutes() []*route {
	prOne := repoPath + "/pullrequests/{pull_request_id}"
	return []*route{
		{method: "GET", path: repoPath + "/issues/{issue_id}", scopes: []string{ScopeReadIssue}, handle: s.getIssue},
		{method: "POST", path: repoPath + "/issues", scopes: []string{ScopeReadIssue, ScopeWriteIssue}, check: checkIssueBody, handle: s.createIssue},
		{method: "GET", path: prOne + "/commits", scopes: readPR, handle: s.listPRCommits},
		{method: "PUT", path: prOne, scopes: []string{ScopeReadPullRequest, ScopeWritePullRequest}, check: checkPRUpdate, handle: s.updatePR},
	}
}

// EnableIssues turns on a repository's issue tracker (AddIssue does too);
// without one, every issue request answers 404 as on the live API.
func (s *Server) EnableIssues(ws, slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tracker(s.ensureRepo(ws, slug))
}

// tracker returns a repository's tracker, creating it; the caller holds
// s.mu.
func (s *Server) tracker(rs *repoState) *issueState {
	if s.issues == nil {
		s.issues = map[string]*issueState{}
	}
	t := s.issues[rs.repo.FullName()]
	if t == nil {
		t = &issueState{issues: map[int]*Issue{}}
		s.issues[rs.repo.FullName()] = t
	}
	return t
}

// AddIssue adds an issue to the repository's tracker and returns it with
// its id.
func (s *Server) AddIssue(ws, slug string, i Issue) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tracker(s.ensureRepo(ws, slug))
	if i.ID == 0 {
		i.ID = t.next + 1
	}
	t.next = max(t.next, i.ID)
	if i.Reporter.UUID == "" {
		i.Reporter = NewUser("reporter").Public()
	}
	if i.CreatedOn.IsZero() {
		i.CreatedOn = s.now()
	}
	t.issues[i.ID] = &i
	return i
}

// Issues lists a repository's issues by id.
func (s *Server) Issues(ws, slug string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.issues[ws+"/"+slug]
	if t == nil {
		return nil
	}
	var out []Issue
	for id := 1; id <= t.next; id++ {
		if i := t.issues[id]; i != nil {
			out = append(out, *i)
		}
	}
	return out
}

func renderIssue(base string, rs *repoState, i *Issue) map[string]any {
	state, kind := i.State, i.Kind
	if state == "" {
		state = "new"
	}
	if kind == "" {
		kind = "bug"
	}
	api := fmt.Sprintf("%s/repositories/%s/issues/%d", base, rs.repo.FullName(), i.ID)
	return map[string]any{
		"type": "issue", "id": i.ID, "title": i.Title, "content": render(i.Content),
		"state": state, "kind": kind, "priority": "major", "reporter": renderAccount(base, i.Reporter),
		"created_on": stamp(i.CreatedOn), "updated_on": stamp(i.CreatedOn), "votes": 0,
		"links": map[string]link{"self": {api}, "html": {fmt.Sprintf("%s/%s/issues/%d", webBase, rs.repo.FullName(), i.ID)}},
	}
}

// GET /repositories/{workspace}/{repo_slug}/issues/{issue_id}
func (s *Server) getIssue(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		t := s.issues[rs.repo.FullName()]
		if t == nil {
			return c.notFound("Repository has no issue tracker.")
		}
		id, _ := strconv.Atoi(c.params["issue_id"])
		i := t.issues[id]
		if i == nil {
			return c.notFound("No Issue matches the given query.")
		}
		out := renderIssue(c.base(), rs, i)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// checkIssueBody: a title, no "type" field, no null.
func checkIssueBody(body any) string {
	return checkTitled(body, "an issue", "an issue needs a non-empty title")
}

// checkTitled checks a body that must carry a title: a JSON object (what
// names it), no "type" field, a non-empty title (missing is the answer
// when it has none).
func checkTitled(body any, what, missing string) string {
	m, ok := body.(map[string]any)
	if !ok {
		return what + " body must be a JSON object"
	}
	if p := findKey(m, "type", ""); p != "" {
		return strings.TrimPrefix(strings.TrimPrefix(what, "an "), "a ") + " body has a \"type\" field at " + p + " (omit it)"
	}
	if t, _ := m["title"].(string); strings.TrimSpace(t) == "" {
		return missing
	}
	return ""
}

// POST /repositories/{workspace}/{repo_slug}/issues
func (s *Server) createIssue(c *call) {
	var body struct {
		Title   string `json:"title"`
		Content struct {
			Raw string `json:"raw"`
		} `json:"content"`
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "issue body: "+err.Error())
		return
	}
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		t := s.issues[rs.repo.FullName()]
		if t == nil {
			return c.notFound("Repository has no issue tracker.")
		}
		t.next++
		i := &Issue{ID: t.next, Title: body.Title, Content: body.Content.Raw, Kind: body.Kind, Reporter: c.user.Public(), CreatedOn: s.now()}
		t.issues[i.ID] = i
		out := renderIssue(c.base(), rs, i)
		return func() { writeJSON(c.w, http.StatusCreated, out) }
	})
}

// GET …/pullrequests/{pull_request_id}/commits: the seeded commits, newest
// first, else the source commit alone.
func (s *Server) listPRCommits(c *call) {
	var items []any
	c.do(func() func() {
		_, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		commits := ps.pr.Commits
		if len(commits) == 0 {
			commits = []CommitInfo{{Hash: ps.pr.Source.Commit, Message: "Changes"}}
		}
		for _, cm := range commits {
			items = append(items, map[string]any{"type": "commit", "hash": cm.Hash, "message": cm.Message, "date": stamp(ps.pr.CreatedOn)})
		}
		return func() {}
	})
	if items != nil {
		c.paginate(items)
	}
}

// checkPRUpdate applies the live API's rules to a pull request edit: the
// title is required in every edit (400 "title: This field is required."),
// no "type" field, no null.
func checkPRUpdate(body any) string {
	return checkTitled(body, "a pull request", "title: This field is required.")
}

// PUT …/pullrequests/{pull_request_id}: title, description and reviewers
// (by uuid; a reviewer left out is dropped, the strictest reading of the
// live API). Only an OPEN pull request can be changed.
func (s *Server) updatePR(c *call) {
	var body struct {
		Title       *string `json:"title"`
		Description *string `json:"description"`
		Reviewers   *[]struct {
			UUID string `json:"uuid"`
		} `json:"reviewers"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "pull request body: "+err.Error())
		return
	}
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		if ps.pr.State != "" && ps.pr.State != "OPEN" {
			return c.badRequest("Only open pull requests can be updated.")
		}
		if body.Title != nil {
			ps.pr.Title = *body.Title
		}
		if body.Description != nil {
			ps.pr.Description = *body.Description
		}
		var kept []User
		if body.Reviewers != nil {
			for _, r := range *body.Reviewers {
				for _, u := range ps.pr.Reviewers {
					if u.UUID == r.UUID {
						kept = append(kept, u)
					}
				}
			}
		}
		ps.pr.Reviewers = kept
		ps.pr.UpdatedOn = s.now()
		out := s.renderPR(c.base(), rs, ps)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// SetDescription changes a pull request's description as its author
// would, in the web UI.
func (s *Server) SetDescription(ws, slug string, id int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rs := s.repo(ws, slug); rs != nil && rs.prs[id] != nil {
		rs.prs[id].pr.Description = description
	}
}
