package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/bitreview/bitreview/diffparse"
)

func (s *Server) diffstatRoutes() []*route {
	return []*route{
		{method: "GET", path: repoPath + "/pullrequests/{pull_request_id}/diffstat", scopes: readPR, handle: s.getPRDiffstat},
		{method: "GET", path: repoPath + "/diffstat/{spec}", scopes: readRepo, handle: s.getDiffstat},
	}
}

// GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/diffstat
// answers 302 to the repository-level diffstat, as the diff does.
func (s *Server) getPRDiffstat(c *call) {
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		pr := ps.pr
		loc := fmt.Sprintf("%s/repositories/%s/diffstat/%s:%s%%0D%s?from_pullrequest_id=%d&topic=true",
			c.base(), rs.repo.FullName(), pr.Source.Repository, short(pr.Source.Commit), short(pr.Destination.Commit), pr.ID)
		return func() {
			c.w.Header().Set("Location", loc)
			c.w.WriteHeader(http.StatusFound)
		}
	})
}

// GET /repositories/{workspace}/{repo_slug}/diffstat/{spec}: one entry per
// file of the diff /diff/{spec} serves, paginated.
func (s *Server) getDiffstat(c *call) {
	c.do(func() func() {
		rs, srcFull, dstFull, fail := c.diffSpec("diffstats")
		if fail != nil {
			return fail
		}
		d, found := s.diffOf(rs, srcFull, dstFull)
		if !found {
			return c.notFound("bbtest has no diff for this spec; seed a pull request with these commits, or SetDiff")
		}
		if d == nil {
			return c.badRequest("bbtest could not parse the seeded diff")
		}
		items := make([]any, 0, len(d.Files))
		for _, f := range d.Files {
			items = append(items, diffstatItem{f})
		}
		return func() { c.paginate(items) }
	})
}

// diffOf returns the parsed diff of src..dst (nil when it does not parse)
// and whether bbtest has one; the caller holds s.mu.
func (s *Server) diffOf(rs *repoState, src, dst string) (*diffparse.Diff, bool) {
	for _, ps := range rs.prs {
		raw, has := ps.history[src]
		if !has || ps.pr.Destination.Commit != dst {
			continue
		}
		if src == ps.pr.Source.Commit {
			return ps.parsed, true
		}
		d, _ := diffparse.Parse([]byte(raw))
		return d, true
	}
	if raw, has := s.seededDiff(rs, src, dst); has {
		d, _ := diffparse.Parse([]byte(raw))
		return d, true
	}
	return nil, false
}

// diffstatItem renders its entry when marshalled: counting the lines of
// every file for each page would make listing a large diff quadratic.
type diffstatItem struct{ f *diffparse.File }

func (d diffstatItem) MarshalJSON() ([]byte, error) { return json.Marshal(renderDiffstat(d.f)) }

func renderDiffstat(f *diffparse.File) map[string]any {
	added, removed := f.Stats()
	status := "modified"
	switch f.Status {
	case diffparse.StatusAdded:
		status = "added"
	case diffparse.StatusDeleted:
		status = "removed"
	case diffparse.StatusRenamed:
		status = "renamed"
	}
	out := map[string]any{"type": "diffstat", "status": status, "lines_added": added, "lines_removed": removed}
	if f.OldPath != "" {
		out["old"] = map[string]any{"type": "commit_file", "path": f.OldPath, "escaped_path": f.OldPath}
	}
	if f.NewPath != "" {
		out["new"] = map[string]any{"type": "commit_file", "path": f.NewPath, "escaped_path": f.NewPath}
	}
	return out
}
