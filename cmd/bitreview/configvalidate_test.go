package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `config validate` is for editors and pre-commit hooks: a misspelt key
// fails it (the pipe only warns), and every file given is checked.
func TestConfigValidateUnknownKeysAndEveryFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	typo := filepath.Join(dir, "typo.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(good, []byte("profile: chill\n"), 0o644))
	require.NoError(t, os.WriteFile(typo, []byte("profile: chill\npath_filter:\n  - src/**\n"), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte("paths:\n  - path: a\n    instructions: 42\n"), 0o644))

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
