package bbapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorHints(t *testing.T) {
	t.Parallel()
	getPR := func(ctx context.Context, c *Client) error {
		_, _, err := c.GetPullRequest(ctx, "ws", "repo", 1)
		return err
	}
	createComment := func(ctx context.Context, c *Client) error {
		_, _, err := c.CreatePullRequestComment(ctx, "ws", "repo", 1, &NewComment{Content: Content{Raw: "x"}})
		return err
	}
	getDiff := func(ctx context.Context, c *Client) error {
		_, err := c.GetDiff(ctx, "ws", "repo", "abc", nil, io.Discard)
		return err
	}
	currentUser := func(ctx context.Context, c *Client) error {
		_, _, err := c.CurrentUser(ctx)
		return err
	}
	tests := []struct {
		name       string
		path       string
		call       func(context.Context, *Client) error
		anonymous  bool
		status     int
		wantScopes []string
		wantHint   []string
	}{
		{name: "403 PR read", path: "/repositories/ws/repo/pullrequests/1", call: getPR, status: 403,
			wantScopes: []string{"read:pullrequest:bitbucket"},
			wantHint:   []string{"this call needs read:pullrequest:bitbucket; access tokens need the 'Pull requests: Read' permission"}},
		{name: "403 comment write", path: "/repositories/ws/repo/pullrequests/1/comments", call: createComment, status: 403,
			wantScopes: []string{"read:pullrequest:bitbucket", "write:pullrequest:bitbucket"},
			wantHint:   []string{"write:pullrequest:bitbucket", "'Pull requests: Write'"}},
		{name: "403 diff", path: "/repositories/ws/repo/diff/abc", call: getDiff, status: 403,
			wantScopes: []string{"read:repository:bitbucket"}, wantHint: []string{"'Repositories: Read'"}},
		{name: "401 rejected", path: "/user", call: currentUser, status: 401,
			wantScopes: []string{"read:user:bitbucket"},
			wantHint:   []string{"rejected the credentials", "expired or revoked", "email", "app passwords stopped working on 2026-07-28"}},
		{name: "401 anonymous", path: "/user", call: currentUser, anonymous: true, status: 401,
			wantScopes: []string{"read:user:bitbucket"}, wantHint: []string{"no credentials were sent"}},
		{name: "404", path: "/repositories/ws/repo/pullrequests/1", call: getPR, status: 404,
			wantScopes: []string{"read:pullrequest:bitbucket"}, wantHint: []string{"cannot see the repository"}},
		{name: "429", path: "/user", call: currentUser, status: 429,
			wantScopes: []string{"read:user:bitbucket"}, wantHint: []string{"rate limit", "access token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if !tt.anonymous {
				opts = append(opts, WithAPIToken(canaryEmail, canaryToken))
			}
			c, mux, _ := setup(t, append(opts, WithRetry(1, 0, 0))...)
			mux.HandleFunc(tt.path, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, `{"type":"error","error":{"message":"nope","detail":"more"}}`)
			})
			err := tt.call(t.Context(), c)
			var er *ErrorResponse
			require.ErrorAs(t, err, &er)
			assert.Equal(t, tt.status, er.StatusCode)
			assert.Equal(t, "nope", er.Message)
			assert.Equal(t, "more", er.Detail)
			assert.Equal(t, tt.wantScopes, er.Scopes)
			for _, h := range tt.wantHint {
				assert.Contains(t, er.Hint, h)
			}
			assert.Contains(t, err.Error(), fmt.Sprintf("%d %s: nope (more)", tt.status, http.StatusText(tt.status)))
		})
	}
}

// TestErrorsNeverLeakCredentials has the server echo the credentials back
// in every place an error could pick them up.
func TestErrorsNeverLeakCredentials(t *testing.T) {
	t.Parallel()
	basic := base64.StdEncoding.EncodeToString([]byte(canaryEmail + ":" + canaryToken))
	creds := []struct {
		name  string
		opt   Option
		email string // what the server echoes as the account
	}{
		{"api token", WithAPIToken(canaryEmail, canaryToken), canaryEmail},
		{"access token", WithAccessToken(canaryToken), "bot"},
	}
	for _, cr := range creds {
		for _, status := range []int{400, 401, 403, 404, 429, 503, 555} {
			t.Run(fmt.Sprintf("%s/%d", cr.name, status), func(t *testing.T) {
				t.Parallel()
				c, mux, _ := setup(t, cr.opt, WithRetry(2, 0, 0))
				mux.HandleFunc("/repositories/ws/repo/diff/a..b", func(w http.ResponseWriter, r *http.Request) {
					auth := r.Header.Get("Authorization")
					if status == 400 { // plain-text body
						w.WriteHeader(status)
						_, _ = fmt.Fprintf(w, "bad header %s for %s\nsecond line", auth, strings.ToUpper(cr.email))
						return
					}
					writeJSON(w, status, fmt.Sprintf(`{"type":"error","error":{"message":"credentials '%s' for %s rejected","detail":"token %s"}}`,
						auth, cr.email, canaryToken))
				})
				_, err := c.GetDiff(t.Context(), "ws", "repo", "a..b", nil, io.Discard)
				require.Error(t, err)
				for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					for _, secret := range []string{canaryToken, canaryEmail, strings.ToUpper(canaryEmail), basic} {
						assert.NotContains(t, s, secret)
					}
				}
				assert.Contains(t, err.Error(), "[redacted]")
			})
		}
	}
}

