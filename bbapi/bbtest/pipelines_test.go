package bbtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pipelinesURL = "/repositories/" + ws + "/" + slug + "/pipelines/"

const sampleYML = `pipelines:
  pull-requests:
    '**':
      - step:
          script:
            - pipe: docker://bitreview/bitreview:1.0.0
  custom:
    bitreview:
      - variables:
          - name: BITREVIEW_PR_ID
      - step:
          script:
            - pipe: docker://bitreview/bitreview:1.0.0
`

func customRun(branch, name string, vars ...map[string]any) map[string]any {
	b := map[string]any{"target": map[string]any{
		"type": "pipeline_ref_target", "ref_type": "branch", "ref_name": branch,
		"selector": map[string]any{"type": "custom", "pattern": name},
	}}
	if vars != nil {
		b["variables"] = vars
	}
	return b
}

func TestRunCustomPipelineRecordsTrigger(t *testing.T) {
	s, bot := fixture(t)
	s.AddFile(ws, slug, "main", PipelinesFile, sampleYML)
	resp, data := send(t, s, "POST", pipelinesURL, bearer(bot), customRun("main", "bitreview",
		map[string]any{"key": "BITREVIEW_PR_ID", "value": "1"},
		map[string]any{"key": "BITREVIEW_COMMAND", "value": "review"},
		map[string]any{"key": "TOKEN", "value": "hidden", "secured": true}))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	assert.NotContains(t, string(data), "hidden", "secured values are never served")
	out := decode(t, data)
	assert.Equal(t, float64(1), out["build_number"])
	assert.Equal(t, "PENDING", out["state"].(map[string]any)["name"])

	runs := s.Pipelines(ws, slug)
	require.Len(t, runs, 1)
	r := runs[0]
	assert.Equal(t, "pipeline_ref_target", r.TargetType)
	assert.Equal(t, "branch", r.RefType)
	assert.Equal(t, "main", r.RefName)
	assert.Equal(t, "custom", r.SelectorType)
	assert.Equal(t, "bitreview", r.SelectorPattern)
	assert.Equal(t, bot.UUID, r.Creator.UUID)
	v, ok := r.Variable("BITREVIEW_COMMAND")
	assert.True(t, ok)
	assert.Equal(t, "review", v)

	// The list shows it; stopPipeline stops it once.
	resp, data = send(t, s, "GET", "/repositories/"+ws+"/"+slug+"/pipelines?pagelen=1", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, float64(1), decode(t, data)["size"])
	stop := "/repositories/" + ws + "/" + slug + "/pipelines/" + r.UUID + "/stopPipeline"
	resp, _ = send(t, s, "POST", stop, bearer(bot), nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = send(t, s, "POST", stop, bearer(bot), nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = send(t, s, "POST", "/repositories/"+ws+"/"+slug+"/pipelines/%7B00000000-0000-0000-0000-000000000000%7D/stopPipeline", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestRunPipelineLiveErrors(t *testing.T) {
	s, bot := fixture(t)
	// No yml at the revision.
	resp, data := send(t, s, "POST", pipelinesURL, bearer(bot), customRun("main", "bitreview"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, errMessage(t, data), PipelinesFile)
	// A yml without the custom pipeline.
	s.AddFile(ws, slug, "main", PipelinesFile, "pipelines:\n  default:\n    - step:\n        script: [echo]\n")
	resp, data = send(t, s, "POST", pipelinesURL, bearer(bot), customRun("main", "bitreview"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, errMessage(t, data), `no custom pipeline "bitreview"`)
	// Pipelines disabled.
	s.AddFile(ws, slug, "main", PipelinesFile, sampleYML)
	s.SetPipelinesEnabled(ws, slug, false)
	resp, data = send(t, s, "POST", pipelinesURL, bearer(bot), customRun("main", "bitreview"))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, errMessage(t, data), "not enabled")
	resp, data = send(t, s, "GET", "/repositories/"+ws+"/"+slug+"/pipelines_config", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, false, decode(t, data)["enabled"])
	s.SetPipelinesEnabled(ws, slug, true)
	resp, _ = send(t, s, "POST", pipelinesURL, bearer(bot), customRun("main", "bitreview"))
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Empty(t, s.Violations(), "the live API's 400s are not client bugs")

	// Missing scope.
	u := NewUser("reader")
	u.Scopes = []string{"read:pipeline:bitbucket"}
	u = s.AddUser(u)
	resp, data = send(t, s, "POST", pipelinesURL, bearer(u), customRun("main", "bitreview"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, string(data), "write:pipeline:bitbucket")
}

func TestRunPipelineBodyViolations(t *testing.T) {
	s, bot := fixture(t, AllowViolations())
	s.AddFile(ws, slug, "main", PipelinesFile, sampleYML)
	for name, body := range map[string]any{
		"no target":      map[string]any{},
		"unknown type":   map[string]any{"target": map[string]any{"type": "pipeline_magic_target"}},
		"no ref name":    map[string]any{"target": map[string]any{"type": "pipeline_ref_target", "ref_type": "branch"}},
		"custom no name": customRun("main", ""),
		"bad key":        customRun("main", "bitreview", map[string]any{"key": "A-B", "value": "x"}),
		"repeated key":   customRun("main", "bitreview", map[string]any{"key": "A", "value": "x"}, map[string]any{"key": "A", "value": "y"}),
		"number value":   customRun("main", "bitreview", map[string]any{"key": "A", "value": 7}),
		"bad ref_type":   map[string]any{"target": map[string]any{"type": "pipeline_ref_target", "ref_type": "fork", "ref_name": "main"}},
	} {
		before := len(s.Violations())
		resp, _ := send(t, s, "POST", pipelinesURL, bearer(bot), body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, name)
		assert.Len(t, s.Violations(), before+1, name)
	}
	assert.Empty(t, s.Pipelines(ws, slug))
}
