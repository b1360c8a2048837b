package bbtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

var (
	readUser = []string{ScopeReadUser}
	readRepo = []string{ScopeReadRepository}
	readPR   = []string{ScopeReadPullRequest}
)

func (s *Server) repoRoutes() []*route {
	return []*route{
		{method: "GET", path: "/user", scopes: readUser, handle: s.getUser},
		{method: "GET", path: repoPath, scopes: readRepo, handle: s.getRepo},
		{method: "GET", path: repoPath + "/pullrequests/{pull_request_id}", scopes: readPR, handle: s.getPR},
		{method: "GET", path: repoPath + "/pullrequests/{pull_request_id}/diff", scopes: readPR, handle: s.getPRDiff},
		{method: "GET", path: repoPath + "/diff/{spec}", scopes: readRepo, handle: s.getDiff},
		{method: "GET", path: repoPath + "/src/{commit}/{path}", scopes: readRepo, handle: s.getSrc},
	}
}

// do runs f under the state lock and then the answer f returns, so that
// nothing is written to the network while the lock is held.
func (c *call) do(f func() func()) {
	c.s.mu.Lock()
	answer := f()
	c.s.mu.Unlock()
	answer()
}

func (c *call) notFound(msg string) func() {
	return func() { writeError(c.w, http.StatusNotFound, msg, "") }
}

// diffSpec resolves the repository and the two commits of a {spec} path
// parameter, or returns the answer that refuses it (what names the
// resource in the message).
func (c *call) diffSpec(what string) (rs *repoState, src, dst string, fail func()) {
	rs, fail = c.findRepo()
	if fail != nil {
		return nil, "", "", fail
	}
	s, d, ok := parseDiffSpec(c.params["spec"])
	if !ok {
		return nil, "", "", c.notFound("bbtest serves " + what + " only for two-commit specs (src..dst or the pull request redirect's form)")
	}
	src, ok1 := rs.resolveCommit(s)
	dst, ok2 := rs.resolveCommit(d)
	if !ok1 || !ok2 {
		return nil, "", "", c.notFound("Commit not found")
	}
	return rs, src, dst, nil
}

func (c *call) badRequest(msg string) func() {
	return func() { writeError(c.w, http.StatusBadRequest, msg, "") }
}

// findRepo looks the repository up; the caller holds s.mu.
func (c *call) findRepo() (*repoState, func()) {
	ws, slug := c.params["workspace"], c.params["repo_slug"]
	rs := c.s.repo(ws, slug)
	if rs == nil {
		return nil, c.notFound(fmt.Sprintf("Repository %s/%s not found", ws, slug))
	}
	return rs, nil
}

// findPR looks the pull request up; the caller holds s.mu.
func (c *call) findPR() (*repoState, *prState, func()) {
	rs, fail := c.findRepo()
	if fail != nil {
		return nil, nil, fail
	}
	id, err := strconv.Atoi(c.params["pull_request_id"])
	ps := rs.prs[id]
	if err != nil || ps == nil {
		return nil, nil, c.notFound(fmt.Sprintf("Pull request %s not found", c.params["pull_request_id"]))
	}
	return rs, ps, nil
}

// GET /user
func (s *Server) getUser(c *call) {
	out := renderUser(c.base(), *c.user)
	writeJSON(c.w, http.StatusOK, out)
}

// GET /repositories/{workspace}/{repo_slug}
func (s *Server) getRepo(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		out := renderRepo(c.base(), rs.repo, false)
		hasIssues := s.issues[rs.repo.FullName()] != nil
		out.HasIssues = &hasIssues
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}
func (s *Server) getPR(c *call) {
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		out := s.renderPR(c.base(), rs, ps)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/diff
// answers 302 to the repository-level diff, in the live API's form:
// /diff/{srcws}/{srcslug}:{src}%0D{dst}?from_pullrequest_id={id}&topic=true.
func (s *Server) getPRDiff(c *call) {
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		pr := ps.pr
		loc := fmt.Sprintf("%s/repositories/%s/diff/%s:%s%%0D%s?from_pullrequest_id=%d&topic=true",
			c.base(), rs.repo.FullName(), pr.Source.Repository, short(pr.Source.Commit), short(pr.Destination.Commit), pr.ID)
		return func() {
			c.w.Header().Set("Location", loc)
			c.w.WriteHeader(http.StatusFound)
		}
	})
}

