package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/admin"
)

// A script that asked for JSON gets JSON, also when the configuration is
// bad: the problems as a list, and exit 2.
func TestDoctorJSONOnConfigError(t *testing.T) {
	canary := "s3cr3t-canary-value"
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"doctor", "--format", "json", "--for", "pipe"},
		[]string{"BITBUCKET_API_TOKEN=" + canary, "LLM_TIMEOUT=" + canary}, &out, &errOut)
	assert.Equal(t, exitConfig, code)
	var rep struct {
		OK       *bool         `json:"ok"`
		Problems []string      `json:"configuration_errors"`
		Checks   []admin.Check `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), "stdout is JSON: %s", out.String())
	require.NotNil(t, rep.OK)
	assert.False(t, *rep.OK)
	assert.NotEmpty(t, rep.Problems)
	joined := ""
	for _, p := range rep.Problems {
		joined += p + "\n"
	}
	for _, name := range []string{"BITBUCKET_EMAIL", "LLM_TIMEOUT", "--workspace", "--repo"} {
		assert.Contains(t, joined, name)
	}
	assert.NotContains(t, out.String()+errOut.String(), canary)
	assert.Empty(t, errOut.String(), "JSON only, on stdout")
}
