package bbapi

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhookCRUD(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	const hook = `{"type":"webhook_subscription","uuid":"{h-1}","url":"https://relay.example/webhook","description":"bitreview relay",
		"subject_type":"repository","active":true,"events":["pullrequest:comment_created"],"secret_set":true,"created_at":"2026-01-02T03:04:05.000000+00:00"}`
	mux.HandleFunc("/repositories/ws/repo/hooks", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			assert.Equal(t, "100", r.URL.Query().Get("pagelen"))
			writeJSON(w, 200, `{"pagelen":100,"values":[`+hook+`]}`)
		case http.MethodPost:
			testJSONBody(t, r, `{"description":"bitreview relay","url":"https://relay.example/webhook","active":true,
				"events":["pullrequest:comment_created"],"secret":"s3cret"}`)
			writeJSON(w, 201, hook)
		default:
			t.Errorf("method %s", r.Method)
		}
	})
	mux.HandleFunc("/repositories/ws/repo/hooks/{uid}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/repositories/ws/repo/hooks/%7Bh-1%7D", r.URL.EscapedPath())
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, hook)
		case http.MethodPut:
			// No secret field: the secret stays as it is.
			testJSONBody(t, r, `{"description":"bitreview relay","url":"https://relay.example/webhook","active":false,"events":["pullrequest:comment_created"]}`)
			writeJSON(w, 200, hook)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	hooks, err := c.ListRepoWebhooks(t.Context(), "ws", "repo")
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, Webhook{UUID: "{h-1}", URL: "https://relay.example/webhook", Description: "bitreview relay",
		SubjectType: "repository", Active: true, Events: []string{"pullrequest:comment_created"}, SecretSet: true,
		CreatedAt: hooks[0].CreatedAt}, *hooks[0])
	assert.False(t, hooks[0].CreatedAt.IsZero())

	secret := "s3cret"
	in := &WebhookRequest{Description: "bitreview relay", URL: "https://relay.example/webhook", Active: true,
		Events: []string{"pullrequest:comment_created"}, Secret: &secret}
	h, _, err := c.CreateRepoWebhook(t.Context(), "ws", "repo", in)
	require.NoError(t, err)
	assert.Equal(t, "{h-1}", h.UUID)

	_, _, err = c.GetRepoWebhook(t.Context(), "ws", "repo", "{h-1}")
	require.NoError(t, err)
	in.Secret, in.Active = nil, false
	_, _, err = c.UpdateRepoWebhook(t.Context(), "ws", "repo", "{h-1}", in)
	require.NoError(t, err)
	_, err = c.DeleteRepoWebhook(t.Context(), "ws", "repo", "{h-1}")
	require.NoError(t, err)
}

func TestWorkspaceWebhooks(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	mux.HandleFunc("/workspaces/ws/hooks", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, 201, `{"uuid":"{w-1}","url":"https://r.example/","events":["pullrequest:created"],"subject_type":"workspace"}`)
			return
		}
		writeJSON(w, 200, `{"values":[{"uuid":"{w-1}","subject_type":"workspace"}]}`)
	})
	mux.HandleFunc("/workspaces/ws/hooks/{uid}", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, 200, `{"uuid":"{w-1}"}`)
	})
	hooks, err := c.ListWorkspaceWebhooks(t.Context(), "ws")
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, "workspace", hooks[0].SubjectType)
	in := &WebhookRequest{URL: "https://r.example/", Events: []string{"pullrequest:created"}, Active: true}
	_, _, err = c.CreateWorkspaceWebhook(t.Context(), "ws", in)
	require.NoError(t, err)
	_, _, err = c.UpdateWorkspaceWebhook(t.Context(), "ws", "{w-1}", in)
	require.NoError(t, err)
	_, err = c.DeleteWorkspaceWebhook(t.Context(), "ws", "{w-1}")
	require.NoError(t, err)
}

func TestWebhookRequestChecks(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	long := string(make([]byte, 129))
	for name, in := range map[string]*WebhookRequest{
		"nil":         nil,
		"no url":      {Events: []string{"repo:push"}},
		"no events":   {URL: "https://x.example/"},
		"long secret": {URL: "https://x.example/", Events: []string{"repo:push"}, Secret: &long},
	} {
		_, _, err := c.CreateRepoWebhook(t.Context(), "ws", "repo", in)
		assert.Error(t, err, name)
	}
	_, err := c.ListRepoWebhooks(t.Context(), "ws", "")
	assert.Error(t, err)
	_, _, err = c.GetRepoWebhook(t.Context(), "ws", "repo", "")
	assert.Error(t, err)
}

func TestWebhookErrorsNameScopes(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	var posts atomic.Int32
	mux.HandleFunc("/repositories/ws/repo/hooks", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			writeJSON(w, 503, `{"type":"error","error":{"message":"down"}}`)
			return
		}
		writeJSON(w, 403, `{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes."}}`)
	})
	_, err := c.ListRepoWebhooks(t.Context(), "ws", "repo")
	var er *ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, []string{"read:webhook:bitbucket"}, er.Scopes)
	assert.Contains(t, er.Hint, "read:webhook:bitbucket")

	_, _, err = c.CreateRepoWebhook(t.Context(), "ws", "repo", &WebhookRequest{URL: "https://x.example/", Events: []string{"repo:push"}})
	require.ErrorAs(t, err, &er)
	assert.Equal(t, []string{"read:webhook:bitbucket", "write:webhook:bitbucket"}, er.Scopes)
	assert.Equal(t, int32(1), posts.Load(), "a POST is never retried")
}
