package bbapi

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// WithAccessToken authenticates with a repository, project or workspace
// access token (or an OAuth access token): "Authorization: Bearer <token>".
func WithAccessToken(token string) Option {
	return func(c *Client) error {
		if err := checkCredential(token); err != nil {
			return errors.New("bbapi: WithAccessToken: " + err.Error())
		}
		return c.setAuth("Bearer "+token, token)
	}
}

// WithAPIToken authenticates with a user's scoped API token and the
// Atlassian account email it belongs to: "Authorization: Basic
// base64(email:token)".
func WithAPIToken(email, token string) Option {
	return func(c *Client) error {
		if err := checkCredential(email); err != nil {
			return errors.New("bbapi: WithAPIToken: email " + err.Error())
		}
		if err := checkCredential(token); err != nil {
			return errors.New("bbapi: WithAPIToken: token " + err.Error())
		}
		if strings.Contains(email, ":") {
			return errors.New("bbapi: WithAPIToken: the email must not contain ':'")
		}
		basic := base64.StdEncoding.EncodeToString([]byte(email + ":" + token))
		return c.setAuth("Basic "+basic, email, token, basic)
	}
}

// checkCredential rejects values that cannot go into a header. Its errors
// never contain the value.
func checkCredential(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("is empty")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return errors.New("contains a control character")
		}
	}
	return nil
}

func (c *Client) setAuth(header string, secrets ...string) error {
	if c.auth != "" {
		return errors.New("bbapi: more than one credential option given")
	}
	c.auth = header
	c.secrets = append(c.secrets, secrets...)
	return nil
}

// authTransport adds the Authorization header to requests for one origin
// (scheme, host and port), and removes it from requests to any other.
// Because it sits below http.Client, it sees every redirect hop: a
// same-origin redirect keeps the credentials, a redirect elsewhere never
// gets them.
type authTransport struct {
	base   http.RoundTripper
	origin string
	header string
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if originOf(req.URL) == t.origin {
		r.Header.Set("Authorization", t.header)
	} else {
		r.Header.Del("Authorization")
	}
	resp, err := t.base.RoundTrip(r)
	if resp != nil {
		resp.Request = req // do not hand the credential back to callers
	}
	return resp, err
}

// CloseIdleConnections forwards to the wrapped transport.
func (t *authTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// originOf returns "scheme://host:port" in lower case, with the default
// port filled in.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
