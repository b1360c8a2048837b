package bbtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthentication(t *testing.T) {
	s, bot := fixture(t)
	tests := []struct {
		name, auth string
		status     int
		message    string
	}{
		{"bearer", bearer(bot), 200, ""},
		{"basic email and API token", basic(bot), 200, ""},
		{"none", "", 401, "Authentication is required"},
		{"unknown bearer", "Bearer nope", 401, "Token is invalid"},
		{"basic with the access token", "Basic " + b64(bot.Email+":"+bot.AccessToken), 401, "Token is invalid"},
		{"basic with the nickname", "Basic " + b64(bot.Nickname+":"+bot.APIToken), 401, "Token is invalid"},
		{"bearer with the API token", "Bearer " + bot.APIToken, 401, "Token is invalid"},
		{"malformed basic", "Basic !!!", 401, "Token is invalid"},
		{"other scheme", "Token " + bot.AccessToken, 401, "Token is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := send(t, s, "GET", "/user", tt.auth, nil)
			require.Equal(t, tt.status, resp.StatusCode, "%s", data)
			if tt.status == 200 {
				m := decode(t, data)
				assert.Equal(t, bot.UUID, m["uuid"])
				assert.Equal(t, "user", m["type"])
				assert.Equal(t, bot.AccountID, m["account_id"])
				return
			}
			assert.Contains(t, errMessage(t, data), tt.message)
			assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
		})
	}
	assert.Empty(t, s.Violations(), "auth failures are answers, not violations")
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func itoa(n int) string { return strconv.Itoa(n) }

