package bbtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bitreview/bitreview/diffparse"
)

// Repository is a repository the fake serves.
type Repository struct {
	Workspace  string
	Slug       string
	Name       string // "" means Slug
	UUID       string // "" means derived from the full name
	MainBranch string // "" means "main"
}

// FullName is "workspace/slug".
func (r Repository) FullName() string { return r.Workspace + "/" + r.Slug }

// Endpoint is a pull request's source or destination.
type Endpoint struct {
	Branch string
	// Commit is the hash; the API serves its first 12 characters, as the
	// live API does. Requests may use the short or the full form.
	Commit string
	// Repository is the full name ("workspace/slug"); "" means the pull
	// request's own repository.
	Repository string
}

// PullRequest is a pull request as seeded and as the API serves it.
type PullRequest struct {
	ID          int // 0 means the next free id of the repository
	Title       string
	Description string // also served as summary.raw
	State       string // "" means OPEN
	Draft       bool
	Author      User // "" UUID means a default "pr-author" account
	Source      Endpoint
	Destination Endpoint
	CreatedOn   time.Time
	UpdatedOn   time.Time
	// Reviewers are the pull request's reviewers; an edit that leaves one
	// out drops it.
	Reviewers []User
	// Commits are served by the commit list, newest first; none serves
	// the source commit alone.
	Commits []CommitInfo
}

// Inline anchors a comment to a file, and optionally to lines: To and
// StartTo on the new side, From and StartFrom on the old side. 0 means
// absent.
type Inline struct {
	Path      string
	From      int
	To        int
	StartFrom int
	StartTo   int
}

// Resolution records who resolved a comment thread and when.
type Resolution struct {
	User      User
	CreatedOn time.Time
}

// Comment is a pull request comment.
type Comment struct {
	ID            int // 0 means the next id of the server-wide counter (from 100001)
	PullRequestID int
	Raw           string // content.raw
	Inline        *Inline
	ParentID      int
	User          User
	CreatedOn     time.Time
	UpdatedOn     time.Time
	Deleted       bool
	Pending       bool
	Resolution    *Resolution
}

func (c *Comment) clone() Comment {
	out := *c
	if c.Inline != nil {
		in := *c.Inline
		out.Inline = &in
	}
	if c.Resolution != nil {
		r := *c.Resolution
		out.Resolution = &r
	}
	return out
}

type repoState struct {
	repo    Repository
	prs     map[int]*prState
	nextPR  int
	commits []string
	files   map[string]map[string]string // commit → path → content
	attrs   map[string]string            // commit + ":" + path → "link" (a symlink) or "subrepository" (a submodule)
	reports map[string][]*reportState    // canonical commit → reports, oldest first
}

type prState struct {
	pr       PullRequest
	diff     string
	parsed   *diffparse.Diff
	parseErr error
	comments []*Comment
	byID     map[int]*Comment
	// history maps each source commit the pull request had to its diff
	// then, so /diff/{spec} keeps serving earlier pushes.
	history map[string]string
}

func (p *prState) setDiff(diff string) {
	p.diff = diff
	p.parsed, p.parseErr = diffparse.Parse([]byte(diff))
	if p.history == nil {
		p.history = make(map[string]string)
	}
	p.history[p.pr.Source.Commit] = diff
}

func fakeHash(parts ...any) string {
	sum := sha1.Sum([]byte(fmt.Sprint(parts...)))
	return hex.EncodeToString(sum[:])
}

// short is the 12-character form the live API puts in pull requests.
func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return s != ""
}

// repo returns the repository state; the caller holds s.mu.
func (s *Server) repo(ws, slug string) *repoState {
	return s.repos[ws+"/"+slug]
}

// ensureRepo returns the repository, creating it with defaults; the caller
// holds s.mu.
func (s *Server) ensureRepo(ws, slug string) *repoState {
	if rs := s.repo(ws, slug); rs != nil {
		return rs
	}
	return s.addRepoLocked(Repository{Workspace: ws, Slug: slug})
}

func (s *Server) addRepoLocked(r Repository) *repoState {
	if r.Workspace == "" || r.Slug == "" {
		panic("bbtest: a repository needs a workspace and a slug")
	}
	if r.Name == "" {
		r.Name = r.Slug
	}
	if r.MainBranch == "" {
		r.MainBranch = "main"
	}
	if r.UUID == "" {
		h := fakeHash("repo", r.FullName())
		r.UUID = fmt.Sprintf("{%s-%s-4%s-8%s-%s}", h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])
	}
	rs := s.repos[r.FullName()]
	if rs == nil {
		rs = &repoState{
			prs:     make(map[int]*prState),
			nextPR:  1,
			files:   make(map[string]map[string]string),
			attrs:   make(map[string]string),
			reports: make(map[string][]*reportState),
		}
		s.repos[r.FullName()] = rs
	}
	rs.repo = r
	return rs
}

// AddRepository registers a repository (replacing the settings of an
// existing one) and returns it with defaults filled in. Repositories are
// also created on demand by the other seeding methods.
func (s *Server) AddRepository(r Repository) Repository {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addRepoLocked(r).repo
}

// addCommit records a known commit; the caller holds s.mu.
func (rs *repoState) addCommit(hash string) {
	if hash != "" && !slices.Contains(rs.commits, hash) {
		rs.commits = append(rs.commits, hash)
	}
}

