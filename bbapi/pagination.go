package bbapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// maxPages bounds how many pages a list call follows.
const maxPages = 1000

// page is Bitbucket's pagination envelope.
type page[T any] struct {
	Values []T    `json:"values"`
	Next   string `json:"next"`
}

// listAll fetches path and then every `next` page, up to maxPages. A next
// link to another origin (scheme, host, port) is refused: it would not get
// the credentials anyway, and following it would leak the query.
func listAll[T any](ctx context.Context, c *Client, path string, cl call) ([]T, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var all []T
	for n := 1; ; n++ {
		var pg page[T]
		if _, err := c.do(req, &pg, cl); err != nil {
			return nil, err
		}
		all = append(all, pg.Values...)
		if pg.Next == "" {
			return all, nil
		}
		if n >= maxPages {
			return nil, fmt.Errorf("bbapi: stopped after %d pages: the listing did not end", maxPages)
		}
		if req, err = c.nextRequest(ctx, req.URL, pg.Next); err != nil {
			return nil, err
		}
	}
}

// listUpTo is listAll that stops once it has limit values (and returns
// those).
func listUpTo[T any](ctx context.Context, c *Client, path string, limit int, cl call) ([]T, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var all []T
	for len(all) < limit {
		var pg page[T]
		if _, err := c.do(req, &pg, cl); err != nil {
			return nil, err
		}
		all = append(all, pg.Values...)
		if pg.Next == "" {
			break
		}
		if req, err = c.nextRequest(ctx, req.URL, pg.Next); err != nil {
			return nil, err
		}
	}
	return all[:min(len(all), limit)], nil
}

// nextRequest builds the GET for a `next` link, resolved against the
// current page's URL and required to be on the base URL's origin.
func (c *Client) nextRequest(ctx context.Context, cur *url.URL, next string) (*http.Request, error) {
	ref, err := url.Parse(next)
	if err != nil {
		return nil, fmt.Errorf("bbapi: invalid next link: %w", err)
	}
	u := cur.ResolveReference(ref)
	if originOf(u) != originOf(c.baseURL) {
		return nil, fmt.Errorf("bbapi: refusing next link to %s: not the API host %s", u.Host, c.baseURL.Host)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("bbapi: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}
