package bbtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxCommentLength is the longest content.raw the fake accepts, in
// characters. The document sets no limit; a live rejection above 32,768 is
// reported (The-PR-Agent/pr-agent#3145).
const MaxCommentLength = 32768

const commentsPath = repoPath + "/pullrequests/{pull_request_id}/comments"

func (s *Server) commentRoutes() []*route {
	// The document lists only read:pullrequest for every comment operation;
	// writing needs write:pullrequest on the live API.
	write := []string{ScopeWritePullRequest}
	one := commentsPath + "/{comment_id}"
	return []*route{
		{method: "GET", path: commentsPath, scopes: readPR, handle: s.listComments},
		{method: "POST", path: commentsPath, scopes: readPR, extra: write, check: checkCommentBody(true), handle: s.createComment},
		{method: "GET", path: one, scopes: readPR, handle: s.getComment},
		{method: "PUT", path: one, scopes: readPR, extra: write, check: checkCommentBody(false), handle: s.updateComment},
		{method: "DELETE", path: one, scopes: readPR, extra: write, handle: s.deleteComment},
		{method: "POST", path: one + "/resolve", scopes: readPR, extra: write, handle: s.resolveComment},
		{method: "DELETE", path: one + "/resolve", scopes: readPR, extra: write, handle: s.reopenComment},
	}
}

// checkCommentBody applies the live API's rules to a comment body: no
// "type" field anywhere (one CLI had to strip them to stop rejections,
// 0pilatos0/bitbucket-cli#105), content.raw present on create and at most
// MaxCommentLength characters.
func checkCommentBody(create bool) func(any) string {
	return func(body any) string {
		m, ok := body.(map[string]any)
		if !ok {
			return "a comment body must be a JSON object"
		}
		if p := findKey(m, "type", ""); p != "" {
			return "comment body has a \"type\" field at " + p + " (the live API rejects it; omit it)"
		}
		content, _ := m["content"].(map[string]any)
		raw, isString := content["raw"].(string)
		if create && (!isString || strings.TrimSpace(raw) == "") {
			return "comment body needs a non-empty content.raw"
		}
		if n := utf8.RuneCountInString(raw); n > MaxCommentLength {
			return fmt.Sprintf("content.raw has %d characters; the live API rejects more than %d", n, MaxCommentLength)
		}
		return ""
	}
}