// resolveCommit maps a commit as a request names it to the known commit:
// an exact match, or a unique hash of which one is a prefix of the other
// (at least 7 characters), so short and full hashes both work.
func (rs *repoState) resolveCommit(c string) (string, bool) {
	if slices.Contains(rs.commits, c) {
		return c, true
	}
	if len(c) < 7 || !isHex(c) {
		return "", false
	}
	found := ""
	for _, k := range rs.commits {
		if len(k) >= 7 && (strings.HasPrefix(k, c) || strings.HasPrefix(c, k)) {
			if found != "" && found != k {
				return "", false
			}
			found = k
		}
	}
	return found, found != ""
}

// AddCommit makes a commit known to the repository (reports and /src need
// known commits; pull requests and AddFile register theirs).
func (s *Server) AddCommit(ws, slug, hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureRepo(ws, slug).addCommit(hash)
}

// AddPullRequest seeds a pull request with its diff (the unified diff
// /diff/{spec} serves and inline anchors are checked against) and returns
// it with defaults filled in: the next id, state OPEN, deterministic 40-hex
// commits, branches "feature" and the main branch. It panics on a duplicate
// id, like any broken fixture. A diff that does not parse is served as is;
// inline comments on it are then rejected.
func (s *Server) AddPullRequest(ws, slug string, pr PullRequest, diff string) PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.ensureRepo(ws, slug)
	if pr.ID == 0 {
		pr.ID = rs.nextPR
	}
	if _, dup := rs.prs[pr.ID]; dup {
		panic(fmt.Sprintf("bbtest: pull request %s#%d already exists", rs.repo.FullName(), pr.ID))
	}
	if pr.ID >= rs.nextPR {
		rs.nextPR = pr.ID + 1
	}
	if pr.State == "" {
		pr.State = "OPEN"
	}
	if pr.Title == "" {
		pr.Title = fmt.Sprintf("Pull request %d", pr.ID)
	}
	if pr.Author.UUID == "" {
		pr.Author = NewUser("pr-author")
	}
	pr.Author = pr.Author.Public()
	full := rs.repo.FullName()
	if pr.Source.Branch == "" {
		pr.Source.Branch = "feature"
	}
	if pr.Destination.Branch == "" {
		pr.Destination.Branch = rs.repo.MainBranch
	}
	if pr.Source.Commit == "" {
		pr.Source.Commit = fakeHash("source", full, pr.ID)
	}
	if pr.Destination.Commit == "" {
		pr.Destination.Commit = fakeHash("destination", full, pr.ID)
	}
	if pr.Source.Repository == "" {
		pr.Source.Repository = full
	}
	if pr.Destination.Repository == "" {
		pr.Destination.Repository = full
	}
	if pr.CreatedOn.IsZero() {
		pr.CreatedOn = s.now()
	}
	if pr.UpdatedOn.IsZero() {
		pr.UpdatedOn = pr.CreatedOn
	}
	rs.addCommit(pr.Source.Commit)
	rs.addCommit(pr.Destination.Commit)
	ps := &prState{pr: pr, byID: make(map[int]*Comment)}
	ps.setDiff(diff)
	rs.prs[pr.ID] = ps
	return pr
}

// SetPullRequestDiff simulates a push: the pull request gets a new diff
// and, when sourceCommit is not "", a new source commit. Existing comments
// stay as they are.
func (s *Server) SetPullRequestDiff(ws, slug string, id int, sourceCommit, diff string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.mustPR(ws, slug, id)
	if sourceCommit != "" {
		ps.pr.Source.Commit = sourceCommit
		s.repo(ws, slug).addCommit(sourceCommit)
	}
	ps.pr.UpdatedOn = s.now()
	ps.setDiff(diff)
}

// PullRequest returns the pull request as stored.
func (s *Server) PullRequest(ws, slug string, id int) (PullRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rs := s.repo(ws, slug); rs != nil {
		if ps := rs.prs[id]; ps != nil {
			return ps.pr, true
		}
	}
	return PullRequest{}, false
}

// mustPR finds a pull request for a seeding method; the caller holds s.mu.
func (s *Server) mustPR(ws, slug string, id int) *prState {
	if rs := s.repo(ws, slug); rs != nil {
		if ps := rs.prs[id]; ps != nil {
			return ps
		}
	}
	panic(fmt.Sprintf("bbtest: no pull request %s/%s#%d; seed it with AddPullRequest", ws, slug, id))
}

// AddComment seeds a comment (a human's, or an earlier run's) and returns it
// with its id and times filled in. A comment without a user is written by
// a default "reviewer" account.
func (s *Server) AddComment(ws, slug string, prID int, c Comment) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.mustPR(ws, slug, prID)
	if c.User.UUID == "" {
		c.User = NewUser("reviewer")
	}
	c.User = c.User.Public()
	if c.ID == 0 {
		s.nextComment++
		c.ID = s.nextComment
	} else if c.ID > s.nextComment {
		s.nextComment = c.ID
	}
	if _, dup := ps.byID[c.ID]; dup {
		panic(fmt.Sprintf("bbtest: comment %d already exists", c.ID))
	}
	if c.CreatedOn.IsZero() {
		c.CreatedOn = s.now()
	}
	if c.UpdatedOn.IsZero() {
		c.UpdatedOn = c.CreatedOn
	}
	c.PullRequestID = prID
	stored := c.clone()
	ps.comments = append(ps.comments, &stored)
	ps.byID[c.ID] = &stored
	return stored.clone()
}

// Comments returns every comment of a pull request, deleted ones included,
// in creation order.
func (s *Server) Comments(ws, slug string, prID int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.repo(ws, slug)
	if rs == nil || rs.prs[prID] == nil {
		return nil
	}
	out := make([]Comment, 0, len(rs.prs[prID].comments))
	for _, c := range rs.prs[prID].comments {
		out = append(out, c.clone())
	}
	return out
}
