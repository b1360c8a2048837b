package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/repoconfig"
)

func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(good, []byte("profile: chill\nunknwon: 1\n"), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte("paths:\n  - path: a\n    instructions: 42\n"), 0o644))

	var out, errOut bytes.Buffer
	assert.Equal(t, exitConfig, run(t.Context(), []string{"config", "validate", good}, nil, &out, &errOut))
	assert.NotContains(t, out.String(), "is valid")
	assert.Contains(t, errOut.String(), "unknwon: unknown key, line 2")

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitConfig, run(t.Context(), []string{"config", "validate", bad}, nil, &out, &errOut))
	assert.Contains(t, errOut.String(), "paths[0].instructions: expected string, got number, line 3")

	out.Reset()
	assert.Equal(t, exitOK, run(t.Context(), []string{"config", "schema"}, nil, &out, &errOut))
	assert.Equal(t, string(repoconfig.Schema), out.String())
}

// The documented example must stay valid, warning-free, and show every key
// the schema knows, so a new key cannot ship undocumented.
func TestDocumentedExampleConfig(t *testing.T) {
	data, err := os.ReadFile("../../docs/bitreview.example.yaml")
	require.NoError(t, err)
	cfg, warns, err := repoconfig.Parse("docs/bitreview.example.yaml", data)
	require.NoError(t, err)
	require.NotNil(t, cfg)
	assert.Empty(t, warns)

	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(repoconfig.Schema, &schema))
	for key := range schema.Properties {
		assert.Regexp(t, `(?m)^`+key+`:`, string(data), "docs/bitreview.example.yaml does not show %s", key)
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), "docs/bitreview.example.yaml")
}