func TestCheckResponse(t *testing.T) {
	t.Parallel()
	newResp := func(status int, body string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	}
	assert.NoError(t, CheckResponse(newResp(204, "")))

	tests := []struct {
		name, body      string
		status          int
		msg, detail     string
		wantRateLimited bool
	}{
		{name: "bitbucket json", status: 400, body: `{"type":"error","error":{"message":"Bad request","detail":"inline.to: bad","fields":{"x":["y"]}}}`,
			msg: "Bad request", detail: "inline.to: bad"},
		{name: "object detail ignored", status: 400, body: `{"type":"error","error":{"message":"m","detail":{"a":1}}}`, msg: "m"},
		{name: "plain text 429", status: 429, body: "Rate limit for this resource has been exceeded\n", msg: "Rate limit for this resource has been exceeded", wantRateLimited: true},
		{name: "html", status: 502, body: "<html><body>Bad Gateway</body></html>"},
		{name: "empty", status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckResponse(newResp(tt.status, tt.body))
			var er *ErrorResponse
			require.ErrorAs(t, err, &er)
			assert.Equal(t, tt.status, er.StatusCode)
			assert.Equal(t, tt.msg, er.Message)
			assert.Equal(t, tt.detail, er.Detail)
			var rl *RateLimitError
			assert.Equal(t, tt.wantRateLimited, errors.As(err, &rl))
			b, rerr := io.ReadAll(er.Response.Body)
			require.NoError(t, rerr)
			assert.Equal(t, tt.body, string(b), "the body can be read again")
		})
	}

	t.Run("body limited to 64 KiB", func(t *testing.T) {
		t.Parallel()
		big := `{"type":"error","error":{"message":"` + strings.Repeat("x", 100<<10) + `"}}`
		err := CheckResponse(newResp(400, big))
		var er *ErrorResponse
		require.ErrorAs(t, err, &er)
		b, _ := io.ReadAll(er.Response.Body)
		assert.Len(t, b, 64<<10)
		assert.Empty(t, er.Message, "a truncated JSON body gives no message")
	})
}

func TestDiffTooLarge(t *testing.T) {
	t.Parallel()
	c, mux, root := setup(t, WithAccessToken(canaryToken))
	var calls int
	mux.HandleFunc("/repositories/ws/repo/pullrequests/3/diff", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, root+apiPrefix+"/repositories/ws/repo/diff/ws/repo:aaaaaaaaaaaa%0Dbbbbbbbbbbbb?topic=true", http.StatusFound)
	})
	mux.HandleFunc("/repositories/ws/repo/diff/", func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeJSON(w, 555, `{"type":"error","error":{"message":"Service Timeout"}}`)
	})
	mux.HandleFunc("/repositories/ws/repo/src/abc/big.txt", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 555, `{"type":"error","error":{"message":"Service Timeout"}}`)
	})

	var buf bytes.Buffer
	_, err := c.GetPullRequestDiff(t.Context(), "ws", "repo", 3, &buf)
	require.ErrorIs(t, err, ErrDiffTooLarge)
	var er *ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, 555, er.StatusCode)
	assert.Contains(t, err.Error(), "diff too large")
	assert.Empty(t, buf.String(), "the error body is not written to w")

	_, err = c.GetDiff(t.Context(), "ws", "repo", "abc..def", nil, &buf)
	require.ErrorIs(t, err, ErrDiffTooLarge)
	assert.Equal(t, 2, calls, "555 is not retried")

	_, err = c.GetFile(t.Context(), "ws", "repo", "abc", "big.txt", &buf)
	require.ErrorAs(t, err, &er)
	assert.Equal(t, 555, er.StatusCode)
	assert.NotErrorIs(t, err, ErrDiffTooLarge)
}
