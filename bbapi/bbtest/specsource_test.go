package bbtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidatesOnBareClone is a clone with nothing beside it: no
// ../shared, no $BITREVIEW_OPENAPI. The fake still validates requests, with
// the subset of the document embedded in the package.
func TestValidatesOnBareClone(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(SpecEnv, "")
	require.NoFileExists(t, searchSpec(), "the temporary directory has no shared/ above it")

	rt := &recordingTB{TB: t}
	s := New(rt, AllowViolations())
	defer rt.runCleanups()
	assert.Empty(t, rt.logs, "nothing is skipped")
	require.NotEmpty(t, s.SpecPath(), "requests are validated")

	bot := s.AddUser(NewUser("bot"))
	s.AddPullRequest(ws, slug, PullRequest{ID: 1}, sampleDiff)
	resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), `{"content":{"raw":"x"},"pending":"yes"}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
	require.Len(t, s.Violations(), 1)
	assert.Contains(t, s.Violations()[0].Reason, "request body at /pending")
}

// withSubset makes a Server validate with the embedded subset even when the
// full document is present.
func withSubset() Option { return func(c *config) { c.subset = true } }

// TestSubsetRejectsLikeFull sends the same requests to a fake validating
// with the embedded subset and, when ../shared has it, to one validating
// with the full document: the subset refuses what the full document
// refuses, for the same reason, and accepts what it accepts.
func TestSubsetRejectsLikeFull(t *testing.T) {
	sources := map[string]Option{"subset": withSubset()}
	if full := searchSpec(); isFile(full) {
		sources["full"] = WithSpec(full)
	} else {
		t.Logf("the full document is not at %s: checking the subset alone", full)
	}
	report := "/repositories/acme/widgets/commit/" + srcHash + "/reports/r1"
	bad := []violationCase{
		{"unknown path", "GET", "/repositories/acme/widgets/nonsense", nil, "", 404, "no such route"},
		{"method not in the document", "PATCH", prPath, nil, "", 405, "PATCH is not defined"},
		{"path parameter type", "GET", "/repositories/acme/widgets/pullrequests/abc", nil, "", 400, `path parameter "pull_request_id"`},
		{"query parameter type", "GET", "/repositories/acme/widgets/diff/" + srcHash + ".." + dstHash + "?context=many", nil, "", 400, `query parameter "context"`},
		{"body field type", "POST", prPath + "/comments", `{"content":{"raw":"x"},"pending":"yes"}`, "", 400, "request body at /pending"},
		{"nested field type", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","to":"ten"}}`, "", 400, "request body at /inline/to"},
		{"unknown property", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","line":3}}`, "", 400, "request body at /inline"},
		{"missing required", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"to":3}}`, "", 400, "request body at /inline"},
		{"minimum", "POST", prPath + "/comments", `{"content":{"raw":"x"},"inline":{"path":"main.go","to":0}}`, "", 400, "request body at /inline/to"},
		{"report enum", "PUT", report, `{"title":"t","result":"MAYBE"}`, "", 400, "request body at /result"},
		{"report format uri", "PUT", report, `{"title":"t","link":"not a link"}`, "", 400, "request body at /link"},
		{"annotation enum", "PUT", report + "/annotations/a1", `{"summary":"s","annotation_type":"BUG","severity":"HUGE"}`, "", 400, "request body at /severity"},
		{"pipeline field type", "POST", pipelinesURL, `{"target":{"type":"pipeline_ref_target","ref_type":"branch","ref_name":"main","selector":{"type":"custom","pattern":"x"}},"build_number":"x"}`, "", 400, "request body at /build_number"},
		{"task field type", "POST", prPath + "/tasks", `{"content":{"raw":"x"},"pending":"yes"}`, "", 400, "request body at /pending"},
	}
	good := []violationCase{
		{"comment", "POST", prPath + "/comments", comment("fine", map[string]any{"path": "main.go", "to": 4}), "", 201, ""},
		{"report", "PUT", report, map[string]any{"title": "t", "report_type": "BUG", "result": "PASSED", "data": []any{map[string]any{"title": "n", "type": "NUMBER", "value": 1}}}, "", 200, ""},
		{"annotations", "POST", report + "/annotations", annotations(0, 2), "", 200, ""},
		{"webhook", "POST", hooksPath, map[string]any{"url": "https://relay.example.com/h", "events": []string{"pullrequest:created"}}, "", 201, ""},
		{"task", "POST", prPath + "/tasks", map[string]any{"content": map[string]any{"raw": "do it"}}, "", 201, ""},
	}
	reasons := map[string][]string{}
	for name, opt := range sources {
		t.Run(name, func(t *testing.T) {
			s, bot := fixture(t, AllowViolations(), opt)
			require.Equal(t, name == "subset", s.spec.subset)
			for _, tt := range good {
				resp, data := send(t, s, tt.method, tt.path, bearer(bot), tt.body)
				assert.Equal(t, tt.status, resp.StatusCode, "%s: %s", tt.name, data)
			}
			require.Empty(t, s.Violations(), "the valid requests are accepted")
			for i, tt := range bad {
				resp, data := send(t, s, tt.method, tt.path, bearer(bot), tt.body)
				assert.Equal(t, tt.status, resp.StatusCode, "%s: %s", tt.name, data)
				vs := s.Violations()
				if !assert.Len(t, vs, i+1, tt.name) {
					return
				}
				assert.Contains(t, vs[i].Reason, tt.reason, tt.name)
				reasons[name] = append(reasons[name], strings.TrimSuffix(vs[i].Reason, s.spec.unknownHint()))
			}
		})
	}
	if len(sources) == 2 {
		assert.Equal(t, reasons["full"], reasons["subset"], "the subset refuses for the full document's reasons")
	}
}

// TestSubsetCoversRoutes holds on every clone: the embedded subset has
// exactly the operations the fake serves. A new route fails here until
// `go generate ./bbapi/bbtest` has cut its part of the document.
func TestSubsetCoversRoutes(t *testing.T) {
	sd, err := loadSpecCached(specSource{embedded: true})
	require.NoError(t, err)
	require.True(t, sd.subset)
	var inSubset []Operation
	for path, item := range sd.doc.Paths.Map() {
		for method := range item.Operations() {
			inSubset = append(inSubset, Operation{Method: method, Path: path})
		}
	}
	assert.ElementsMatch(t, Operations(), inSubset, "run: go generate ./bbapi/bbtest")
	assert.NoError(t, (&Server{routes: (&Server{}).routeTable()}).checkRoutes(sd))
}
