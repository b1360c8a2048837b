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

// badConfig has a value of the wrong type on line 3.
const badConfig = "paths:\n  - path: a\n    instructions: 42\n"

// writeConfig writes a config file name into dir and returns its path.
func writeConfig(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	good := writeConfig(t, dir, "good.yaml", "profile: chill\nunknwon: 1\n")
	bad := writeConfig(t, dir, "bad.yaml", badConfig)

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

// `config validate` is for editors and pre-commit hooks: a misspelt key
// fails it (the pipe only warns), and every file given is checked.
func TestConfigValidateUnknownKeysAndEveryFile(t *testing.T) {
	dir := t.TempDir()
	good := writeConfig(t, dir, "good.yaml", "profile: chill\n")
	typo := writeConfig(t, dir, "typo.yaml", "profile: chill\npath_filter:\n  - src/**\n")
	bad := writeConfig(t, dir, "bad.yaml", badConfig)

	var out, errOut bytes.Buffer
	assert.Equal(t, exitConfig, run(t.Context(), []string{"config", "validate", typo}, nil, &out, &errOut))
	assert.Contains(t, errOut.String(), "✖ "+typo+": path_filter: unknown key (did you mean path_filters?), line 2")
	assert.NotContains(t, out.String(), "is valid")

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitConfig, run(t.Context(), []string{"config", "validate", good, typo, bad, filepath.Join(dir, "missing.yaml")}, nil, &out, &errOut))
	assert.Contains(t, out.String(), "✔ "+good+" is valid")
	assert.Contains(t, errOut.String(), typo+": path_filter: unknown key")
	assert.Contains(t, errOut.String(), bad+": paths[0].instructions: expected string, got number, line 3")
	assert.Contains(t, errOut.String(), "missing.yaml")

	out.Reset()
	errOut.Reset()
	assert.Equal(t, exitOK, run(t.Context(), []string{"config", "validate", good, good}, nil, &out, &errOut))
	assert.Empty(t, errOut.String())
}
