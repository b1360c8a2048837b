package review

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

// The files a host lists beyond a diff's cut join the diff as not read,
// with their status; a file the diff holds, or one without a path, does
// not.
func TestNotRead(t *testing.T) {
	t.Parallel()
	d, err := diffparse.Parse([]byte("diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-x\n+y\n"))
	require.NoError(t, err)
	got := NotRead(d, []ListedFile{
		{Status: "modified", OldPath: "a.go", NewPath: "a.go"},
		{Status: "added", OldPath: "ignored.go", NewPath: "b.go"},
		{Status: "renamed", OldPath: "old.go", NewPath: "c.go"},
		{Status: "removed", OldPath: "d.go", NewPath: "d.go"},
		{Status: "modified", OldPath: "e.go", NewPath: "e.go"},
		{Status: "added"},
	})
	want := []*diffparse.File{
		{NotRead: true, Status: diffparse.StatusAdded, NewPath: "b.go"},
		{NotRead: true, Status: diffparse.StatusRenamed, OldPath: "old.go", NewPath: "c.go"},
		{NotRead: true, Status: diffparse.StatusDeleted, OldPath: "d.go"},
		{NotRead: true, Status: diffparse.StatusModified, OldPath: "e.go", NewPath: "e.go"},
	}
	assert.Equal(t, want, got)
}
