package bbapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiPrefix is where the test API is mounted, so that a request built from
// an absolute path ("/user") misses it and hits the failing catch-all.
const apiPrefix = "/2.0"

// Canary credentials: no error text may ever contain them.
const (
	canaryToken = "canary-tok-7f3a9c"
	canaryEmail = "canary.mail@example.invalid"
)

// setup starts a test server and returns a client for it (with short retry
// delays), the mux to register API handlers on (paths without the
// prefix), and the server's root URL.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected API request: %s %s", r.Method, r.RequestURI)
		http.Error(w, "unexpected", http.StatusNotImplemented)
	})
	root := http.NewServeMux()
	root.Handle(apiPrefix+"/", http.StripPrefix(apiPrefix, mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside %s: %s %s", apiPrefix, r.Method, r.RequestURI)
		http.Error(w, "outside the API prefix", http.StatusNotImplemented)
	})
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithRetry(4, time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := NewClient(srv.URL+apiPrefix, opts...)
	require.NoError(t, err)
	return c, mux, srv.URL
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	assert.Equal(t, want, r.Method)
}

func testHeader(t *testing.T, r *http.Request, name, want string) {
	t.Helper()
	assert.Equal(t, want, r.Header.Get(name), "header %s", name)
}

func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.JSONEq(t, want, string(b))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		base    string
		opts    []Option
		want    string // resolved base URL
		wantErr string
	}{
		{name: "default", base: "", want: "https://api.bitbucket.org/2.0/"},
		{name: "adds slash", base: "http://localhost:29418/2.0", want: "http://localhost:29418/2.0/"},
		{name: "keeps slash", base: "https://bb.example/api/2.0/", want: "https://bb.example/api/2.0/"},
		{name: "relative", base: "api.bitbucket.org/2.0", wantErr: "absolute http or https"},
		{name: "ftp", base: "ftp://api.bitbucket.org/2.0", wantErr: "absolute http or https"},
		{name: "no host", base: "https:///2.0", wantErr: "no host"},
		{name: "userinfo", base: "https://me:" + canaryToken + "@api.bitbucket.org/2.0", wantErr: "user info"},
		{name: "bad escape with userinfo", base: "https://me:" + canaryToken + "@h/%zz", wantErr: "invalid base URL"},
		{name: "query", base: "https://api.bitbucket.org/2.0?x=1", wantErr: "query"},
		{name: "empty access token", opts: []Option{WithAccessToken(" ")}, wantErr: "WithAccessToken: is empty"},
		{name: "empty email", opts: []Option{WithAPIToken("", canaryToken)}, wantErr: "email is empty"},
		{name: "token with newline", opts: []Option{WithAPIToken(canaryEmail, canaryToken+"\n")}, wantErr: "control character"},
		{name: "two credentials", opts: []Option{WithAccessToken(canaryToken), WithAPIToken(canaryEmail, canaryToken)}, wantErr: "more than one credential"},
		{name: "nil http client", opts: []Option{WithHTTPClient(nil)}, wantErr: "nil client"},
		{name: "zero attempts", opts: []Option{WithRetry(0, time.Second, time.Second)}, wantErr: "maxAttempts"},
		{name: "max below base", opts: []Option{WithRetry(3, time.Second, time.Millisecond)}, wantErr: "baseDelay"},
		{name: "empty user agent", opts: []Option{WithUserAgent("")}, wantErr: "user agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.base, tt.opts...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), canaryToken)
				assert.NotContains(t, err.Error(), canaryEmail)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.baseURL.String())
		})
	}
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	c, err := NewClient("https://api.bitbucket.org/2.0", WithUserAgent("ua-test/1"))
	require.NoError(t, err)

	body := &NewComment{Content: Content{Raw: "if a < b && c > d { <b>x</b> }"}}
	req, err := c.NewRequest(t.Context(), http.MethodPost, "repositories/ws/repo/pullrequests/1/comments?pagelen=5", body)
	require.NoError(t, err)
	assert.Equal(t, "https://api.bitbucket.org/2.0/repositories/ws/repo/pullrequests/1/comments?pagelen=5", req.URL.String())
	testHeader(t, req, "Content-Type", "application/json")
	testHeader(t, req, "Accept", "application/json")
	testHeader(t, req, "User-Agent", "ua-test/1")
	require.NotNil(t, req.GetBody, "body must be re-sendable")
	b, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, `{"content":{"raw":"if a < b && c > d { <b>x</b> }"}}`+"\n", string(b))

	req, err = c.NewRequest(t.Context(), http.MethodGet, "repositories/ws/repo/diff/abc..def", nil)
	require.NoError(t, err, "a '..' inside a segment (commit range) is fine")
	assert.Equal(t, "/2.0/repositories/ws/repo/diff/abc..def", req.URL.Path)
	assert.Nil(t, req.Body)

	for _, bad := range []string{
		"/user", "https://evil.example/2.0/user", "//evil.example/user",
		"repositories/ws/../other/x", "repositories/ws/%2e%2E/x", "repositories/./x", "..",
	} {
		_, err := c.NewRequest(t.Context(), http.MethodGet, bad, nil)
		assert.Error(t, err, bad)
	}
}

