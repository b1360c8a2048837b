package bbtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Tests talk to the fake with plain net/http, never through bbapi.

const (
	ws   = "acme"
	slug = "widgets"
)

// sampleDiff has a modified file with two hunks, a rename, a deletion and an
// addition.
//
// main.go, hunk 1 (-1,6 +1,7): ctx old1/new1, ctx old2/new2, ctx old3/new3,
// removed old4, added new4, added new5, ctx old5/new6, ctx old6/new7.
// main.go, hunk 2 (-20,4 +21,4): ctx old20/new21, removed old21, added
// new22, ctx old22/new23, ctx old23/new24.
const sampleDiff = `diff --git a/main.go b/main.go
index 1111111..2222222 100644
--- a/main.go
+++ b/main.go
@@ -1,6 +1,7 @@
 package main
 
 import "fmt"
-// old comment
+// new comment
+// another
 
 func main() {
@@ -20,4 +21,4 @@ func helper() {
 	a := 1
-	b := 2
+	b := 3
 	return
 }
diff --git a/old_name.go b/new_name.go
similarity index 90%
rename from old_name.go
rename to new_name.go
index 3333333..4444444 100644
--- a/old_name.go
+++ b/new_name.go
@@ -1,3 +1,3 @@
 package main
-var x = 1
+var x = 2
 
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 5555555..0000000
--- a/gone.txt
+++ /dev/null
@@ -1,2 +0,0 @@
-line one
-line two
diff --git a/added.txt b/added.txt
new file mode 100644
index 0000000..6666666
--- /dev/null
+++ b/added.txt
@@ -0,0 +1,2 @@
+hello
+world
`

const (
	srcHash = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	dstHash = "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567"
)

// fixture starts a server with the bot user and pull request 1.
func fixture(t *testing.T, opts ...Option) (*Server, User) {
	t.Helper()
	s := New(t, opts...)
	bot := s.AddUser(NewUser("bot"))
	s.AddPullRequest(ws, slug, PullRequest{
		ID: 1, Title: "Add things", Description: "Does things.",
		Source:      Endpoint{Branch: "feature/x", Commit: srcHash},
		Destination: Endpoint{Branch: "main", Commit: dstHash},
	}, sampleDiff)
	return s, bot
}

func bearer(u User) string { return "Bearer " + u.AccessToken }

func basic(u User) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Email+":"+u.APIToken))
}

// call sends one request; path is relative to s.URL unless absolute. body
// is sent as JSON unless it is a string (sent raw as JSON) or nil.
func send(t testing.TB, s *Server, method, path, auth string, body any) (*http.Response, []byte) {
	t.Helper()
	resp, data, err := tryCall(http.DefaultClient, s, method, path, auth, body)
	require.NoError(t, err)
	return resp, data
}

func tryCall(client *http.Client, s *Server, method, path, auth string, body any) (*http.Response, []byte, error) {
	u := path
	if !strings.HasPrefix(path, "http") {
		u = s.URL + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m), "body: %s", data)
	return m
}

// errMessage returns error.message of a Bitbucket error body.
func errMessage(t testing.TB, data []byte) string {
	t.Helper()
	m := decode(t, data)
	require.Equal(t, "error", m["type"], "body: %s", data)
	e, _ := m["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

const prPath = "/repositories/" + ws + "/" + slug + "/pullrequests/1"

func comment(raw string, inline map[string]any) map[string]any {
	m := map[string]any{"content": map[string]any{"raw": raw}}
	if inline != nil {
		m["inline"] = inline
	}
	return m
}

// recordingTB stands in for a test to observe what New reports.
type recordingTB struct {
	testing.TB
	errors   []string
	logs     []string
	cleanups []func()
}

func (r *recordingTB) Helper()          {}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Logf(format string, a ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, a...))
}
func (r *recordingTB) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}

func (r *recordingTB) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}
