package bbapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// API-token scopes of the webhook, pipeline and workspace calls.
const (
	scopeReadWebhook    = "read:webhook:bitbucket"
	scopeWriteWebhook   = "write:webhook:bitbucket"
	scopeDeleteWebhook  = "delete:webhook:bitbucket"
	scopeReadPipeline   = "read:pipeline:bitbucket"
	scopeWritePipeline  = "write:pipeline:bitbucket"
	scopeReadWorkspace  = "read:workspace:bitbucket"
	scopeAdminRepo      = "admin:repository:bitbucket"
	maxWebhookSecretLen = 128
)

// Webhook is a webhook subscription as Bitbucket returns it. The secret is
// never returned; SecretSet says whether the hook has one (and so whether
// deliveries carry X-Hub-Signature).
type Webhook struct {
	UUID        string    `json:"uuid"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	SubjectType string    `json:"subject_type,omitempty"` // repository or workspace
	Active      bool      `json:"active"`
	Events      []string  `json:"events"`
	SecretSet   bool      `json:"secret_set"`
	CreatedAt   time.Time `json:"created_at"`
}

// WebhookRequest is the body of a webhook create or update. Every field but
// Secret is always sent, so an update states the whole hook. Secret nil
// leaves an existing secret unchanged (and creates a hook without one); a
// non-nil value sets it, and "" removes it. Bitbucket accepts at most 128
// characters.
type WebhookRequest struct {
	Description string   `json:"description"`
	URL         string   `json:"url"`
	Active      bool     `json:"active"`
	Events      []string `json:"events"`
	Secret      *string  `json:"secret,omitempty"`
}

func (w *WebhookRequest) check(op string) error {
	switch {
	case w == nil:
		return errors.New("bbapi: " + op + ": nil webhook")
	case w.URL == "":
		return errors.New("bbapi: " + op + ": the webhook needs a URL")
	case len(w.Events) == 0:
		return errors.New("bbapi: " + op + ": the webhook needs at least one event")
	case w.Secret != nil && len(*w.Secret) > maxWebhookSecretLen:
		return errors.New("bbapi: " + op + ": the webhook secret is longer than 128 characters")
	}
	return nil
}

func readHooks() call   { return call{scopes: []string{scopeReadWebhook}} }
func writeHooks() call  { return call{scopes: []string{scopeReadWebhook, scopeWriteWebhook}} }
func deleteHooks() call { return call{scopes: []string{scopeDeleteWebhook}} }

// hooksBase returns the hooks collection of a repository, or of a workspace
// when repo is "".
func hooksBase(workspace, repo string) (string, error) {
	if repo == "" {
		if workspace == "" {
			return "", errors.New("bbapi: workspace must not be empty")
		}
		return "workspaces/" + url.PathEscape(workspace) + "/hooks", nil
	}
	p, err := repoPath(workspace, repo)
	if err != nil {
		return "", err
	}
	return p + "/hooks", nil
}

func hookPath(workspace, repo, uid string) (string, error) {
	if uid == "" {
		return "", errors.New("bbapi: webhook uuid must not be empty")
	}
	p, err := hooksBase(workspace, repo)
	if err != nil {
		return "", err
	}
	return p + "/" + url.PathEscape(uid), nil
}

// ListRepoWebhooks returns every webhook of a repository.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/hooks
// (scope read:webhook:bitbucket).
func (c *Client) ListRepoWebhooks(ctx context.Context, workspace, repo string) ([]*Webhook, error) {
	if repo == "" {
		return nil, errors.New("bbapi: workspace and repository must not be empty")
	}
	return c.listHooks(ctx, workspace, repo)
}

// ListWorkspaceWebhooks returns every webhook of a workspace.
//
// Bitbucket API: GET /workspaces/{workspace}/hooks (scope read:webhook:bitbucket).
func (c *Client) ListWorkspaceWebhooks(ctx context.Context, workspace string) ([]*Webhook, error) {
	return c.listHooks(ctx, workspace, "")
}

func (c *Client) listHooks(ctx context.Context, workspace, repo string) ([]*Webhook, error) {
	p, err := hooksBase(workspace, repo)
	if err != nil {
		return nil, err
	}
	return listAll[*Webhook](ctx, c, p+"?pagelen=100", readHooks())
}

// CreateRepoWebhook installs a webhook on a repository. Bitbucket also
// requires the scopes of the subscribed events (read:pullrequest:bitbucket
// for pullrequest:* events). Like every POST it is never retried: list the
// hooks before trying again.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/hooks
// (scopes read:webhook:bitbucket and write:webhook:bitbucket).
func (c *Client) CreateRepoWebhook(ctx context.Context, workspace, repo string, in *WebhookRequest) (*Webhook, *Response, error) {
	if repo == "" {
		return nil, nil, errors.New("bbapi: workspace and repository must not be empty")
	}
	return c.createHook(ctx, workspace, repo, in)
}

// CreateWorkspaceWebhook installs a webhook on a workspace; only workspace
// owners may.
//
// Bitbucket API: POST /workspaces/{workspace}/hooks
// (scopes read:webhook:bitbucket and write:webhook:bitbucket).
func (c *Client) CreateWorkspaceWebhook(ctx context.Context, workspace string, in *WebhookRequest) (*Webhook, *Response, error) {
	return c.createHook(ctx, workspace, "", in)
}

func (c *Client) createHook(ctx context.Context, workspace, repo string, in *WebhookRequest) (*Webhook, *Response, error) {
	if err := in.check("create webhook"); err != nil {
		return nil, nil, err
	}
	p, err := hooksBase(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	return c.hookCall(ctx, http.MethodPost, p, in, writeHooks())
}

// GetRepoWebhook fetches one webhook of a repository by its UUID ("{…}").
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/hooks/{uid}
// (scope read:webhook:bitbucket).
func (c *Client) GetRepoWebhook(ctx context.Context, workspace, repo, uid string) (*Webhook, *Response, error) {
	if repo == "" {
		return nil, nil, errors.New("bbapi: workspace and repository must not be empty")
	}
	p, err := hookPath(workspace, repo, uid)
	if err != nil {
		return nil, nil, err
	}
	return c.hookCall(ctx, http.MethodGet, p, nil, readHooks())
}

// UpdateRepoWebhook replaces a repository webhook's description, URL,
// active flag and events, and its secret when in.Secret is set (PUT, so it
// is retried like a GET).
//
// Bitbucket API: PUT /repositories/{workspace}/{repo_slug}/hooks/{uid}
// (scopes read:webhook:bitbucket and write:webhook:bitbucket).
func (c *Client) UpdateRepoWebhook(ctx context.Context, workspace, repo, uid string, in *WebhookRequest) (*Webhook, *Response, error) {
	if repo == "" {
		return nil, nil, errors.New("bbapi: workspace and repository must not be empty")
	}
	return c.updateHook(ctx, workspace, repo, uid, in)
}

// UpdateWorkspaceWebhook is UpdateRepoWebhook for a workspace webhook.
//
// Bitbucket API: PUT /workspaces/{workspace}/hooks/{uid}
// (scopes read:webhook:bitbucket and write:webhook:bitbucket).
func (c *Client) UpdateWorkspaceWebhook(ctx context.Context, workspace, uid string, in *WebhookRequest) (*Webhook, *Response, error) {
	return c.updateHook(ctx, workspace, "", uid, in)
}

func (c *Client) updateHook(ctx context.Context, workspace, repo, uid string, in *WebhookRequest) (*Webhook, *Response, error) {
	if err := in.check("update webhook"); err != nil {
		return nil, nil, err
	}
	p, err := hookPath(workspace, repo, uid)
	if err != nil {
		return nil, nil, err
	}
	return c.hookCall(ctx, http.MethodPut, p, in, writeHooks())
}

// DeleteRepoWebhook removes a repository webhook.
//
// Bitbucket API: DELETE /repositories/{workspace}/{repo_slug}/hooks/{uid}
// (scope delete:webhook:bitbucket).
func (c *Client) DeleteRepoWebhook(ctx context.Context, workspace, repo, uid string) (*Response, error) {
	if repo == "" {
		return nil, errors.New("bbapi: workspace and repository must not be empty")
	}
	return c.deleteHook(ctx, workspace, repo, uid)
}

// DeleteWorkspaceWebhook removes a workspace webhook.
//
// Bitbucket API: DELETE /workspaces/{workspace}/hooks/{uid}
// (scope delete:webhook:bitbucket).
func (c *Client) DeleteWorkspaceWebhook(ctx context.Context, workspace, uid string) (*Response, error) {
	return c.deleteHook(ctx, workspace, "", uid)
}

func (c *Client) deleteHook(ctx context.Context, workspace, repo, uid string) (*Response, error) {
	p, err := hookPath(workspace, repo, uid)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodDelete, p, nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, nil, deleteHooks())
}

func (c *Client) hookCall(ctx context.Context, method, path string, body *WebhookRequest, cl call) (*Webhook, *Response, error) {
	return callJSON[Webhook](ctx, c, method, path, body, cl)
}
