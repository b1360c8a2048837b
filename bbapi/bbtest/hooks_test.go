package bbtest

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const hooksPath = "/repositories/" + ws + "/" + slug + "/hooks"

func TestWebhookCRUDNeverReturnsSecret(t *testing.T) {
	s, bot := fixture(t)
	body := map[string]any{
		"description": "bitreview relay", "url": "https://relay.example.com/webhook", "active": true,
		"secret": "It's a Secret to Everybody", "events": []string{"pullrequest:created", "pullrequest:comment_created"},
	}
	resp, data := send(t, s, "POST", hooksPath, bearer(bot), body)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	assert.NotContains(t, string(data), "Secret to Everybody")
	h := decode(t, data)
	assert.Equal(t, true, h["secret_set"])
	assert.Equal(t, "repository", h["subject_type"])
	uid, _ := h["uuid"].(string)
	require.True(t, strings.HasPrefix(uid, "{"))
	assert.Equal(t, resp.Header.Get("Location"), h["links"].(map[string]any)["self"].(map[string]any)["href"])

	stored := s.Webhooks(ws, slug)
	require.Len(t, stored, 1)
	assert.Equal(t, "It's a Secret to Everybody", stored[0].Secret, "tests can see the secret")

	// The list and GET never carry it either.
	resp, data = send(t, s, "GET", hooksPath, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotContains(t, string(data), "Everybody")
	resp, data = send(t, s, "GET", hooksPath+"/"+strings.NewReplacer("{", "%7B", "}", "%7D").Replace(uid), bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.NotContains(t, string(data), "Everybody")

	// PUT without secret keeps it; "" removes it.
	resp, data = send(t, s, "PUT", hooksPath+"/"+uid, bearer(bot), map[string]any{"active": false})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, true, decode(t, data)["secret_set"])
	assert.False(t, s.Webhooks(ws, slug)[0].Active)
	resp, data = send(t, s, "PUT", hooksPath+"/"+uid, bearer(bot), map[string]any{"secret": ""})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, false, decode(t, data)["secret_set"])

	resp, _ = send(t, s, "DELETE", hooksPath+"/"+uid, bearer(bot), nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Empty(t, s.Webhooks(ws, slug))
	resp, _ = send(t, s, "GET", hooksPath+"/"+uid, bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestWebhookValidation(t *testing.T) {
	s, bot := fixture(t, AllowViolations())
	long := strings.Repeat("x", MaxWebhookSecret+1)
	for name, body := range map[string]map[string]any{
		"no url":        {"events": []string{"repo:push"}},
		"relative url":  {"url": "/webhook", "events": []string{"repo:push"}},
		"no events":     {"url": "https://r.example.com/"},
		"empty events":  {"url": "https://r.example.com/", "events": []string{}},
		"unknown event": {"url": "https://r.example.com/", "events": []string{"pullrequest:exploded"}},
		"repeated":      {"url": "https://r.example.com/", "events": []string{"repo:push", "repo:push"}},
		"long secret":   {"url": "https://r.example.com/", "events": []string{"repo:push"}, "secret": long},
	} {
		before := len(s.Violations())
		resp, _ := send(t, s, "POST", hooksPath, bearer(bot), body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, name)
		assert.Len(t, s.Violations(), before+1, name)
	}
	// An internal address is the live API's 400, not a client bug.
	before := len(s.Violations())
	resp, data := send(t, s, "POST", hooksPath, bearer(bot), map[string]any{"url": "http://127.0.0.1:8080/webhook", "events": []string{"repo:push"}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(data), "internal")
	assert.Len(t, s.Violations(), before)
	assert.Empty(t, s.Webhooks(ws, slug))
}

func TestWebhookNeedsEventScopes(t *testing.T) {
	s, _ := fixture(t)
	u := NewUser("hooker")
	u.Scopes = []string{"read:webhook:bitbucket", "write:webhook:bitbucket"}
	u = s.AddUser(u)
	resp, data := send(t, s, "POST", hooksPath, bearer(u), map[string]any{
		"url": "https://r.example.com/", "events": []string{"pullrequest:comment_created"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(data), ScopeReadPullRequest)
	u.Scopes = append(u.Scopes, ScopeReadPullRequest)
	s.AddUser(u)
	resp, _ = send(t, s, "POST", hooksPath, bearer(u), map[string]any{
		"url": "https://r.example.com/", "events": []string{"pullrequest:comment_created"}})
	assert.Equal(t, http.StatusCreated, resp.StatusCode)

	u.Scopes = []string{ScopeReadPullRequest}
	s.AddUser(u)
	resp, data = send(t, s, "GET", hooksPath, bearer(u), nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(data), "read:webhook:bitbucket")
}

func TestWorkspaceWebhooksNeedOwner(t *testing.T) {
	s, bot := fixture(t)
	body := map[string]any{"url": "https://r.example.com/", "events": []string{"repo:push"}, "description": "x"}
	resp, _ := send(t, s, "POST", "/workspaces/"+ws+"/hooks", bearer(bot), body)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	s.SetWorkspaceMember(ws, bot.UUID, "owner")
	resp, data := send(t, s, "POST", "/workspaces/"+ws+"/hooks", bearer(bot), body)
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	assert.Equal(t, "workspace", decode(t, data)["subject_type"])
	hooks := s.Webhooks(ws, "")
	require.Len(t, hooks, 1)
	assert.False(t, hooks[0].Secret != "")
	resp, data = send(t, s, "GET", "/workspaces/"+ws+"/hooks", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, float64(1), decode(t, data)["size"])
	assert.Empty(t, s.Webhooks(ws, slug), "repository hooks are separate")
}

func TestSeededWebhook(t *testing.T) {
	s, bot := fixture(t)
	h := s.AddWebhook(ws, slug, Webhook{URL: "https://old.example.com/", Description: "bitreview relay", Events: []string{"repo:push"}})
	resp, data := send(t, s, "GET", hooksPath, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	vals := decode(t, data)["values"].([]any)
	require.Len(t, vals, 1)
	got := vals[0].(map[string]any)
	assert.Equal(t, h.UUID, got["uuid"])
	assert.Equal(t, false, got["active"])
	assert.Equal(t, false, got["secret_set"])
	assert.True(t, slices.Contains(got["events"].([]any), any("repo:push")))
}
