package bbtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook is a repository or workspace webhook. Secret is kept for test
// assertions and is never served: responses carry only secret_set.
type Webhook struct {
	UUID        string // "" means assigned
	URL         string
	Description string
	Active      bool
	Events      []string
	Secret      string
	SubjectType string // repository or workspace; set by the fake
	CreatedAt   time.Time
}

func (h *Webhook) clone() Webhook {
	out := *h
	out.Events = slices.Clone(h.Events)
	return out
}

// MaxWebhookSecret is the longest secret the document allows.
const MaxWebhookSecret = 128

// webhookEvents is the document's webhook_subscription.events enum.
var webhookEvents = []string{
	"issue:comment_created", "issue:created", "issue:updated", "pipeline:span_created", "project:updated",
	"pullrequest:approved", "pullrequest:changes_request_created", "pullrequest:changes_request_removed",
	"pullrequest:comment_created", "pullrequest:comment_deleted", "pullrequest:comment_reopened",
	"pullrequest:comment_resolved", "pullrequest:comment_updated", "pullrequest:created", "pullrequest:fulfilled",
	"pullrequest:push", "pullrequest:rejected", "pullrequest:unapproved", "pullrequest:updated",
	"repo:commit_comment_created", "repo:commit_status_created", "repo:commit_status_updated", "repo:created",
	"repo:deleted", "repo:fork", "repo:imported", "repo:push", "repo:transfer", "repo:updated",
}

const (
	repoHooks = repoPath + "/hooks"
	wsHooks   = "/workspaces/{workspace}/hooks"
)

func (s *Server) hookRoutes() []*route {
	read := []string{"read:webhook:bitbucket"}
	write := []string{"read:webhook:bitbucket", "write:webhook:bitbucket"}
	del := []string{"delete:webhook:bitbucket"}
	var rs []*route
	for _, base := range []string{repoHooks, wsHooks} {
		rs = append(rs,
			&route{method: "GET", path: base, scopes: read, handle: s.listHooks},
			&route{method: "POST", path: base, scopes: write, check: checkHookBody(true), handle: s.createHook},
			&route{method: "GET", path: base + "/{uid}", scopes: read, handle: s.getHook},
			&route{method: "PUT", path: base + "/{uid}", scopes: write, check: checkHookBody(false), handle: s.updateHook},
			&route{method: "DELETE", path: base + "/{uid}", scopes: del, handle: s.deleteHook},
		)
	}
	return rs
}

// checkHookBody applies the document's webhook_subscription rules, which
// the document does not attach to the operations: url an absolute URI,
// events a non-empty list of unique known events, secret at most 128
// characters; on create url and events are required.
func checkHookBody(create bool) func(any) string {
	return func(body any) string {
		m, ok := body.(map[string]any)
		if !ok {
			return "a webhook body must be a JSON object"
		}
		if v, has := m["url"]; has {
			u, isStr := v.(string)
			if pu, err := url.Parse(u); !isStr || err != nil || pu.Host == "" || (pu.Scheme != "http" && pu.Scheme != "https") {
				return fmt.Sprintf("webhook url must be an absolute http(s) URI, got %v", v)
			}
		} else if create {
			return "webhook body needs url"
		}
		if v, has := m["events"]; has {
			list, isList := v.([]any)
			if !isList || len(list) == 0 {
				return "webhook events must be a non-empty list"
			}
			seen := map[string]bool{}
			for _, e := range list {
				ev, _ := e.(string)
				if !slices.Contains(webhookEvents, ev) {
					return fmt.Sprintf("webhook event %v is not one of the document's events", e)
				}
				if seen[ev] {
					return "webhook events must be unique; " + ev + " is repeated"
				}
				seen[ev] = true
			}
		} else if create {
			return "webhook body needs events"
		}
		for _, f := range []string{"description", "secret"} {
			if v, has := m[f]; has {
				if _, isStr := v.(string); !isStr {
					return "webhook " + f + " must be a string"
				}
			}
		}
		if v, has := m["active"]; has {
			if _, isBool := v.(bool); !isBool {
				return "webhook active must be a boolean"
			}
		}
		if sec, _ := m["secret"].(string); len([]rune(sec)) > MaxWebhookSecret {
			return fmt.Sprintf("webhook secret has %d characters; the maximum is %d", len([]rune(sec)), MaxWebhookSecret)
		}
		return ""
	}
}

