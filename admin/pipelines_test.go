package admin

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const partialYML = `definitions:
  steps:
    - step: &review
        name: review
        script:
          - pipe: docker://registry.example/bitreview:2.0.0
pipelines:
  pull-requests:
    '**':
      - step: *review
  custom:
    bitreview:
      - variables:
          - name: BITREVIEW_PR_ID
      - step:
          script:
            - pipe: docker://bitreview/bitreview:1.0.0
              variables:
                BITREVIEW_PR_ID: $BITREVIEW_PR_ID
`

func TestAnalysePipelinesYML(t *testing.T) {
	tests := []struct {
		name        string
		yml         string
		pipe, relay []string
	}{
		{name: "the snippet has everything", yml: PipelinesSnippet("1.2.3")},
		{name: "anchors are followed", yml: partialYML, relay: []string{
			"BITREVIEW_COMMENT_ID under the custom pipeline's variables:",
			"BITREVIEW_COMMENT_ID: $BITREVIEW_COMMENT_ID under the pipe's variables:",
			"BITREVIEW_COMMAND under the custom pipeline's variables:",
			"BITREVIEW_COMMAND: $BITREVIEW_COMMAND under the pipe's variables:",
		}},
		{name: "no bitreview at all", yml: "pipelines:\n  default:\n    - step:\n        script: [make]\n",
			pipe:  []string{"a pull-requests pipeline step with the bitreview pipe"},
			relay: []string{"the custom pipeline bitreview (custom: bitreview:)"}},
		{name: "a custom pipeline without the pipe",
			yml: "pipelines:\n  pull-requests:\n    '**':\n      - step:\n          script:\n            - pipe: docker://bitreview/bitreview:1.0.0\n" +
				"  custom:\n    bitreview:\n      - variables:\n          - name: BITREVIEW_PR_ID\n          - name: BITREVIEW_COMMENT_ID\n          - name: BITREVIEW_COMMAND\n" +
				"      - step:\n          script: [make]\n",
			relay: []string{"a bitreview pipe step in the custom pipeline bitreview"}},
		{name: "the pipe's name in any case", yml: "pipelines:\n  pull-requests:\n    feature/*:\n      - step:\n          script:\n            - pipe: docker://Example/BitReview:3.0.0\n",
			relay: []string{"the custom pipeline bitreview (custom: bitreview:)"}},
		{name: "a pipe elsewhere is no pull-request step", yml: "pipelines:\n  default:\n    - step:\n        script:\n          - pipe: docker://bitreview/bitreview:1.0.0\n",
			pipe:  []string{"a pull-requests pipeline step with the bitreview pipe"},
			relay: []string{"the custom pipeline bitreview (custom: bitreview:)"}},
		{name: "empty file", yml: "",
			pipe:  []string{"a pull-requests pipeline step with the bitreview pipe"},
			relay: []string{"the custom pipeline bitreview (custom: bitreview:)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y, err := AnalysePipelinesYML([]byte(tt.yml))
			require.NoError(t, err)
			pipe, relay := y.Missing()
			assert.Equal(t, tt.pipe, pipe)
			assert.Equal(t, tt.relay, relay)
		})
	}
}

func TestAnalysePipelinesYMLRefusesBrokenYAML(t *testing.T) {
	_, err := AnalysePipelinesYML([]byte("pipelines: [\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bitbucket-pipelines.yml is not valid YAML")
}

// The snippet pins a release's image, and names a placeholder for any
// other build.
func TestPipelinesSnippet(t *testing.T) {
	for _, tt := range []struct{ version, golden string }{
		{"v1.2.3", "snippet-release.yml"},
		{"1.2.3", "snippet-release.yml"},
		{"dev", "snippet-dev.yml"},
		{"v1.2.3-rc.1", "snippet-dev.yml"},
	} {
		t.Run(tt.version, func(t *testing.T) {
			got := PipelinesSnippet(tt.version)
			path := filepath.Join("testdata", tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
}
