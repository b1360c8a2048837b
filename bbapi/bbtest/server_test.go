package bbtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireSpec skips nothing: the fake's own tests need the document, and
// fail loudly when it is missing.
func requireSpec(t *testing.T, s *Server) {
	t.Helper()
	require.NotEmpty(t, s.SpecPath(), "official spec not found; set %s", SpecEnv)
}

func TestSpecLoadedOnce(t *testing.T) {
	s1, _ := fixture(t)
	requireSpec(t, s1)
	s2 := New(t)
	assert.Equal(t, s1.spec, s2.spec, "the document is loaded once per process")
	t.Logf("spec %s loaded and patched in %s", s1.SpecPath(), s1.SpecLoadTime())
}

func TestViolations(t *testing.T) {
	s, bot := fixture(t, AllowViolations())
	requireSpec(t, s)
	tests := []violationCase{
		{"unknown path", "GET", "/repositories/acme/widgets/nonsense", nil, "", 404, "no such route"},
		{"outside /2.0", "GET", strings.TrimSuffix(s.URL, apiPrefix) + "/repositories/acme/widgets", nil, "", 404, "lives under /2.0"},
		{"method not in spec", "PATCH", prPath, nil, "", 405, "PATCH is not defined"},
		{"path parameter type", "GET", "/repositories/acme/widgets/pullrequests/abc", nil, "", 400, `path parameter "pull_request_id"`},
		{"query parameter type", "GET", "/repositories/acme/widgets/diff/" + srcHash + ".." + dstHash + "?context=many", nil, "", 400, `query parameter "context"`},
		{"body with wrong type", "POST", prPath + "/comments", `{"content":{"raw":"x"},"pending":"yes"}`, "", 400, "/pending"},
		{"raw with wrong type", "POST", prPath + "/comments", `{"content":{"raw":5}}`, "", 400, "content.raw"},
		{"body with null", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":null}`, "", 400, "null value at /inline"},
		{"type on a comment", "POST", prPath + "/comments", `{"type":"pullrequest_comment","content":{"raw":"x"}}`, "", 400, `"type" field at /type`},
		{"type on a parent", "POST", prPath + "/comments", `{"content":{"raw":"x"},"parent":{"id":1,"type":"pullrequest_comment"}}`, "", 400, `"type" field at /parent/type`},
		{"unknown property of inline", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","line":3}}`, "", 400, "/inline"},
		{"inline without path", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"to":3}}`, "", 400, "/inline"},
		{"non-integer line", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","to":"ten"}}`, "", 400, "/inline/to"},
		{"fractional line", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","to":4.5}}`, "", 400, "/inline/to"},
		{"line zero", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","to":0}}`, "", 400, "/inline/to"},
		{"not JSON", "POST", prPath + "/comments", `{"content":`, "", 400, "not valid JSON"},
		{"form content type", "POST", prPath + "/comments", `{"content":{"raw":"x"}}`, "application/x-www-form-urlencoded", 400, "application/json"},
		{"empty comment", "POST", prPath + "/comments", `{"content":{"raw":"  "}}`, "", 400, "non-empty content.raw"},
		{"comment too long", "POST", prPath + "/comments", comment(strings.Repeat("é", MaxCommentLength+1), nil), "", 400, "32769 characters"},
		{"report enum", "PUT", "/repositories/acme/widgets/commit/" + srcHash + "/reports/r1", `{"title":"t","result":"MAYBE"}`, "", 400, "/result"},
		{"report link not a URI", "PUT", "/repositories/acme/widgets/commit/" + srcHash + "/reports/r1", `{"title":"t","link":"not a link"}`, "", 400, "/link"},
		{"pagelen above 100", "GET", prPath + "/comments?pagelen=101", nil, "", 400, "pagelen=101"},
		{"unsupported filter", "GET", prPath + "/comments?q=user.uuid%3D%22x%22", nil, "", 400, "q="},
	}
	// A documented route the fake lacks is a 501 with the full document; the
	// embedded subset has only the fake's routes, so there it is unknown.
	lacks := violationCase{"spec route the fake lacks", "GET", "/repositories/acme/widgets/watchers", nil, "", 501, "bbtest does not implement"}
	if s.spec.subset {
		lacks.status, lacks.reason = 404, "subset of the document"
	}
	tests = append(tests, lacks)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Violations())
			u := tt.path
			if !strings.HasPrefix(u, "http") {
				u = s.URL + u
			}
			req, err := http.NewRequest(tt.method, u, rawBody(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", bearer(bot))
			if tt.body != nil {
				ct := tt.contentType
				if ct == "" {
					ct = "application/json"
				}
				req.Header.Set("Content-Type", ct)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			vs := s.Violations()
			require.Len(t, vs, before+1)
			assert.Contains(t, vs[before].Reason, tt.reason)
			t.Log(vs[before].Reason)
			assert.Equal(t, tt.method, vs[before].Method)
		})
	}
	assert.Empty(t, s.Comments(ws, slug, 1), "no violating comment was stored")
}

// violationCase is a request the fake must refuse, with the status and a
// part of the reason.
type violationCase struct {
	name, method, path string
	body               any
	contentType        string
	status             int
	reason             string
}

func rawBody(b any) *strings.Reader {
	switch x := b.(type) {
	case nil:
		return strings.NewReader("")
	case string:
		return strings.NewReader(x)
	default:
		data, _ := json.Marshal(x)
		return strings.NewReader(string(data))
	}
}

// TestQuirkPatch shows the patch matters: the published document rejects
// a comment without "type", the patched one accepts it.
func TestQuirkPatch(t *testing.T) {
	s, bot := fixture(t)
	requireSpec(t, s)

	resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("hello", map[string]any{"path": "main.go", "to": 4}))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	resp, data = send(t, s, "POST", prPath+"/comments", bearer(bot), map[string]any{"content": map[string]any{"raw": "reply"}, "parent": map[string]any{"id": decode(t, data)["id"]}})
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)

	doc, err := openapi3.NewLoader().LoadFromData(s.spec.raw)
	require.NoError(t, err)
	schema := doc.Components.Schemas["pullrequest_comment"].Value
	body := map[string]any{"content": map[string]any{"raw": "hello"}}
	assert.Error(t, schema.VisitJSON(body), "unpatched document requires type")
	assert.NoError(t, s.spec.doc.Components.Schemas["pullrequest_comment"].Value.VisitJSON(body))

	// report_data.value: the document says object, the API takes scalars.
	resp, data = send(t, s, "PUT", "/repositories/acme/widgets/commit/"+srcHash+"/reports/bitreview", bearer(bot), map[string]any{
		"title": "bitreview", "report_type": "BUG", "result": "PASSED",
		"data": []any{
			map[string]any{"title": "Findings", "type": "NUMBER", "value": 3},
			map[string]any{"title": "Safe", "type": "BOOLEAN", "value": false},
			map[string]any{"title": "Model", "type": "TEXT", "value": "m"},
			map[string]any{"title": "More", "type": "LINK", "value": map[string]any{"text": "x", "href": "https://example.com"}},
		},
	})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Error(t, doc.Components.Schemas["report_data"].Value.VisitJSON(map[string]any{"value": 3.0}))
}

