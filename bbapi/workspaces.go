package bbapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// WorkspaceMembership is the current user's membership of a workspace.
// Permission is owner, collaborator or member.
type WorkspaceMembership struct {
	Permission string   `json:"permission"`
	User       *Account `json:"user,omitempty"`
	Workspace  *struct {
		Slug string `json:"slug"`
		UUID string `json:"uuid"`
	} `json:"workspace,omitempty"`
}

// GetWorkspaceMembership returns the current user's membership of a
// workspace. Access tokens belong to their repository, project or
// workspace and are not members.
//
// Bitbucket API: GET /user/workspaces/{workspace}/permission
// (scope read:workspace:bitbucket).
func (c *Client) GetWorkspaceMembership(ctx context.Context, workspace string) (*WorkspaceMembership, *Response, error) {
	if workspace == "" {
		return nil, nil, errors.New("bbapi: workspace must not be empty")
	}
	req, err := c.NewRequest(ctx, http.MethodGet, "user/workspaces/"+url.PathEscape(workspace)+"/permission", nil)
	if err != nil {
		return nil, nil, err
	}
	m := new(WorkspaceMembership)
	resp, err := c.do(req, m, call{scopes: []string{scopeReadWorkspace}})
	if err != nil {
		return nil, resp, err
	}
	return m, resp, nil
}