func TestScopes(t *testing.T) {
	s, _ := fixture(t)
	without := func(name string, drop ...string) User {
		u := NewUser(name)
		u.Scopes = slices.DeleteFunc(u.Scopes, func(sc string) bool { return slices.Contains(drop, sc) })
		return s.AddUser(u)
	}
	noUser := without("no-user", ScopeReadUser)
	readOnly := without("read-only", ScopeWritePullRequest)
	noWriteRepo := without("no-write-repo", ScopeWriteRepository)

	resp, data := send(t, s, "GET", "/user", bearer(noUser), nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	m := decode(t, data)
	e := m["error"].(map[string]any)
	assert.Equal(t, "Your credentials lack one or more required privilege scopes.", e["message"])
	detail := e["detail"].(map[string]any)
	assert.Equal(t, []any{ScopeReadUser}, detail["required"])
	assert.NotContains(t, detail["granted"], ScopeReadUser)
	assert.Contains(t, detail["granted"], ScopeReadPullRequest)

	// Reading comments needs read:pullrequest only; writing needs write too,
	// although the document lists only read.
	resp, _ = send(t, s, "GET", prPath+"/comments", bearer(readOnly), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, data = send(t, s, "POST", prPath+"/comments", bearer(readOnly), comment("x", nil))
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	detail = decode(t, data)["error"].(map[string]any)["detail"].(map[string]any)
	assert.Equal(t, []any{ScopeReadPullRequest, ScopeWritePullRequest}, detail["required"])

	resp, data = send(t, s, "POST", prPath+"/comments", bearer(NewUser("bot")), comment("x", nil))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	id := decode(t, data)["id"].(float64)
	for _, op := range []struct{ method, path string }{
		{"PUT", prPath + "/comments/" + itoa(int(id))},
		{"DELETE", prPath + "/comments/" + itoa(int(id))},
		{"POST", prPath + "/comments/" + itoa(int(id)) + "/resolve"},
		{"DELETE", prPath + "/comments/" + itoa(int(id)) + "/resolve"},
	} {
		var body any
		if op.method == "PUT" {
			body = comment("y", nil)
		}
		resp, _ = send(t, s, op.method, op.path, bearer(readOnly), body)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %s", op.method, op.path)
	}

	// Reports need read:repository only.
	resp, data = send(t, s, "PUT", "/repositories/acme/widgets/commit/"+srcHash+"/reports/bitreview", bearer(noWriteRepo),
		map[string]any{"title": "bitreview", "report_type": "BUG", "result": "PENDING"})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	noReadRepo := without("no-read-repo", ScopeReadRepository)
	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/commit/"+srcHash+"/reports/bitreview", bearer(noReadRepo), nil)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Replacing a user changes its scopes.
	fixed := NewUser("no-user")
	s.AddUser(fixed)
	resp, _ = send(t, s, "GET", "/user", bearer(fixed), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestDiffRedirectNeedsAuthOnTarget(t *testing.T) {
	s, bot := fixture(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, _, err := tryCall(noFollow, s, "GET", prPath+"/diff", bearer(bot), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc := resp.Header.Get("Location")
	want := s.URL + "/repositories/acme/widgets/diff/acme/widgets:" + srcHash[:12] + "%0D" + dstHash[:12] + "?from_pullrequest_id=1&topic=true"
	assert.Equal(t, want, loc)

	resp, data, err := tryCall(noFollow, s, "GET", prPath+"/diff", "", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the redirect itself needs auth: %s", data)

	resp, data = send(t, s, "GET", loc, "", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a client that drops credentials on redirect fails: %s", data)

	resp, data = send(t, s, "GET", loc, basic(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, sampleDiff, string(data))
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))

	// Go's client keeps Authorization on a same-host redirect.
	resp, data = send(t, s, "GET", prPath+"/diff", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, sampleDiff, string(data))

	// The same diff through the two-dot spec, with a path filter.
	resp, data = send(t, s, "GET", "/repositories/acme/widgets/diff/"+srcHash+".."+dstHash[:7]+"?path=added.txt&path=new_name.go", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Contains(t, string(data), "diff --git a/added.txt b/added.txt")
	assert.Contains(t, string(data), "rename to new_name.go")
	assert.NotContains(t, string(data), "main.go")

	// A new push: the new spec serves the new diff, the old one the old.
	newSrc := "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	newDiff := "diff --git a/added.txt b/added.txt\nnew file mode 100644\nindex 0000000..6666666\n--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1 @@\n+hi\n"
	s.SetPullRequestDiff(ws, slug, 1, newSrc, newDiff)
	resp, data = send(t, s, "GET", prPath+"/diff", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, newDiff, string(data))
	resp, data = send(t, s, "GET", loc, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, sampleDiff, string(data))
	pr, _ := s.PullRequest(ws, slug, 1)
	assert.Equal(t, newSrc, pr.Source.Commit)

	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/diff/"+strings.Repeat("c", 40)+".."+dstHash, bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestPullRequestAndRepository(t *testing.T) {
	s, bot := fixture(t)
	resp, data := send(t, s, "GET", prPath, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := decode(t, data)
	assert.Equal(t, "pullrequest", m["type"])
	assert.Equal(t, float64(1), m["id"])
	assert.Equal(t, "OPEN", m["state"])
	assert.Equal(t, "Does things.", m["description"])
	assert.Equal(t, "Does things.", m["summary"].(map[string]any)["raw"])
	src := m["source"].(map[string]any)
	assert.Equal(t, srcHash[:12], src["commit"].(map[string]any)["hash"], "12-hex short hash, as live")
	assert.Equal(t, "feature/x", src["branch"].(map[string]any)["name"])
	assert.Equal(t, "acme/widgets", src["repository"].(map[string]any)["full_name"])
	assert.Equal(t, dstHash[:12], m["destination"].(map[string]any)["commit"].(map[string]any)["hash"])
	assert.NotContains(t, string(data), "null")

	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/pullrequests/2", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = send(t, s, "GET", "/repositories/acme/nope/pullrequests/1", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	resp, data = send(t, s, "GET", "/repositories/acme/widgets", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	repo := decode(t, data)
	assert.Equal(t, "acme/widgets", repo["full_name"])
	assert.Equal(t, "main", repo["mainbranch"].(map[string]any)["name"])
	assert.Regexp(t, `^\{[0-9a-f-]{36}\}$`, repo["uuid"])
}

func TestSrc(t *testing.T) {
	s, bot := fixture(t)
	s.AddFile(ws, slug, dstHash, "dir/config.yml", "a: 1\n")
	s.AddFile(ws, slug, "main", "README.md", "# hi\n")
	resp, data := send(t, s, "GET", "/repositories/acme/widgets/src/"+dstHash[:12]+"/dir/config.yml", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, "a: 1\n", string(data))
	assert.NotEmpty(t, resp.Header.Get("ETag"))
	assert.NotContains(t, resp.Header.Get("Content-Type"), "charset")

	resp, data = send(t, s, "GET", "/repositories/acme/widgets/src/main/README.md", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "# hi\n", string(data))

	resp, data = send(t, s, "GET", "/repositories/acme/widgets/src/"+dstHash+"/dir/config.yml?format=meta", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, float64(5), decode(t, data)["size"])

	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/src/"+dstHash+"/dir/missing.yml", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/src/"+srcHash+"/dir/config.yml", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "files live at their commit only")
	// An escaped path works too.
	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/src/"+dstHash+"/"+url.PathEscape("dir/config.yml"), bearer(bot), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// ?format=meta tells a regular file from a symlink, a submodule and a
// directory, as bbapi.FileMeta reads them.
func TestSrcMetaKinds(t *testing.T) {
	s, bot := fixture(t)
	s.AddFile(ws, slug, dstHash, "dir/real.md", "REAL\n")
	s.AddSymlink(ws, slug, dstHash, "link.md", "dir/real.md")
	s.AddSubmodule(ws, slug, dstHash, "vendor/lib")
	for path, want := range map[string]struct {
		typ   string
		attrs []any
	}{
		"dir/real.md": {"commit_file", []any{}},
		"link.md":     {"commit_file", []any{"link"}},
		"vendor/lib":  {"commit_file", []any{"subrepository"}},
		"dir":         {"commit_directory", nil},
	} {
		resp, data := send(t, s, "GET", "/repositories/acme/widgets/src/"+dstHash+"/"+path+"?format=meta", bearer(bot), nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, data)
		m := decode(t, data)
		assert.Equal(t, want.typ, m["type"], path)
		if want.attrs != nil {
			assert.Equal(t, want.attrs, m["attributes"], path)
		}
	}
}
