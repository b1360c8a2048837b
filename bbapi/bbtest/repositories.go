package bbtest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

var readWorkspace = []string{"read:workspace:bitbucket"}

// listRoutes are the listings: a workspace's repositories, a repository's
// pull requests, and the current user's workspace membership.
func (s *Server) listRoutes() []*route {
	return []*route{
		{method: "GET", path: "/repositories/{workspace}", scopes: readRepo, handle: s.listRepos},
		{method: "GET", path: repoPath + "/pullrequests", scopes: readPR, handle: s.listPRs},
		{method: "GET", path: "/user/workspaces/{workspace}/permission", scopes: readWorkspace, handle: s.getMembership},
	}
}

// GET /repositories/{workspace}: the workspace's repositories sorted by
// full name, paginated. q and sort are not supported (a violation, so a
// test never passes on a filter the fake ignored); role is ignored, since
// the fake has no per-repository permissions.
func (s *Server) listRepos(c *call) {
	q := c.r.URL.Query()
	if q.Get("q") != "" || q.Get("sort") != "" {
		c.violationMsg(http.StatusBadRequest, "Invalid query", "bbtest does not support q or sort on the repository list")
		return
	}
	ws := c.params["workspace"]
	var items []any
	c.do(func() func() {
		var names []string
		for full, rs := range s.repos {
			if rs.repo.Workspace == ws {
				names = append(names, full)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			items = append(items, renderRepo(c.base(), s.repos[n].repo, false))
		}
		return func() { c.paginate(items) }
	})
}

// GET /repositories/{workspace}/{repo_slug}/pullrequests: pull requests in
// the requested states (repeatable; default OPEN), newest first.
func (s *Server) listPRs(c *call) {
	states := c.r.URL.Query()["state"]
	if len(states) == 0 {
		states = []string{"OPEN"}
	}
	for _, st := range states {
		if !slices.Contains([]string{"OPEN", "MERGED", "DECLINED", "SUPERSEDED"}, st) {
			c.violationMsg(http.StatusBadRequest, "Invalid state", "state="+st+": must be OPEN, MERGED, DECLINED or SUPERSEDED")
			return
		}
	}
	var items []any
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		ids := make([]int, 0, len(rs.prs))
		for id, ps := range rs.prs {
			if slices.Contains(states, ps.pr.State) {
				ids = append(ids, id)
			}
		}
		sort.Sort(sort.Reverse(sort.IntSlice(ids)))
		for _, id := range ids {
			items = append(items, s.renderPR(c.base(), rs, rs.prs[id]))
		}
		return func() { c.paginate(items) }
	})
}

// GET /user/workspaces/{workspace}/permission: 404 when the user is not a
// member (see SetWorkspaceMember).
func (s *Server) getMembership(c *call) {
	ws := c.params["workspace"]
	c.do(func() func() {
		perm := s.membership(ws, c.user.UUID)
		if perm == "" {
			return c.notFound(fmt.Sprintf("No workspace membership for %s in %s", c.user.Nickname, ws))
		}
		out := map[string]any{
			"type": "workspace_membership", "permission": perm,
			"user": renderAccount(c.base(), c.user.Public()),
			"workspace": map[string]any{
				"type": "workspace", "slug": ws, "name": ws,
				"uuid":  "{" + fakeHash("workspace", ws)[:8] + "-0000-4000-8000-000000000000}",
				"links": map[string]link{"self": {c.base() + "/workspaces/" + ws}},
			},
			"links": map[string]link{"self": {c.base() + "/user/workspaces/" + ws + "/permission"}},
		}
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// isOwner reports whether the user may change workspace settings; the
// caller holds s.mu.
func (s *Server) isOwner(ws string, u *User) bool {
	return strings.EqualFold(s.membership(ws, u.UUID), "owner")
}
