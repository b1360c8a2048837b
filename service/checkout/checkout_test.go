package checkout

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type apiFiles map[string]string

func (a apiFiles) ReadFile(_ context.Context, p string) ([]byte, error) {
	if s, ok := a[p]; ok {
		return []byte(s), nil
	}
	return nil, errors.New("not found")
}

// Without a clone the API is the only source, and a tree cannot be had:
// the error names the variable that would give one. (The clone-first
// order and its refusals are proven through both adapters by
// internal/platformtest.)
func TestWithoutAClone(t *testing.T) {
	api := apiFiles{"a.go": "package a"}
	src := Files("", "0123456789012345678901234567890123456789", api, func(error) bool { return false })
	data, err := src.ReadFile(t.Context(), "a.go")
	require.NoError(t, err)
	assert.Equal(t, "package a", string(data))

	_, err = Tree(t.Context(), "", "0123456789012345678901234567890123456789", "BITBUCKET_CLONE_DIR")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BITBUCKET_CLONE_DIR is not set")

	_, err = Tree(t.Context(), t.TempDir(), "0123456789012345678901234567890123456789", "GITHUB_WORKSPACE")
	require.Error(t, err, "a folder that is no clone has no tree")
}