// findKey returns the JSON pointer of the first object key named key.
func findKey(v any, key, at string) string {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[key]; ok {
			return at + "/" + key
		}
		for _, k := range sortedKeys(x) {
			if p := findKey(x[k], key, at+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findKey(e, key, fmt.Sprintf("%s/%d", at, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// commentBody is what a client may send.
type commentBody struct {
	Content *struct {
		Raw *string `json:"raw"`
	} `json:"content"`
	Inline  map[string]any    `json:"inline"`
	Parent  *struct{ ID any } `json:"parent"`
	Pending *bool             `json:"pending"`
}

// parseInline reads the inline object; a non-integer or a line below 1 is a
// violation (it breaks the document's schema).
func parseInline(m map[string]any) (*Inline, string) {
	if m == nil {
		return nil, ""
	}
	in := &Inline{}
	in.Path, _ = m["path"].(string)
	for _, f := range []struct {
		name string
		dst  *int
	}{{"from", &in.From}, {"to", &in.To}, {"start_from", &in.StartFrom}, {"start_to", &in.StartTo}} {
		v, ok := m[f.name]
		if !ok {
			continue
		}
		n, isNum := v.(float64)
		if !isNum || n != math.Trunc(n) || n < 1 || n > math.MaxInt32 {
			return nil, fmt.Sprintf("inline.%s must be an integer ≥ 1, got %v", f.name, v)
		}
		*f.dst = int(n)
	}
	return in, ""
}

// commentID reads the {comment_id} parameter.
func (c *call) commentID() int {
	id, _ := strconv.Atoi(c.params["comment_id"])
	return id
}

// findComment finds a comment that is not deleted; the caller holds s.mu.
func (c *call) findComment() (*repoState, *prState, *Comment, func()) {
	rs, ps, fail := c.findPR()
	if fail != nil {
		return nil, nil, nil, fail
	}
	cm := ps.byID[c.commentID()]
	if cm == nil || cm.Deleted {
		return nil, nil, nil, c.notFound(fmt.Sprintf("Comment %s not found", c.params["comment_id"]))
	}
	return rs, ps, cm, nil
}

// GET …/pullrequests/{id}/comments: oldest first; q supports only
// deleted=true|false, sort only (-)id and (-)created_on; anything else is a
// violation, so that a test never passes on a filter the fake ignored.
func (s *Server) listComments(c *call) {
	q := c.r.URL.Query()
	var wantDeleted *bool
	if f := q.Get("q"); f != "" {
		switch strings.ReplaceAll(f, " ", "") {
		case "deleted=false":
			wantDeleted = new(bool)
		case "deleted=true":
			wantDeleted = new(bool)
			*wantDeleted = true
		default:
			c.violationMsg(http.StatusBadRequest, "Invalid query", "bbtest supports only q=deleted=false|true, got q="+f)
			return
		}
	}
	desc := false
	switch q.Get("sort") {
	case "", "id", "created_on":
	case "-id", "-created_on":
		desc = true
	default:
		c.violationMsg(http.StatusBadRequest, "Invalid sort", "bbtest supports only sort=(-)id|(-)created_on, got sort="+q.Get("sort"))
		return
	}
	var items []any
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		for _, cm := range ps.comments {
			if wantDeleted == nil || cm.Deleted == *wantDeleted {
				items = append(items, renderComment(c.base(), rs, ps, cm))
			}
		}
		if desc {
			slices.Reverse(items)
		}
		return func() { c.paginate(items) }
	})
}

// POST …/pullrequests/{id}/comments
func (s *Server) createComment(c *call) {
	var body commentBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "comment body: "+err.Error())
		return
	}
	if body.Content == nil || body.Content.Raw == nil {
		c.violation(http.StatusBadRequest, "comment body needs content.raw")
		return
	}
	in, reason := parseInline(body.Inline)
	if reason != "" {
		c.violation(http.StatusBadRequest, reason)
		return
	}
	parentID, reason := parseParent(body.Parent)
	if reason != "" {
		c.violation(http.StatusBadRequest, reason)
		return
	}
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		if parentID != 0 {
			if p := ps.byID[parentID]; p == nil || p.Deleted {
				return c.badRequest(fmt.Sprintf("Parent comment %d not found on this pull request", parentID))
			}
		}
		if in != nil {
			if fail := c.anchor(ps, *in); fail != nil {
				return fail
			}
		}
		s.nextComment++
		now := s.now()
		cm := &Comment{
			ID: s.nextComment, PullRequestID: ps.pr.ID, Raw: *body.Content.Raw, Inline: in, ParentID: parentID,
			User: c.user.Public(), CreatedOn: now, UpdatedOn: now,
		}
		if body.Pending != nil {
			cm.Pending = *body.Pending
		}
		ps.comments = append(ps.comments, cm)
		ps.byID[cm.ID] = cm
		out := renderComment(c.base(), rs, ps, cm)
		return func() {
			c.w.Header().Set("Location", out.Links["self"].Href)
			writeJSON(c.w, http.StatusCreated, out)
		}
	})
}

func parseParent(p *struct{ ID any }) (int, string) {
	if p == nil {
		return 0, ""
	}
	n, ok := p.ID.(float64)
	if !ok || n != math.Trunc(n) || n < 1 {
		return 0, fmt.Sprintf("parent.id must be a comment id, got %v", p.ID)
	}
	return int(n), ""
}

