package repoconfig

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden parses every file under testdata/valid and testdata/invalid and
// compares the outcome (config as JSON, warnings, errors) with its .golden.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			cfg, warns, err := Parse(filepath.Base(path), data)
			var b strings.Builder
			if err != nil {
				b.WriteString("error: " + err.Error() + "\n")
			}
			for _, w := range warns {
				b.WriteString("warning: " + w.String() + "\n")
			}
			if cfg != nil {
				out, _ := json.MarshalIndent(cfg, "", "  ")
				b.Write(out)
				b.WriteString("\n")
			}
			valid := strings.Contains(path, "/valid/")
			assert.Equal(t, valid, err == nil, b.String())
			golden := strings.TrimSuffix(path, ".yaml") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./repoconfig -update")
			assert.Equal(t, string(want), b.String())
		})
	}
}

func TestTooLarge(t *testing.T) {
	// Callers read MaxSize+1 bytes, so the size itself is unknown.
	data := []byte("profile: chill\n# " + strings.Repeat("x", MaxSize) + "\n")[:MaxSize+1]
	_, _, err := Parse(".bitreview.yaml", data)
	require.Error(t, err)
	assert.Equal(t, ".bitreview.yaml: (file): file is larger than the 256 KB limit", err.Error())
}

func TestSchemaIsValidJSON(t *testing.T) {
	var v map[string]any
	require.NoError(t, json.Unmarshal(Schema, &v))
	_, err := compiled()
	require.NoError(t, err)
}
