package bbtest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// route is one operation the fake implements. Adding an API area (webhooks,
// pipelines) means a new file with its handlers and a line in routeTable.
type route struct {
	method string
	path   string // the spec's path template, relative to /2.0
	// scopes are the operation's x-atlassian-oauth2-scopes, used when the
	// document is absent; checkRoutes verifies they equal the document's.
	scopes []string
	// extra are scopes the live API needs beyond the document's.
	extra []string
	// check applies live-API rules to the decoded JSON body; a non-empty
	// reason is a violation.
	check  func(body any) string
	handle func(*call)
}

const repoPath = "/repositories/{workspace}/{repo_slug}"

func (s *Server) routeTable() []*route {
	var rs []*route
	rs = append(rs, s.repoRoutes()...)
	rs = append(rs, s.diffstatRoutes()...)
	rs = append(rs, s.commentRoutes()...)
	rs = append(rs, s.reportRoutes()...)
	rs = append(rs, s.commitRoutes()...)
	rs = append(rs, s.taskRoutes()...)
	rs = append(rs, s.listRoutes()...)
	rs = append(rs, s.hookRoutes()...)
	rs = append(rs, s.pipelineRoutes()...)
	rs = append(rs, s.issueRoutes()...)
	return rs
}

func (s *Server) findRoute(method, path string) *route {
	for _, r := range s.routes {
		if r.method == method && r.path == path {
			return r
		}
	}
	return nil
}

// requiredScopes is what an operation needs: the document's scopes (or the
// route's copy of them) plus the live API's extras.
func (s *Server) requiredScopes(r *route) []string {
	base := r.scopes
	if s.spec != nil {
		if _, op := s.spec.operation(r.method, r.path); op != nil {
			base = specScopes(op)
		}
	}
	out := slices.Clone(base)
	for _, e := range r.extra {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// checkRoutes makes sure every implemented route exists in the document
// with the scopes the route table assumes.
func (s *Server) checkRoutes(sd *specDoc) error {
	var problems []string
	for _, r := range s.routes {
		_, op := sd.operation(r.method, r.path)
		if op == nil {
			problems = append(problems, fmt.Sprintf("%s %s is not in the document", r.method, r.path))
			continue
		}
		got := specScopes(op)
		if !slices.Equal(got, r.scopes) {
			problems = append(problems, fmt.Sprintf("%s %s: document scopes %v, route table %v", r.method, r.path, got, r.scopes))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("bbtest: route table disagrees with %s:\n  %s", sd.path, strings.Join(problems, "\n  "))
	}
	return nil
}

// Operation is one operation of the Bitbucket API that the fake serves.
type Operation struct {
	Method string
	Path   string // the document's path template, relative to /2.0
}

// Operations lists what the fake serves, sorted by path then method. The
// subset of the document the package embeds is generated from this list
// (internal/specgen), so a new route needs `go generate ./bbapi/bbtest`.
func Operations() []Operation {
	var ops []Operation
	for _, r := range (&Server{}).routeTable() {
		ops = append(ops, Operation{Method: r.method, Path: r.path})
	}
	slices.SortFunc(ops, func(a, b Operation) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	})
	return ops
}
