package ghtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

const diffType = "application/vnd.github.v3.diff"

func (s *Server) routes() http.Handler {
	m := http.NewServeMux()
	h := func(pattern string, fn func(http.ResponseWriter, *http.Request, tokenInfo)) {
		m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if who, ok := s.gate(w, r); ok {
				fn(w, r, who)
			}
		})
	}
	const repo = "/repos/{owner}/{repo}"
	h("GET /user", s.user)
	h("GET "+repo+"/pulls/{n}", s.getPR)
	// GET …/comments/{id} and GET …/{n}/comments overlap as patterns:
	// one route each tells them apart.
	h("GET "+repo+"/pulls/{a}/{b}", s.pullsGet)
	h("POST "+repo+"/pulls/{n}/comments", s.createReviewComment)
	h("GET "+repo+"/issues/{a}/{b}", s.issuesGet)
	h("POST "+repo+"/pulls/{n}/reviews", s.createReview)
	h("DELETE "+repo+"/pulls/comments/{id}", func(w http.ResponseWriter, r *http.Request, who tokenInfo) {
		s.deleteComment(w, r, who, &s.reviewCs)
	})
	h("POST "+repo+"/issues/{n}/comments", s.createIssueComment)
	h("PATCH "+repo+"/issues/comments/{id}", s.editIssueComment)
	h("DELETE "+repo+"/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request, who tokenInfo) {
		s.deleteComment(w, r, who, &s.issueCs)
	})
	h("GET "+repo+"/compare/{basehead}", s.compare)
	h("GET "+repo+"/contents/{path...}", s.contents)
	h("POST "+repo+"/check-runs", s.createCheckRun)
	h("PATCH "+repo+"/check-runs/{id}", s.updateCheckRun)
	return m
}

// pullsGet routes GET …/pulls/comments/{id}, …/pulls/{n}/files and
// …/pulls/{n}/comments.
func (s *Server) pullsGet(w http.ResponseWriter, r *http.Request, who tokenInfo) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "comments":
		r.SetPathValue("id", b)
		s.getComment(w, r, &s.reviewCs)
	case b == "files":
		r.SetPathValue("n", a)
		s.listFiles(w, r, who)
	case b == "comments":
		r.SetPathValue("n", a)
		s.page(w, r, &s.reviewCs)
	default:
		writeError(w, http.StatusNotFound, "Not Found", nil)
	}
}

// issuesGet routes GET …/issues/comments/{id} and …/issues/{n}/comments.
func (s *Server) issuesGet(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "comments":
		r.SetPathValue("id", b)
		s.getComment(w, r, &s.issueCs)
	case b == "comments":
		s.page(w, r, &s.issueCs)
	default:
		writeError(w, http.StatusNotFound, "Not Found", nil)
	}
}

func (s *Server) user(w http.ResponseWriter, _ *http.Request, who tokenInfo) {
	if who.integration {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"login": who.login, "type": "User"})
}

func (s *Server) checkPR(w http.ResponseWriter, r *http.Request) bool {
	n, _ := strconv.Atoi(r.PathValue("n"))
	if n != s.pr.Number || n == 0 {
		writeError(w, http.StatusNotFound, "Not Found", nil)
		return false
	}
	return true
}

func (s *Server) getPR(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkPR(w, r) {
		return
	}
	if r.Header.Get("Accept") == diffType {
		s.diffCalls++
		if len(s.diff.Files) > s.maxFiles {
			writeError(w, http.StatusNotAcceptable,
				fmt.Sprintf("Sorry, the diff exceeded the maximum number of files (%d). Consider using 'List pull requests files' API or locally cloning the repository instead.", s.maxFiles),
				[]map[string]string{{"resource": "PullRequest", "field": "diff", "code": "too_large"}})
			return
		}
		w.Header().Set("Content-Type", diffType+"; charset=utf-8")
		_, _ = w.Write([]byte(s.pr.Diff))
		return
	}
	p := s.pr
	writeJSON(w, http.StatusOK, map[string]any{
		"number": p.Number, "title": p.Title, "body": p.Body, "draft": p.Draft, "state": "open",
		"user": map[string]any{"login": p.Author},
		"head": map[string]any{"ref": p.HeadRef, "sha": p.HeadSHA},
		"base": map[string]any{"ref": p.BaseRef, "sha": p.BaseSHA},
	})
}