// anchor checks an inline anchor and records a rejection; the caller holds
// s.mu.
func (c *call) anchor(ps *prState, in Inline) func() {
	reason := checkAnchor(ps, in)
	if reason == "" {
		return nil
	}
	c.s.rejected = append(c.s.rejected, RejectedAnchor{Method: c.r.Method, PullRequestID: ps.pr.ID, Inline: in, Reason: reason})
	return c.badRequest("Invalid inline comment: " + reason)
}

// GET …/comments/{comment_id}; a deleted comment is still served, marked.
func (s *Server) getComment(c *call) {
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		cm := ps.byID[c.commentID()]
		if cm == nil {
			return c.notFound(fmt.Sprintf("Comment %s not found", c.params["comment_id"]))
		}
		out := renderComment(c.base(), rs, ps, cm)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

func (c *call) notAuthor(verb string) func() {
	return func() {
		writeError(c.w, http.StatusForbidden, "You are not allowed to "+verb+" this comment", "only its author can")
	}
}

// PUT …/comments/{comment_id}: only the author may edit. An inline anchor in
// the body is checked against the current diff.
func (s *Server) updateComment(c *call) {
	var body commentBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "comment body: "+err.Error())
		return
	}
	in, reason := parseInline(body.Inline)
	if reason != "" {
		c.violation(http.StatusBadRequest, reason)
		return
	}
	c.do(func() func() {
		rs, ps, cm, fail := c.findComment()
		if fail != nil {
			return fail
		}
		if cm.User.UUID != c.user.UUID {
			return c.notAuthor("edit")
		}
		if in != nil {
			if fail := c.anchor(ps, *in); fail != nil {
				return fail
			}
			cm.Inline = in
		}
		if body.Content != nil && body.Content.Raw != nil {
			cm.Raw = *body.Content.Raw
		}
		cm.UpdatedOn = s.now()
		out := renderComment(c.base(), rs, ps, cm)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// DELETE …/comments/{comment_id}: only the author may delete (the live API
// also lets repository admins; a review bot must never delete someone
// else's comment, so the fake refuses). The comment stays, marked deleted.
func (s *Server) deleteComment(c *call) {
	c.do(func() func() {
		_, _, cm, fail := c.findComment()
		if fail != nil {
			return fail
		}
		if cm.User.UUID != c.user.UUID {
			return c.notAuthor("delete")
		}
		cm.Deleted = true
		cm.UpdatedOn = s.now()
		return func() { c.w.WriteHeader(http.StatusNoContent) }
	})
}

// POST …/comments/{comment_id}/resolve: 403 for a reply or a comment not on
// the diff, 409 when already resolved.
func (s *Server) resolveComment(c *call) {
	c.do(func() func() {
		_, _, cm, fail := c.findComment()
		if fail != nil {
			return fail
		}
		switch {
		case cm.ParentID != 0:
			return func() { writeError(c.w, http.StatusForbidden, "Only top-level comments can be resolved", "") }
		case cm.Inline == nil:
			return func() { writeError(c.w, http.StatusForbidden, "Only comments on the diff can be resolved", "") }
		case cm.Resolution != nil:
			return func() { writeError(c.w, http.StatusConflict, "Comment is already resolved", "") }
		}
		cm.Resolution = &Resolution{User: c.user.Public(), CreatedOn: s.now()}
		out := resolutionJSON{Type: "comment_resolution", User: renderAccount(c.base(), cm.Resolution.User), CreatedOn: stamp(cm.Resolution.CreatedOn)}
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// DELETE …/comments/{comment_id}/resolve: reopen; 404 when not resolved.
func (s *Server) reopenComment(c *call) {
	c.do(func() func() {
		_, _, cm, fail := c.findComment()
		if fail != nil {
			return fail
		}
		if cm.ParentID != 0 {
			return func() { writeError(c.w, http.StatusForbidden, "Only top-level comments can be reopened", "") }
		}
		if cm.Resolution == nil {
			return c.notFound("Comment is not resolved")
		}
		cm.Resolution = nil
		return func() { c.w.WriteHeader(http.StatusNoContent) }
	})
}