// parseDiffSpec splits a diff spec into the commit with the changes and the
// base: "src..dst", or "ws/slug:src\rdst" (the %0D form of the redirect).
// Each side may carry a "ws/slug:" prefix.
func parseDiffSpec(spec string) (src, dst string, ok bool) {
	a, b, found := strings.Cut(spec, "\r")
	if !found {
		a, b, found = strings.Cut(spec, "..")
	}
	if !found {
		return "", "", false
	}
	strip := func(x string) string {
		if i := strings.LastIndex(x, ":"); i >= 0 {
			return x[i+1:]
		}
		return x
	}
	return strip(a), strip(b), true
}

// GET /repositories/{workspace}/{repo_slug}/diff/{spec}: the raw diff of a
// pull request whose source and destination commits match the spec (the
// diff it had at that source commit). The path query parameter filters
// files; context and whitespace options are ignored.
func (s *Server) getDiff(c *call) {
	c.do(func() func() {
		rs, srcFull, dstFull, fail := c.diffSpec("diffs")
		if fail != nil {
			return fail
		}
		for _, ps := range rs.prs {
			diff, has := ps.history[srcFull]
			if has && ps.pr.Destination.Commit == dstFull {
				if paths := c.r.URL.Query()["path"]; len(paths) > 0 {
					diff = filterDiff(diff, paths)
				}
				return func() {
					c.w.Header().Set("Content-Type", "text/plain")
					c.w.WriteHeader(http.StatusOK)
					c.w.Write([]byte(diff))
				}
			}
		}
		if diff, has := s.seededDiff(rs, srcFull, dstFull); has {
			return func() {
				c.w.Header().Set("Content-Type", "text/plain")
				c.w.WriteHeader(http.StatusOK)
				c.w.Write([]byte(diff))
			}
		}
		return c.notFound("bbtest has no diff for this spec; seed a pull request with these commits, or SetDiff")
	})
}

// filterDiff keeps the file sections whose old or new path is listed.
func filterDiff(diff string, paths []string) string {
	var sections []string
	start := 0
	for i := 0; i < len(diff); {
		next := strings.IndexByte(diff[i:], '\n')
		if next < 0 {
			next = len(diff) - i - 1
		}
		if i > start && strings.HasPrefix(diff[i:], "diff --git ") {
			sections = append(sections, diff[start:i])
			start = i
		}
		i += next + 1
	}
	sections = append(sections, diff[start:])
	var out strings.Builder
	for _, sec := range sections {
		d, err := diffparse.Parse([]byte(sec))
		if err != nil || len(d.Files) != 1 {
			continue
		}
		f := d.Files[0]
		for _, p := range paths {
			if p != "" && (p == f.NewPath || p == f.OldPath) {
				out.WriteString(sec)
				break
			}
		}
	}
	return out.String()
}

// isDir reports whether some stored file lies under dir.
func isDir(files map[string]string, dir string) bool {
	for p := range files {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}: raw bytes,
// Content-Type from the extension without a charset, a content ETag;
// ?format=meta answers the file's metadata.
func (s *Server) getSrc(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		commit, p := c.params["commit"], strings.TrimSuffix(c.params["path"], "/")
		files, key := rs.files[commit], commit
		if files == nil {
			if full, ok := rs.resolveCommit(commit); ok {
				files, key = rs.files[full], full
			}
		}
		content, ok := files[p]
		meta := c.r.URL.Query().Get("format") == "meta"
		if !ok && meta && isDir(files, p) {
			m := map[string]any{"type": "commit_directory", "path": p, "commit": map[string]any{"type": "commit", "hash": commit}}
			return func() { writeJSON(c.w, http.StatusOK, m) }
		}
		if !ok {
			return c.notFound("No such file or directory: " + p)
		}
		if meta {
			attrs := []string{}
			if a := rs.attrs[key+":"+p]; a != "" {
				attrs = append(attrs, a)
			}
			m := map[string]any{
				"type": "commit_file", "path": p, "size": len(content), "attributes": attrs,
				"commit": map[string]any{"type": "commit", "hash": commit},
			}
			return func() { writeJSON(c.w, http.StatusOK, m) }
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		if i := strings.Index(ctype, ";"); i >= 0 {
			ctype = ctype[:i]
		}
		if ctype == "" {
			ctype = "text/plain"
		}
		sum := sha256.Sum256([]byte(content))
		return func() {
			c.w.Header().Set("Content-Type", ctype)
			c.w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:20])+`"`)
			c.w.WriteHeader(http.StatusOK)
			c.w.Write([]byte(content))
		}
	})
}
