package bbtest

import (
	"net/http"
	"strings"
)

// pubState is the fake's state for what publishing needs beyond comments
// and reports: commit graphs, seeded diffs and tasks. Its maps are created
// on first use; every access holds s.mu.
type pubState struct {
	graphs map[string]*commitGraph // "ws/slug"
	tasks  map[string][]*Task      // "ws/slug#id"
}

// commitGraph is a repository's commit history as far as a test seeds it:
// each commit's parents, and diffs between two arbitrary commits.
type commitGraph struct {
	parents map[string][]string // full hash → parents' full hashes
	diffs   map[string]string   // "src..dst" (full hashes) → unified diff
}

// graph returns a repository's commit graph; the caller holds s.mu.
func (s *Server) graph(rs *repoState) *commitGraph {
	if s.pub.graphs == nil {
		s.pub.graphs = make(map[string]*commitGraph)
	}
	g := s.pub.graphs[rs.repo.FullName()]
	if g == nil {
		g = &commitGraph{parents: make(map[string][]string), diffs: make(map[string]string)}
		s.pub.graphs[rs.repo.FullName()] = g
	}
	return g
}

// seededDiff returns the diff SetDiff seeded for src..dst; the caller holds
// s.mu.
func (s *Server) seededDiff(rs *repoState, src, dst string) (string, bool) {
	d, ok := s.graph(rs).diffs[src+".."+dst]
	return d, ok
}

func (s *Server) commitRoutes() []*route {
	return []*route{
		{method: "GET", path: repoPath + "/merge-base/{revspec}", scopes: readRepo, handle: s.getMergeBase},
	}
}

// AddCommitWithParents makes a commit known with its parents (which become
// known too), for merge-base. A commit added without parents is a root.
func (s *Server) AddCommitWithParents(ws, slug, hash string, parents ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.ensureRepo(ws, slug)
	rs.addCommit(hash)
	for _, p := range parents {
		rs.addCommit(p)
	}
	s.graph(rs).parents[hash] = append([]string(nil), parents...)
}

// SetDiff seeds the diff GET /diff/{src}..{dst} serves (src being the
// commit with the changes, dst the base, as on the live API). Both commits
// become known.
func (s *Server) SetDiff(ws, slug, src, dst, diff string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.ensureRepo(ws, slug)
	rs.addCommit(src)
	rs.addCommit(dst)
	s.graph(rs).diffs[src+".."+dst] = diff
}

// ancestors lists c and its ancestors, nearest first (breadth first); the
// caller holds s.mu.
func (g *commitGraph) ancestors(c string) []string {
	seen := map[string]bool{c: true}
	out := []string{c}
	for i := 0; i < len(out); i++ {
		for _, p := range g.parents[out[i]] {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// mergeBase returns the first ancestor of b (breadth first) that is also an
// ancestor of a: the best common ancestor for the simple histories tests
// seed. The live API returns one of several when there are more.
func (g *commitGraph) mergeBase(a, b string) (string, bool) {
	inA := make(map[string]bool)
	for _, c := range g.ancestors(a) {
		inA[c] = true
	}
	for _, c := range g.ancestors(b) {
		if inA[c] {
			return c, true
		}
	}
	return "", false
}

type commitJSON struct {
	Type    string          `json:"type"`
	Hash    string          `json:"hash"`
	Parents []commitJSON    `json:"parents,omitempty"`
	Links   map[string]link `json:"links,omitempty"`
}

// GET /repositories/{workspace}/{repo_slug}/merge-base/{revspec}: revspec
// is "a..b"; 404 when a commit is unknown or they share no ancestor.
func (s *Server) getMergeBase(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		a, b, ok := strings.Cut(c.params["revspec"], "..")
		if !ok || a == "" || b == "" {
			return c.badRequest("revspec must be two commits in double-dot notation (a..b)")
		}
		fa, okA := rs.resolveCommit(a)
		fb, okB := rs.resolveCommit(b)
		if !okA || !okB {
			return c.notFound("Commit not found")
		}
		g := s.graph(rs)
		mb, found := g.mergeBase(fa, fb)
		if !found {
			return c.notFound("No common ancestor")
		}
		out := commitJSON{Type: "commit", Hash: mb, Links: map[string]link{
			"self": {c.base() + "/repositories/" + rs.repo.FullName() + "/commit/" + mb},
		}}
		for _, p := range g.parents[mb] {
			out.Parents = append(out.Parents, commitJSON{Type: "commit", Hash: p})
		}
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}
