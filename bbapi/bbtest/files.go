package bbtest

import "strings"

// AddFile stores a file's content at a commit (any string: a hash or a
// branch name), served by GET /src/{commit}/{path}.
func (s *Server) AddFile(ws, slug, commit, path, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.ensureRepo(ws, slug)
	rs.addCommit(commit)
	if rs.files[commit] == nil {
		rs.files[commit] = make(map[string]string)
	}
	rs.files[commit][strings.TrimPrefix(path, "/")] = content
}

// AddSymlink stores a symlink at a commit: GET /src serves its target
// text, and ?format=meta lists the "link" attribute.
func (s *Server) AddSymlink(ws, slug, commit, path, target string) {
	s.addWithAttr(ws, slug, commit, path, target, "link")
}

// AddSubmodule stores a submodule at a commit: ?format=meta lists the
// "subrepository" attribute; GET /src serves an empty body.
func (s *Server) AddSubmodule(ws, slug, commit, path string) {
	s.addWithAttr(ws, slug, commit, path, "", "subrepository")
}

func (s *Server) addWithAttr(ws, slug, commit, path, content, attr string) {
	s.AddFile(ws, slug, commit, path, content)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repo(ws, slug).attrs[commit+":"+strings.TrimPrefix(path, "/")] = attr
}