func TestDo(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"pagelen":1,"values":[{"id":1}],"next":"https://api.bitbucket.org/2.0/page?page=2"}`)
	})
	mux.HandleFunc("/raw", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "raw bytes\n")
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	var pg page[*Comment]
	req, err := c.NewRequest(t.Context(), http.MethodGet, "page", nil)
	require.NoError(t, err)
	resp, err := c.Do(req, &pg)
	require.NoError(t, err)
	assert.Equal(t, "https://api.bitbucket.org/2.0/page?page=2", resp.Next)
	require.Len(t, pg.Values, 1)
	assert.Equal(t, 1, pg.Values[0].ID)

	var buf bytes.Buffer
	req, err = c.NewRequest(t.Context(), http.MethodGet, "raw", nil)
	require.NoError(t, err)
	resp, err = c.Do(req, &buf)
	require.NoError(t, err)
	assert.Equal(t, "raw bytes\n", buf.String())
	assert.Empty(t, resp.Next)

	var v map[string]any
	req, err = c.NewRequest(t.Context(), http.MethodDelete, "empty", nil)
	require.NoError(t, err)
	resp, err = c.Do(req, &v)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Nil(t, v)
}

func TestPathEscaping(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var got []string
	mux.HandleFunc("/repositories/", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.EscapedPath())
		writeJSON(w, 200, `{"id":1}`)
	})
	_, _, err := c.GetPullRequest(t.Context(), "{3f1c-uuid}", "my repo", 7)
	require.NoError(t, err)
	_, err = c.GetFile(t.Context(), "ws", "repo", "abc123", "dir/sub dir/a#b?;c%.go", io.Discard)
	require.NoError(t, err)
	_, err = c.GetFile(t.Context(), "ws", "repo", "abc123", "../../etc/passwd", io.Discard)
	require.Error(t, err, "dot segments are refused before any request")
	_, _, err = c.GetPullRequest(t.Context(), "", "repo", 1)
	require.Error(t, err)

	assert.Equal(t, []string{
		"/repositories/%7B3f1c-uuid%7D/my%20repo/pullrequests/7",
		"/repositories/ws/repo/src/abc123/dir/sub%20dir/a%23b%3F%3Bc%25.go",
	}, got)
}

func TestCurrentUserAndPullRequest(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		writeJSON(w, 200, `{"type":"app_user","uuid":"{bot}","account_id":"557058:x","display_name":"bitreview","nickname":"bot"}`)
	})
	mux.HandleFunc("/repositories/ws/repo/pullrequests/42", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		writeJSON(w, 200, `{"type":"pullrequest","id":42,"title":"T","description":"D","summary":{"raw":"D","markup":"markdown","html":"<p>D</p>"},
			"state":"OPEN","draft":true,"author":{"uuid":"{a}","display_name":"Ann"},
			"source":{"branch":{"name":"feat"},"commit":{"hash":"aaaaaaaaaaaa"},"repository":{"full_name":"fork/repo","uuid":"{f}","name":"repo"}},
			"destination":{"branch":{"name":"main"},"commit":{"hash":"bbbbbbbbbbbb"},"repository":{"full_name":"ws/repo","uuid":"{r}","name":"repo"}},
			"comment_count":3,"task_count":1,"created_on":"2026-01-02T03:04:05.123456+00:00","updated_on":"2026-01-03T00:00:00+00:00"}`)
	})
	me, _, err := c.CurrentUser(t.Context())
	require.NoError(t, err)
	assert.Equal(t, &Account{Type: "app_user", UUID: "{bot}", AccountID: "557058:x", DisplayName: "bitreview", Nickname: "bot"}, me)

	pr, resp, err := c.GetPullRequest(t.Context(), "ws", "repo", 42)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 42, pr.ID)
	assert.True(t, pr.Draft)
	assert.Equal(t, "fork/repo", pr.Source.Repository.FullName)
	assert.Equal(t, "aaaaaaaaaaaa", pr.Source.Commit.Hash)
	assert.Equal(t, "main", pr.Destination.Branch.Name)
	assert.Equal(t, "<p>D</p>", pr.Summary.HTML)
	assert.Equal(t, 3, pr.CommentCount)
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), pr.CreatedOn.UTC())
}

func TestNewCommentJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   NewComment
		want string
	}{
		{name: "general", in: NewComment{Content: Content{Raw: "hi"}}, want: `{"content":{"raw":"hi"}}`},
		{name: "file level", in: NewComment{Content: Content{Raw: "x"}, Inline: &Inline{Path: "a.go"}},
			want: `{"content":{"raw":"x"},"inline":{"path":"a.go"}}`},
		{name: "new-side range", in: NewComment{Content: Content{Raw: "x"}, Inline: &Inline{Path: "a.go", To: Int(16), StartTo: Int(10)}},
			want: `{"content":{"raw":"x"},"inline":{"path":"a.go","to":16,"start_to":10}}`},
		{name: "reply", in: NewComment{Content: Content{Raw: "x"}, Parent: &Ref{ID: 9}},
			want: `{"content":{"raw":"x"},"parent":{"id":9}}`},
		{name: "read-only fields dropped", in: NewComment{Content: Content{Raw: "x", Markup: "markdown", HTML: "<p>x</p>"},
			Inline: &Inline{Path: "a.go", From: Int(3), Outdated: true}},
			want: `{"content":{"raw":"x","markup":"markdown"},"inline":{"path":"a.go","from":3}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(&tt.in)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(b))
			assert.NotContains(t, string(b), "null")
			assert.NotContains(t, string(b), `"type"`)
			assert.False(t, strings.Contains(string(b), "outdated") || strings.Contains(string(b), "html"))
		})
	}
}
