package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullDoc is Atlassian's document beside the repository (never in it).
const fullDoc = "../../../../../shared/bitbucket/openapi.json"

// TestCommittedSubsetIsCurrent regenerates the subset from the full
// document, as .ci/run does, and compares it with the committed one.
func TestCommittedSubsetIsCurrent(t *testing.T) {
	if _, err := os.Stat(fullDoc); err != nil {
		t.Skipf("the full document is not beside the repository (%v); .ci/run checks it where it is", err)
	}
	out := filepath.Join(t.TempDir(), "openapi-subset.json")
	var stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-in", fullDoc, "-out", out}, &stderr), stderr.String())
	for _, name := range []string{"openapi-subset.json", "openapi-subset.sha256"} {
		want, err := os.ReadFile(filepath.Join("../../testdata", name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(filepath.Dir(out), name))
		require.NoError(t, err)
		assert.Equal(t, string(got), string(want), "%s is stale: run go generate ./bbapi/bbtest", name)
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no flags", nil, 2, "-in FILE and -out FILE.json are required"},
		{"out not json", []string{"-in", "x.json", "-out", "x.txt"}, 2, "are required"},
		{"bad flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"missing input", []string{"-in", filepath.Join(t.TempDir(), "none.json"), "-out", filepath.Join(t.TempDir(), "s.json")}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			assert.Equal(t, tt.code, run(tt.args, &stderr))
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
}
