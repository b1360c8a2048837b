// Package ghtest is a fake GitHub REST API for tests: one repository, one
// pull request, the endpoints bitreview uses, and the constraints the real
// API enforces that matter to a reviewer: a token on every request, review
// comments only on lines inside the diff's hunks (422 otherwise, and a
// review with one bad comment is refused whole), Link-header pagination,
// the diff media type with its 406 "too_large" refusal, at most 50
// check-run annotations per request, and faults on demand (Fault): 403 and
// 429 rate limits with or without Retry-After and X-RateLimit-Reset, on
// every Nth request.
package ghtest

import (
	"encoding/json"
	"github.com/bitreview/bitreview/internal/faultplan"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bitreview/bitreview/diffparse"
)

// ActionsBot is the login GitHub gives comments written with the workflow's
// GITHUB_TOKEN.
const ActionsBot = "github-actions[bot]"

// PullRequest is the fake's pull request.
type PullRequest struct {
	Number           int
	Title, Body      string
	Author           string
	HeadRef, BaseRef string
	HeadSHA, BaseSHA string
	Draft            bool
	Diff             string
}

// Comment is a pull-request review comment or an issue comment.
type Comment struct {
	ID        int64  `json:"id"`
	Body      string `json:"body"`
	User      User   `json:"user"`
	Path      string `json:"path,omitempty"`
	Line      int    `json:"line,omitempty"`
	Side      string `json:"side,omitempty"`
	StartLine int    `json:"start_line,omitempty"`
	StartSide string `json:"start_side,omitempty"`
	CommitID  string `json:"commit_id,omitempty"`
	InReplyTo int64  `json:"in_reply_to_id,omitempty"`
	// DiffHunk is GitHub's diff_hunk of a review comment: the hunk's
	// header and its lines up to the commented one.
	DiffHunk string `json:"diff_hunk,omitempty"`
}

// User is a comment's author.
type User struct {
	Login string `json:"login"`
	Type  string `json:"type,omitempty"`
}

// CheckRun is a stored check run.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Annotations []map[string]any
	Requests    int
}

// Server is the fake. Its fields are guarded by mu; use the methods.
type Server struct {
	*httptest.Server
	Owner, Repo string

	mu         sync.Mutex
	tokens     map[string]tokenInfo
	pr         PullRequest
	diff       *diffparse.Diff
	reviewCs   []*Comment
	issueCs    []*Comment
	reviews    int
	checks     []*CheckRun
	files      map[string]string // ref + ":" + path → content
	links      map[string]string // ref + ":" + path → symlink target
	submodules map[string]bool   // ref + ":" + path
	compares   map[string]string // base...head → diff
	nextID     int64
	faults     faultplan.Plan[Fault]
	faulted    int
	requests   []string
	maxFiles   int
	maxPer     int
	diffCalls  int
}

type tokenInfo struct {
	login       string
	integration bool // GITHUB_TOKEN: GET /user is refused
}

// New starts a fake for owner/repo, closed when the test ends.
func New(t testing.TB, owner, repo string) *Server {
	s := &Server{
		Owner: owner, Repo: repo, tokens: map[string]tokenInfo{},
		files: map[string]string{}, links: map[string]string{}, submodules: map[string]bool{}, compares: map[string]string{},
		nextID: 1000, maxFiles: 300, maxPer: 100,
	}
	s.Server = httptest.NewServer(s.routes())
	t.Cleanup(s.Close)
	return s
}

// AddToken accepts token for login. integration marks a GITHUB_TOKEN-like
// installation token, for which GET /user answers 403 and whose comments
// are written by ActionsBot.
func (s *Server) AddToken(token, login string, integration bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if integration {
		login = ActionsBot
	}
	s.tokens[token] = tokenInfo{login: login, integration: integration}
}

// SetPullRequest stores the pull request and its diff.
func (s *Server) SetPullRequest(pr PullRequest) error {
	d, err := diffparse.Parse([]byte(pr.Diff))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pr, s.diff = pr, d
	return nil
}

// SetFile stores a file at ref (a SHA or branch) for the contents endpoint.
func (s *Server) SetFile(ref, path, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[ref+":"+path] = content
}

// SetSymlink stores a symlink at ref whose target text is target. As on
// GitHub, the contents endpoint answers a link to a file of the repository
// with that file, and any other link as type "symlink".
func (s *Server) SetSymlink(ref, path, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.links[ref+":"+path] = target
}

// SetSubmodule stores a submodule (gitlink) at ref.
func (s *Server) SetSubmodule(ref, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.submodules[ref+":"+path] = true
}

// SetCompare stores the diff of base...head for the compare endpoint; the
// comparison is "ahead" (base is an ancestor of head).
func (s *Server) SetCompare(base, head, diff string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.compares[base+"..."+head] = diff
}

// SetDiffLimit makes the diff media type refuse pull requests with more
// than n files (GitHub: 300).
func (s *Server) SetDiffLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxFiles = n
}

// AddIssueComment stores an issue comment written by login.
func (s *Server) AddIssueComment(login, body string) *Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.id(), Body: body, User: userOf(login)}
	s.issueCs = append(s.issueCs, c)
	return c
}

// AddReply stores a reply by login to review comment parent and returns
// its id (0 when there is no such comment).
func (s *Server) AddReply(login string, parent int64, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.reviewCs {
		if p.ID == parent {
			c := *p
			c.ID, c.Body, c.User, c.InReplyTo = s.id(), body, userOf(login), parent
			s.reviewCs = append(s.reviewCs, &c)
			return c.ID
		}
	}
	return 0
}

// ReviewComments returns copies of the stored review comments.
func (s *Server) ReviewComments() []Comment { return s.copyOf(&s.reviewCs) }

// IssueComments returns copies of the stored issue comments.
func (s *Server) IssueComments() []Comment { return s.copyOf(&s.issueCs) }

func (s *Server) copyOf(list *[]*Comment) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, 0, len(*list))
	for _, c := range *list {
		out = append(out, *c)
	}
	return out
}

// Reviews counts pull-request reviews created.
func (s *Server) Reviews() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reviews
}

// CheckRuns returns copies of the stored check runs.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, c := range s.checks {
		out = append(out, *c)
	}
	return out
}

// Requests lists "METHOD path" of every authorised request, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) id() int64 { s.nextID++; return s.nextID }

// gate checks auth and injected faults; it returns the caller's login, or
// "" after writing the refusal.
func (s *Server) gate(w http.ResponseWriter, r *http.Request) (tokenInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	info, known := s.tokens[tok]
	if !ok || !known {
		writeError(w, http.StatusUnauthorized, "Bad credentials", nil)
		return tokenInfo{}, false
	}
	if !strings.HasPrefix(r.URL.Path, "/repos/"+s.Owner+"/"+s.Repo+"/") && r.URL.Path != "/user" {
		writeError(w, http.StatusNotFound, "Not Found", nil)
		return tokenInfo{}, false
	}
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	if f := s.takeFault(r); f != nil && applyFault(w, f) {
		return tokenInfo{}, false
	}
	return info, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string, errs []map[string]string) {
	body := map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, status, body)
}