// hookKey is the owner of the hooks a request addresses.
func (c *call) hookKey() (key string, workspace bool) {
	if slug, ok := c.params["repo_slug"]; ok {
		return c.params["workspace"] + "/" + slug, false
	}
	return c.params["workspace"], true
}

// hookOwner checks that the repository exists (repository hooks) or that
// the user owns the workspace (workspace hook writes); the caller holds s.mu.
func (c *call) hookOwner(write bool) (string, bool, func()) {
	key, ws := c.hookKey()
	if !ws {
		if _, fail := c.findRepo(); fail != nil {
			return "", false, fail
		}
		return key, false, nil
	}
	if write && !c.s.isOwner(key, c.user) {
		return "", true, func() {
			writeError(c.w, http.StatusForbidden, "Only workspace owners can install or change workspace webhooks.", "")
		}
	}
	return key, true, nil
}

// eventScopes are the scopes a hook's events need beyond the webhook scopes:
// "Note that this call requires the webhook scope, as well as any scope
// that applies to the events that the webhook subscribes to."
func eventScopes(events []string) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, e := range events {
		switch strings.SplitN(e, ":", 2)[0] {
		case "pullrequest":
			add(ScopeReadPullRequest)
		case "repo":
			add(ScopeReadRepository)
		case "issue":
			add("read:issue:bitbucket")
		case "project":
			add("read:project:bitbucket")
		case "pipeline":
			add("read:pipeline:bitbucket")
		}
	}
	return out
}

// internalHost reports whether a webhook URL points at an address Bitbucket
// refuses ("the url must properly resolve and cannot be an internal,
// non-routed address").
func internalHost(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".internal") {
		return true
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast()
	}
	return false
}

type hookBody struct {
	URL         *string  `json:"url"`
	Description *string  `json:"description"`
	Active      *bool    `json:"active"`
	Events      []string `json:"events"`
	Secret      *string  `json:"secret"`
}

type hookJSON struct {
	Type        string          `json:"type"`
	UUID        string          `json:"uuid"`
	URL         string          `json:"url"`
	Description string          `json:"description"`
	SubjectType string          `json:"subject_type"`
	Subject     any             `json:"subject"`
	Active      bool            `json:"active"`
	CreatedAt   string          `json:"created_at"`
	Events      []string        `json:"events"`
	SecretSet   bool            `json:"secret_set"`
	Links       map[string]link `json:"links"`
}

// renderHook never includes the secret; the caller holds s.mu.
func (c *call) renderHook(key string, h *Webhook) hookJSON {
	self := c.base() + "/repositories/" + key + "/hooks/" + url.PathEscape(h.UUID)
	var subject any
	if h.SubjectType == "workspace" {
		self = c.base() + "/workspaces/" + key + "/hooks/" + url.PathEscape(h.UUID)
		subject = map[string]any{"type": "workspace", "slug": key, "name": key}
	} else if rs := c.s.repos[key]; rs != nil {
		subject = renderRepo(c.base(), rs.repo, true)
	}
	events := slices.Clone(h.Events)
	slices.Sort(events)
	return hookJSON{
		Type: "webhook_subscription", UUID: h.UUID, URL: h.URL, Description: h.Description,
		SubjectType: h.SubjectType, Subject: subject, Active: h.Active, CreatedAt: stamp(h.CreatedAt),
		Events: events, SecretSet: h.Secret != "", Links: map[string]link{"self": {self}},
	}
}

// GET …/hooks
func (s *Server) listHooks(c *call) {
	c.do(func() func() {
		key, _, fail := c.hookOwner(false)
		if fail != nil {
			return fail
		}
		var items []any
		for _, h := range s.ext.hooks[key] {
			items = append(items, c.renderHook(key, h))
		}
		return func() { c.paginate(items) }
	})
}