func TestViolationsFailTheTest(t *testing.T) {
	rt := &recordingTB{TB: t}
	s := New(rt)
	s.AddUser(NewUser("bot"))
	resp, _ := send(t, s, "GET", "/nope", bearer(NewUser("bot")), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	rt.runCleanups()
	require.Len(t, rt.errors, 1)
	assert.Contains(t, rt.errors[0], "GET /2.0/nope")

	rt = &recordingTB{TB: t}
	s = New(rt, AllowViolations())
	send(t, s, "GET", "/nope", "", nil)
	rt.runCleanups()
	assert.Empty(t, rt.errors)
	assert.Len(t, s.Violations(), 1)
}

func TestNoSpecSaysSo(t *testing.T) {
	rt := &recordingTB{TB: t}
	s := New(rt, WithSpec("/nonexistent/openapi.json"))
	defer rt.runCleanups()
	require.NotEmpty(t, rt.logs)
	assert.Contains(t, rt.logs[0], "official spec not found at /nonexistent/openapi.json; request validation SKIPPED")
	assert.Empty(t, s.SpecPath())

	bot := s.AddUser(NewUser("bot"))
	s.AddPullRequest(ws, slug, PullRequest{ID: 1}, sampleDiff)
	resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("works", map[string]any{"path": "main.go", "to": 4}))
	assert.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	// The live rules and the route table still apply.
	resp, _ = send(t, s, "POST", prPath+"/comments", bearer(bot), `{"type":"x","content":{"raw":"x"}}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", map[string]any{"path": "main.go", "to": "ten"}))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = send(t, s, "GET", "/repositories/acme/widgets/nonsense", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Len(t, s.Violations(), 3)
	// Scopes fall back to the route table's copy of the document's.
	weak := NewUser("weak")
	weak.Scopes = []string{ScopeReadPullRequest}
	s.AddUser(weak)
	resp, _ = send(t, s, "POST", prPath+"/comments", bearer(weak), comment("x", nil))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	rt.cleanups = rt.cleanups[:0]
	s.Close()
}

func TestNewServerStandalone(t *testing.T) {
	var logs []string
	s, err := NewServer(WithAddr("127.0.0.1:0"), WithLogf(func(f string, a ...any) { logs = append(logs, f) }))
	require.NoError(t, err)
	defer s.Close()
	bot := s.AddUser(NewUser("bot"))
	resp, data := send(t, s, "GET", "/user", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, bot.UUID, decode(t, data)["uuid"])
	s.Close()
	s.Close() // idempotent
	_, err = http.Get(s.URL + "/user")
	assert.Error(t, err)
}

func TestAllScopesCoverSpec(t *testing.T) {
	s := New(t)
	requireSpec(t, s)
	for _, item := range s.spec.doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, sc := range specScopes(op) {
				assert.Contains(t, AllScopes(), sc, "%s", method)
			}
		}
	}
}

func TestRequestLog(t *testing.T) {
	s, bot := fixture(t)
	send(t, s, "GET", "/user", basic(bot), nil)
	send(t, s, "POST", prPath+"/comments", bearer(bot), comment("one", nil))
	send(t, s, "GET", prPath+"/comments?pagelen=5", "", nil)
	reqs := s.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Basic bot@example.com", reqs[0].Auth)
	assert.Equal(t, "Bearer bot", reqs[1].Auth)
	assert.Equal(t, "", reqs[2].Auth)
	assert.Equal(t, []int{200, 201, 401}, []int{reqs[0].Status, reqs[1].Status, reqs[2].Status})
	assert.Equal(t, "POST /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/comments", reqs[1].Route)
	assert.JSONEq(t, `{"content":{"raw":"one"}}`, string(reqs[1].Body))
	assert.Equal(t, "5", reqs[2].Query.Get("pagelen"))
	for _, r := range reqs {
		assert.NotContains(t, r.Auth, bot.AccessToken)
		assert.NotContains(t, r.Auth, bot.APIToken)
	}
	assert.Equal(t, 1, s.Count("POST", "/pullrequests/1/comments"))
	assert.Equal(t, 2, s.Count("", "/pullrequests/1/comments"))
	assert.Equal(t, 1, s.RouteCounts()["GET /user"])
}

func TestClosedServerCutsHangs(t *testing.T) {
	s, bot := fixture(t)
	s.Fault(Fault{PathContains: "/user", Delay: 1 << 40})
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(context.Background(), "GET", s.URL+"/user", nil)
		req.Header.Set("Authorization", bearer(bot))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for s.Count("GET", "/user") == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	<-done
}
