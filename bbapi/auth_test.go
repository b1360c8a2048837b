package bbapi

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(canaryEmail+":"+canaryToken))
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{name: "access token", opts: []Option{WithAccessToken(canaryToken)}, want: "Bearer " + canaryToken},
		{name: "api token", opts: []Option{WithAPIToken(canaryEmail, canaryToken)}, want: basic},
		{name: "custom http client", opts: []Option{WithHTTPClient(&http.Client{}), WithAccessToken(canaryToken)}, want: "Bearer " + canaryToken},
		{name: "anonymous", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, tt.opts...)
			mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
				testHeader(t, r, "Authorization", tt.want)
				testHeader(t, r, "User-Agent", "bitreview-bbapi")
				writeJSON(w, 200, `{"uuid":"{me}"}`)
			})
			_, resp, err := c.CurrentUser(t.Context())
			require.NoError(t, err)
			assert.Empty(t, resp.Request.Header.Get("Authorization"), "the credential is not handed back in resp.Request")
		})
	}
}

// TestPullRequestDiffRedirect checks the 302 of GET …/pullrequests/{id}/diff:
// to the same host the credentials stay and the %0D in the spec survives;
// to another host they are dropped.
func TestPullRequestDiffRedirect(t *testing.T) {
	t.Parallel()
	const diff = "diff --git a/x b/x\n"
	var foreignAuth atomic.Value
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignAuth.Store(r.Header.Get("Authorization") + "|" + r.Header.Get("Cookie"))
		_, _ = w.Write([]byte(diff))
	}))
	t.Cleanup(foreign.Close)

	for _, opt := range []struct {
		name, want string
		opt        Option
	}{
		{"bearer", "Bearer " + canaryToken, WithAccessToken(canaryToken)},
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte(canaryEmail+":"+canaryToken)), WithAPIToken(canaryEmail, canaryToken)},
	} {
		t.Run(opt.name+"/same host", func(t *testing.T) {
			t.Parallel()
			c, mux, root := setup(t, opt.opt)
			mux.HandleFunc("/repositories/ws/repo/pullrequests/7/diff", func(w http.ResponseWriter, r *http.Request) {
				testHeader(t, r, "Authorization", opt.want)
				w.Header().Set("Location", root+apiPrefix+"/repositories/ws/repo/diff/fork/repo:aaaaaaaaaaaa%0Dbbbbbbbbbbbb?from_pullrequest_id=7&topic=true")
				w.WriteHeader(http.StatusFound)
			})
			mux.HandleFunc("/repositories/ws/repo/diff/", func(w http.ResponseWriter, r *http.Request) {
				testHeader(t, r, "Authorization", opt.want)
				assert.Equal(t, apiPrefix+"/repositories/ws/repo/diff/fork/repo:aaaaaaaaaaaa%0Dbbbbbbbbbbbb?from_pullrequest_id=7&topic=true", r.RequestURI)
				assert.Equal(t, "/repositories/ws/repo/diff/fork/repo:aaaaaaaaaaaa\rbbbbbbbbbbbb", r.URL.Path)
				_, _ = w.Write([]byte(diff))
			})
			var buf bytes.Buffer
			resp, err := c.GetPullRequestDiff(t.Context(), "ws", "repo", 7, &buf)
			require.NoError(t, err)
			assert.Equal(t, diff, buf.String())
			assert.Equal(t, http.StatusOK, resp.StatusCode)
		})
	}

	t.Run("other host", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t, WithAccessToken(canaryToken))
		mux.HandleFunc("/repositories/ws/repo/pullrequests/8/diff", func(w http.ResponseWriter, r *http.Request) {
			testHeader(t, r, "Authorization", "Bearer "+canaryToken)
			http.Redirect(w, r, foreign.URL+"/media/diff", http.StatusFound)
		})
		var buf bytes.Buffer
		_, err := c.GetPullRequestDiff(t.Context(), "ws", "repo", 8, &buf)
		require.NoError(t, err)
		assert.Equal(t, diff, buf.String())
		assert.Equal(t, "|", foreignAuth.Load(), "no credentials may reach another host")
	})
}

func TestAuthTransportOrigin(t *testing.T) {
	t.Parallel()
	var seen []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Header.Get("Authorization"))
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})
	c, err := NewClient("https://api.bitbucket.org/2.0", WithAccessToken(canaryToken), WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	for _, u := range []string{
		"https://api.bitbucket.org/2.0/user",     // same origin
		"https://API.bitbucket.org:443/2.0/user", // same origin, spelled differently
		"http://api.bitbucket.org/2.0/user",      // downgraded scheme
		"https://api.bitbucket.org:8443/2.0/user",
		"https://bitbucket.org/x",
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer caller-set") // stripped off-origin, replaced on-origin
		_, err = c.httpClient.Do(req)
		require.NoError(t, err)
	}
	b := "Bearer " + canaryToken
	assert.Equal(t, []string{b, b, "", "", ""}, seen)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
