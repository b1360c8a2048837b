package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const reportURL = "/repositories/acme/widgets/commit/" + srcHash + "/reports/bitreview-llm"

func annotations(from, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{
			"external_id": fmt.Sprintf("bitreview-%d", from+i), "annotation_type": "BUG",
			"summary": "finding", "path": "main.go", "line": 4, "severity": "HIGH", "result": "FAILED",
		}
	}
	return out
}

// TestReportsAndAnnotations walks one report through its life: created
// PENDING, annotations refused then filled to the cap, listed and edited,
// turned FAILED, then deleted. Each phase starts from the state the one
// before left.
func TestReportsAndAnnotations(t *testing.T) {
	s, bot := fixture(t, AllowViolations())
	auth := bearer(bot)
	resp, _ := send(t, s, "POST", reportURL+"/annotations", auth, annotations(0, 1))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no report yet")

	resp, data := send(t, s, "PUT", reportURL, auth, map[string]any{
		"title": "bitreview", "details": "LLM review", "report_type": "BUG", "result": "PENDING", "reporter": "bitreview",
	})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	r := decode(t, data)
	assert.Equal(t, "report", r["type"])
	assert.Equal(t, "bitreview-llm", r["external_id"])
	assert.Equal(t, "PENDING", r["result"])

	refuseBadAnnotationBatches(t, s, auth)
	fillAnnotationsToCap(t, s, auth)
	listAndEditAnnotations(t, s, auth)
	failReportKeepingAnnotations(t, s, auth)
	refuseTooMuchDataThenDelete(t, s, auth)
}

// refuseBadAnnotationBatches: batches of 0 and 101 are refused, as are
// malformed annotations, and nothing is stored.
func refuseBadAnnotationBatches(t *testing.T, s *Server, auth string) {
	t.Helper()
	before := len(s.Violations())
	for _, body := range []any{
		[]any{},
		annotations(0, 101),
		[]any{map[string]any{"external_id": "x"}},
		[]any{map[string]any{"external_id": "x", "summary": ""}},
		[]any{map[string]any{"summary": "no id"}},
		append(annotations(0, 1), annotations(0, 1)...),
		map[string]any{"external_id": "x", "summary": "not an array"},
		[]any{map[string]any{"external_id": "x", "summary": "s", "type": "report_annotation"}},
		[]any{map[string]any{"external_id": "x", "summary": "s", "line": 0}},
		[]any{map[string]any{"external_id": "x", "summary": "s", "severity": "BLOCKER"}},
	} {
		resp, data := send(t, s, "POST", reportURL+"/annotations", auth, body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
	}
	assert.Len(t, s.Violations(), before+10)
	assert.Empty(t, s.Annotations(ws, slug, srcHash, "bitreview-llm"))
}

// fillAnnotationsToCap: 10 batches of 100 reach the cap of 1,000;
// updating existing ones is fine, one more is not.
func fillAnnotationsToCap(t *testing.T, s *Server, auth string) {
	t.Helper()
	for b := 0; b < 10; b++ {
		resp, data := send(t, s, "POST", reportURL+"/annotations", auth, annotations(b*100, 100))
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
		var list []any
		require.NoError(t, json.Unmarshal(data, &list))
		assert.Len(t, list, 100)
	}
	resp, _ := send(t, s, "POST", reportURL+"/annotations", auth, annotations(0, 100))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	before := len(s.Violations())
	resp, data := send(t, s, "POST", reportURL+"/annotations", auth, annotations(1000, 1))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(data), "at most 1000")
	require.Len(t, s.Violations(), before+1)
	assert.Len(t, s.Annotations(ws, slug, srcHash[:12], "bitreview-llm"), 1000)
}

// listAndEditAnnotations: paginated listing, single annotation access.
func listAndEditAnnotations(t *testing.T, s *Server, auth string) {
	t.Helper()
	resp, data := send(t, s, "GET", reportURL+"/annotations?pagelen=100&page=10", auth, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	page := decode(t, data)
	assert.Len(t, page["values"], 100)
	assert.NotContains(t, page, "next")
	resp, data = send(t, s, "GET", reportURL+"/annotations/bitreview-7", auth, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "report_annotation", decode(t, data)["type"])
	resp, _ = send(t, s, "DELETE", reportURL+"/annotations/bitreview-7", auth, nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, data = send(t, s, "PUT", reportURL+"/annotations/bitreview-new", auth, map[string]any{"summary": "one", "line": 3, "path": "main.go"})
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, "bitreview-new", decode(t, data)["external_id"])
}

// failReportKeepingAnnotations: PENDING → FAILED; the report keeps its
// annotations and is listed on the commit.
func failReportKeepingAnnotations(t *testing.T, s *Server, auth string) {
	t.Helper()
	resp, _ := send(t, s, "PUT", reportURL, auth, map[string]any{"title": "bitreview", "report_type": "BUG", "result": "FAILED",
		"data": []any{map[string]any{"title": "Findings", "type": "NUMBER", "value": 1000}}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	rep, ok := s.Report(ws, slug, srcHash, "bitreview-llm")
	require.True(t, ok)
	assert.Equal(t, "FAILED", rep.Result)
	assert.Equal(t, []ReportData{{Title: "Findings", Type: "NUMBER", Value: float64(1000)}}, rep.Data)
	assert.Len(t, s.Annotations(ws, slug, srcHash, rep.UUID), 1000)

	resp, data := send(t, s, "GET", "/repositories/acme/widgets/commit/"+srcHash[:12]+"/reports", auth, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, decode(t, data)["values"], 1)
}

// refuseTooMuchDataThenDelete: 11 data fields are too many; a report on
// an unknown commit is 404; a deleted report is gone, and deleting it
// again is 404, as on the live API.
func refuseTooMuchDataThenDelete(t *testing.T, s *Server, auth string) {
	t.Helper()
	data11 := make([]any, 11)
	for i := range data11 {
		data11[i] = map[string]any{"title": "t", "type": "TEXT", "value": "v"}
	}
	resp, _ := send(t, s, "PUT", reportURL, auth, map[string]any{"title": "x", "data": data11})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, _ = send(t, s, "PUT", "/repositories/acme/widgets/commit/"+fmt.Sprintf("%040d", 7)+"/reports/x", auth, map[string]any{"title": "x"})
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = send(t, s, "DELETE", reportURL, auth, nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = send(t, s, "GET", reportURL, auth, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Empty(t, s.Reports(ws, slug, srcHash))
	resp, data := send(t, s, "DELETE", reportURL, auth, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, errMessage(t, data), "not found")
}