// POST …/hooks
func (s *Server) createHook(c *call) {
	var body hookBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "webhook body: "+err.Error())
		return
	}
	if need := missingScopes(c.user, eventScopes(body.Events)); len(need) > 0 {
		writeScopeError(c.w, append([]string{"read:webhook:bitbucket", "write:webhook:bitbucket"}, eventScopes(body.Events)...), c.user.Scopes)
		return
	}
	if internalHost(*body.URL) {
		writeError(c.w, http.StatusBadRequest, "Invalid URL", "The URL must resolve and cannot be an internal, non-routed address.")
		return
	}
	c.do(func() func() {
		key, ws, fail := c.hookOwner(true)
		if fail != nil {
			return fail
		}
		if s.ext.hooks == nil {
			s.ext.hooks = make(map[string][]*Webhook)
		}
		s.ext.nextHook++
		h := &Webhook{UUID: newUUID("hook", s.ext.nextHook), URL: *body.URL, Active: true,
			Events: slices.Clone(body.Events), SubjectType: "repository", CreatedAt: s.now()}
		if ws {
			h.SubjectType = "workspace"
		}
		if body.Description != nil {
			h.Description = *body.Description
		}
		if body.Active != nil {
			h.Active = *body.Active
		}
		if body.Secret != nil {
			h.Secret = *body.Secret
		}
		s.ext.hooks[key] = append(s.ext.hooks[key], h)
		out := c.renderHook(key, h)
		return func() {
			c.w.Header().Set("Location", out.Links["self"].Href)
			writeJSON(c.w, http.StatusCreated, out)
		}
	})
}

// findHook finds the hook named by {uid}; the caller holds s.mu.
func (c *call) findHook(write bool) (string, int, func()) {
	key, _, fail := c.hookOwner(write)
	if fail != nil {
		return "", -1, fail
	}
	uid := c.params["uid"]
	for i, h := range c.s.ext.hooks[key] {
		if strings.EqualFold(h.UUID, uid) || strings.EqualFold(strings.Trim(h.UUID, "{}"), uid) {
			return key, i, nil
		}
	}
	return "", -1, c.notFound("Webhook " + uid + " not found")
}

// GET …/hooks/{uid}
func (s *Server) getHook(c *call) {
	c.do(func() func() {
		key, i, fail := c.findHook(false)
		if fail != nil {
			return fail
		}
		out := c.renderHook(key, s.ext.hooks[key][i])
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// PUT …/hooks/{uid}: the fields present replace the hook's; a secret of ""
// removes it and an absent secret keeps it.
func (s *Server) updateHook(c *call) {
	var body hookBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "webhook body: "+err.Error())
		return
	}
	if need := missingScopes(c.user, eventScopes(body.Events)); len(need) > 0 {
		writeScopeError(c.w, append([]string{"read:webhook:bitbucket", "write:webhook:bitbucket"}, eventScopes(body.Events)...), c.user.Scopes)
		return
	}
	if body.URL != nil && internalHost(*body.URL) {
		writeError(c.w, http.StatusBadRequest, "Invalid URL", "The URL must resolve and cannot be an internal, non-routed address.")
		return
	}
	c.do(func() func() {
		key, i, fail := c.findHook(true)
		if fail != nil {
			return fail
		}
		h := s.ext.hooks[key][i]
		if body.URL != nil {
			h.URL = *body.URL
		}
		if body.Description != nil {
			h.Description = *body.Description
		}
		if body.Active != nil {
			h.Active = *body.Active
		}
		if body.Events != nil {
			h.Events = slices.Clone(body.Events)
		}
		if body.Secret != nil {
			h.Secret = *body.Secret
		}
		out := c.renderHook(key, h)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// DELETE …/hooks/{uid}
func (s *Server) deleteHook(c *call) {
	c.do(func() func() {
		key, i, fail := c.findHook(true)
		if fail != nil {
			return fail
		}
		s.ext.hooks[key] = slices.Delete(s.ext.hooks[key], i, i+1)
		return func() { c.w.WriteHeader(http.StatusNoContent) }
	})
}

// AddWebhook seeds a webhook on a repository, or on the workspace when slug
// is "", and returns it with its UUID and creation time filled in.
func (s *Server) AddWebhook(workspace, slug string, h Webhook) Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := workspace
	h.SubjectType = "workspace"
	if slug != "" {
		s.ensureRepo(workspace, slug)
		key, h.SubjectType = workspace+"/"+slug, "repository"
	}
	if s.ext.hooks == nil {
		s.ext.hooks = make(map[string][]*Webhook)
	}
	s.ext.nextHook++
	if h.UUID == "" {
		h.UUID = newUUID("hook", s.ext.nextHook)
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = s.now()
	}
	stored := h.clone()
	s.ext.hooks[key] = append(s.ext.hooks[key], &stored)
	return stored.clone()
}

// Webhooks returns the webhooks of a repository, or of the workspace when
// slug is "", secrets included, oldest first.
func (s *Server) Webhooks(workspace, slug string) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := workspace
	if slug != "" {
		key = workspace + "/" + slug
	}
	var out []Webhook
	for _, h := range s.ext.hooks[key] {
		out = append(out, h.clone())
	}
	return out
}
