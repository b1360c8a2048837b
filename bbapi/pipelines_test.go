package bbapi

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunPipeline(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	var posts atomic.Int32
	mux.HandleFunc("/repositories/ws/repo/pipelines/", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		if posts.Add(1) > 1 {
			writeJSON(w, 502, `{}`)
			return
		}
		testJSONBody(t, r, `{"target":{"type":"pipeline_ref_target","ref_type":"branch","ref_name":"main",
			"selector":{"type":"custom","pattern":"bitreview"}},
			"variables":[{"key":"BITREVIEW_PR_ID","value":"7"},{"key":"BITREVIEW_COMMAND","value":"review"}]}`)
		writeJSON(w, 201, `{"type":"pipeline","uuid":"{p-1}","build_number":12,"state":{"name":"PENDING"},
			"target":{"type":"pipeline_ref_target","ref_type":"branch","ref_name":"main","selector":{"type":"custom","pattern":"bitreview"}}}`)
	})
	in := CustomPipelineOnBranch("main", "bitreview",
		PipelineVariable{Key: "BITREVIEW_PR_ID", Value: "7"}, PipelineVariable{Key: "BITREVIEW_COMMAND", Value: "review"})
	p, _, err := c.RunPipeline(t.Context(), "ws", "repo", in)
	require.NoError(t, err)
	assert.Equal(t, "{p-1}", p.UUID)
	assert.Equal(t, 12, p.BuildNumber)
	assert.Equal(t, "bitreview", p.Target.Selector.Pattern)

	_, _, err = c.RunPipeline(t.Context(), "ws", "repo", in)
	var er *ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, 502, er.StatusCode)
	assert.Equal(t, []string{"read:pipeline:bitbucket", "write:pipeline:bitbucket"}, er.Scopes)
	assert.Equal(t, int32(2), posts.Load(), "a POST is never retried")

	_, _, err = c.RunPipeline(t.Context(), "ws", "repo", nil)
	assert.Error(t, err)
	_, _, err = c.RunPipeline(t.Context(), "ws", "repo", &PipelineRequest{})
	assert.Error(t, err)
}

func TestListAndStopPipelines(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	mux.HandleFunc("/repositories/ws/repo/pipelines", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		assert.Equal(t, "1", r.URL.Query().Get("pagelen"))
		writeJSON(w, 200, `{"pagelen":1,"values":[{"uuid":"{p-1}","build_number":3}],"next":"https://x/next"}`)
	})
	mux.HandleFunc("/repositories/ws/repo/pipelines/{uuid}/stopPipeline", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		assert.Equal(t, "/repositories/ws/repo/pipelines/%7Bp-1%7D/stopPipeline", r.URL.EscapedPath())
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/repositories/ws/repo/pipelines_config", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"type":"repository_pipelines_configuration","enabled":true}`)
	})
	ps, resp, err := c.ListPipelines(t.Context(), "ws", "repo", 1)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, 3, ps[0].BuildNumber)
	assert.Equal(t, "https://x/next", resp.Next)
	_, err = c.StopPipeline(t.Context(), "ws", "repo", "{p-1}")
	require.NoError(t, err)
	cfg, _, err := c.GetPipelinesConfig(t.Context(), "ws", "repo")
	require.NoError(t, err)
	assert.True(t, cfg.Enabled)

	_, _, err = c.ListPipelines(t.Context(), "ws", "repo", 0)
	assert.Error(t, err)
	_, err = c.StopPipeline(t.Context(), "ws", "repo", "")
	assert.Error(t, err)
}
