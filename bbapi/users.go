package bbapi

import (
	"context"
	"net/http"
)

// CurrentUser returns the account the credentials act as. For an access
// token that is the token's own app user, whose UUID identifies the bot's
// comments.
//
// Bitbucket API: GET /user (scope read:user:bitbucket).
func (c *Client) CurrentUser(ctx context.Context) (*Account, *Response, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, "user", nil)
	if err != nil {
		return nil, nil, err
	}
	a := new(Account)
	resp, err := c.do(req, a, call{scopes: []string{scopeReadUser}})
	if err != nil {
		return nil, resp, err
	}
	return a, resp, nil
}
