package bbapi

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		spec     string
		opts     *DiffOptions
		wantURI  string
		wantPath string
	}{
		{name: "plain", spec: "abc123", wantURI: "/repositories/ws/repo/diff/abc123"},
		{name: "range", spec: "abc..def", wantURI: "/repositories/ws/repo/diff/abc..def"},
		{name: "cross-repository with CR", spec: "fork/repo:aaaaaaaaaaaa\rbbbbbbbbbbbb",
			opts:    &DiffOptions{Topic: Bool(true)},
			wantURI: "/repositories/ws/repo/diff/fork/repo:aaaaaaaaaaaa%0Dbbbbbbbbbbbb?topic=true"},
		{name: "all options", spec: "abc",
			opts:    &DiffOptions{Context: Int(0), Paths: []string{"a b.go", "dir/c&d.go"}, IgnoreWhitespace: true, Topic: Bool(false)},
			wantURI: "/repositories/ws/repo/diff/abc?context=0&ignore_whitespace=true&path=a+b.go&path=dir%2Fc%26d.go&topic=false"},
		{name: "empty options", spec: "abc", opts: &DiffOptions{}, wantURI: "/repositories/ws/repo/diff/abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("/repositories/ws/repo/diff/", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testHeader(t, r, "Accept", "text/plain")
				assert.Equal(t, apiPrefix+tt.wantURI, r.RequestURI)
				_, _ = w.Write([]byte("diff body"))
			})
			var buf bytes.Buffer
			_, err := c.GetDiff(t.Context(), "ws", "repo", tt.spec, tt.opts, &buf)
			require.NoError(t, err)
			assert.Equal(t, "diff body", buf.String())
		})
	}
}

func TestGetFile(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/repositories/ws/repo/src/abc123/cmd/main.go", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Accept", "*/*")
		_, _ = w.Write([]byte("package main\n"))
	})
	mux.HandleFunc("/repositories/ws/repo/src/abc123/missing.go", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"type":"error","error":{"message":"No such file or directory: missing.go"}}`)
	})
	var buf bytes.Buffer
	_, err := c.GetFile(t.Context(), "ws", "repo", "abc123", "/cmd/main.go", &buf)
	require.NoError(t, err)
	assert.Equal(t, "package main\n", buf.String())

	_, err = c.GetFile(t.Context(), "ws", "repo", "abc123", "missing.go", &buf)
	var er *ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, 404, er.StatusCode)
	assert.Equal(t, []string{"read:repository:bitbucket"}, er.Scopes)

	_, err = c.GetFile(t.Context(), "ws", "repo", "", "x", &buf)
	require.Error(t, err)
}

func TestGetFileMeta(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/repositories/ws/repo/src/abc123/docs/guide.md", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		assert.Equal(t, "meta", r.URL.Query().Get("format"))
		writeJSON(w, 200, `{"type":"commit_file","path":"docs/guide.md","size":7,"attributes":["link"],"commit":{"type":"commit","hash":"abc123"}}`)
	})
	mux.HandleFunc("/repositories/ws/repo/src/abc123/missing.md", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"type":"error","error":{"message":"No such file or directory: missing.md"}}`)
	})
	m, _, err := c.GetFileMeta(t.Context(), "ws", "repo", "abc123", "/docs/guide.md")
	require.NoError(t, err)
	assert.Equal(t, "commit_file", m.Type)
	assert.True(t, m.Has("link"))
	assert.False(t, m.Has("subrepository"))

	_, _, err = c.GetFileMeta(t.Context(), "ws", "repo", "abc123", "missing.md")
	var er *ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, 404, er.StatusCode)
}