// listFiles pages the pull request's files with their patches (the hunks
// without the file headers), as GitHub does.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkPR(w, r) {
		return
	}
	var rows []map[string]any
	for _, f := range s.diff.Files {
		var b strings.Builder
		for _, h := range f.Hunks {
			writePatchHunk(&b, h)
		}
		add, del := f.Stats()
		status := map[diffparse.Status]string{diffparse.StatusAdded: "added", diffparse.StatusDeleted: "removed", diffparse.StatusRenamed: "renamed"}[f.Status]
		if status == "" {
			status = "modified"
		}
		row := map[string]any{"filename": f.Path(), "status": status, "additions": add, "deletions": del, "patch": strings.TrimSuffix(b.String(), "\n")}
		if f.Status == diffparse.StatusRenamed {
			row["previous_filename"] = f.OldPath
		}
		rows = append(rows, row)
	}
	s.writePage(w, r, rows)
}

// page writes one page of list, newest last, with a Link header.
func (s *Server) page(w http.ResponseWriter, r *http.Request, list *[]*Comment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := make([]*Comment, len(*list))
	copy(rows, *list)
	s.writePage(w, r, rows)
}

func (s *Server) writePage(w http.ResponseWriter, r *http.Request, rows any) {
	all, _ := json.Marshal(rows)
	var items []json.RawMessage
	_ = json.Unmarshal(all, &items)
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, s.maxPer)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	from, to := min((page-1)*per, len(items)), min(page*per, len(items))
	if to < len(items) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page+1))
		q.Set("per_page", strconv.Itoa(per))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.URL, r.URL.Path, q.Encode()))
	}
	out := items[from:to]
	if out == nil {
		out = []json.RawMessage{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bh := r.PathValue("basehead")
	d, ok := s.compares[bh]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	if r.Header.Get("Accept") == diffType {
		w.Header().Set("Content-Type", diffType)
		_, _ = w.Write([]byte(d))
		return
	}
	base, _, _ := strings.Cut(bh, "...")
	writeJSON(w, http.StatusOK, map[string]any{"status": "ahead", "merge_base_commit": map[string]any{"sha": base}})
}

func (s *Server) contents(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ref := r.PathValue("path"), r.URL.Query().Get("ref")
	fileObject := func(p, c string) map[string]any {
		return map[string]any{
			"type": "file", "encoding": "base64", "path": p, "name": path.Base(p), "size": len(c),
			"content": base64.StdEncoding.EncodeToString([]byte(c)),
		}
	}
	if c, ok := s.files[ref+":"+p]; ok {
		writeJSON(w, http.StatusOK, fileObject(p, c))
		return
	}
	if target, ok := s.links[ref+":"+p]; ok {
		// GitHub follows a link to a file of the repository and answers
		// with that file; any other link is described as a symlink.
		resolved := path.Join(path.Dir(p), target)
		if c, ok := s.files[ref+":"+resolved]; ok && !path.IsAbs(target) {
			writeJSON(w, http.StatusOK, fileObject(resolved, c))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"type": "symlink", "target": target, "path": p, "name": path.Base(p), "size": len(target)})
		return
	}
	if s.submodules[ref+":"+p] {
		writeJSON(w, http.StatusOK, map[string]any{"type": "submodule", "path": p, "name": path.Base(p), "submodule_git_url": "https://example.invalid/sub.git"})
		return
	}
	if entries := s.dirEntries(ref, p); len(entries) > 0 {
		writeJSON(w, http.StatusOK, entries)
		return
	}
	writeError(w, http.StatusNotFound, "Not Found", nil)
}

// dirEntries lists what SetFile, SetSymlink and SetSubmodule stored under
// dir at ref, as the contents endpoint lists a directory; the caller holds
// s.mu.
func (s *Server) dirEntries(ref, dir string) []map[string]any {
	prefix := ref + ":" + dir + "/"
	var out []map[string]any
	add := func(key, kind string) {
		if rest, ok := strings.CutPrefix(key, prefix); ok {
			name, _, _ := strings.Cut(rest, "/")
			out = append(out, map[string]any{"type": kind, "name": name, "path": dir + "/" + name})
		}
	}
	for k := range s.files {
		add(k, "file")
	}
	for k := range s.links {
		add(k, "symlink")
	}
	for k := range s.submodules {
		add(k, "submodule")
	}
	return out
}

// writePatchHunk writes a hunk as GitHub's "patch" field has it: the @@
// header and the prefixed lines, without file headers.
func writePatchHunk(b *strings.Builder, h *diffparse.Hunk) {
	fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@", h.OldStart, h.OldCount, h.NewStart, h.NewCount)
	if h.Section != "" {
		b.WriteString(" " + h.Section)
	}
	b.WriteByte('\n')
	for _, l := range h.Lines {
		b.WriteByte(byte(l.Kind))
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
}
