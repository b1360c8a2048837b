package localreview

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/internal/gittest"
)

// An edit that leaves a file's size and mtime as the index recorded them
// is caught by git only because the entry is "racily clean" (the file is
// not older than the index file). The snapshot's copy of the index must
// keep the index's mtime, or git trusts the stale stat data and the edit
// is missed (seen as a flaky local review of an edited config).
func TestSnapshotTreeSeesRacilyCleanEdits(t *testing.T) {
	dir, _ := gittest.Commit(t, map[string]string{"README.md": "x\n"}, nil)
	git := gittest.Git(t, dir)
	git("config", "core.trustctime", "false")
	git("config", "core.checkStat", "minimal")
	readme, index := filepath.Join(dir, "README.md"), filepath.Join(dir, ".git", "index")
	then := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(readme, then, then))
	git("update-index", "--really-refresh")
	require.NoError(t, os.WriteFile(readme, []byte("y\n"), 0o644)) // same size as "x\n"
	require.NoError(t, os.Chtimes(readme, then, then))
	require.NoError(t, os.Chtimes(index, then, then))

	tree, err := snapshotTree(t.Context(), dir)
	require.NoError(t, err)
	data, err := gitblob.New(dir, tree).ReadFile(t.Context(), "README.md")
	require.NoError(t, err)
	assert.Equal(t, "y\n", string(data))
	fi, err := os.Stat(index)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(then), "the user's index is not rewritten")
}
