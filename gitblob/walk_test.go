package gitblob_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
)

var _ review.Tree = (*gitblob.Source)(nil)

// walked lists what Walk yields, path → size.
func walked(t *testing.T, src *gitblob.Source) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	require.NoError(t, src.Walk(t.Context(), func(path string, size int64) error {
		_, dup := got[path]
		assert.False(t, dup, "%s listed twice", path)
		got[path] = size
		return nil
	}))
	return got
}

// TestWalkListsTrackedRegularFilesOnly: the listing is the commit's
// regular files with their sizes. A symlink (whatever it points to), a
// submodule, an untracked git-ignored file and the working tree's edits
// are not in it; a large file is listed with its size (the reader
// decides).
func TestWalkListsTrackedRegularFilesOnly(t *testing.T) {
	r, commit := hostile(t)
	got := walked(t, gitblob.New(r.dir, commit))
	assert.Equal(t, map[string]int64{
		"app/a.go":   int64(len("package app\n\nfunc A() int { return 1 }\n")),
		"run.sh":     int64(len("#!/bin/sh\necho hi\n")),
		".gitignore": int64(len(".env\n")),
		"big.txt":    gitblob.DefaultMaxSize + 1,
	}, got)
}

// TestWalkSkipsAGitDirectoryInTheTree: a crafted tree (git mktree does
// not check names) can hold a directory named .git or .GIT; nothing under
// it is listed, as ReadFile refuses it.
func TestWalkSkipsAGitDirectoryInTheTree(t *testing.T) {
	r := newRepo(t)
	r.write("x", "secret-ish\n", 0o644)
	blob := r.git("hash-object", "-w", "x")
	sub := mktree(r, "100644 blob "+blob+"\tconfig\n")
	root := mktree(r, "040000 tree "+sub+"\t.git\n040000 tree "+sub+"\t.GIT\n040000 tree "+sub+"\tok\n")
	assert.Equal(t, map[string]int64{"ok/config": int64(len("secret-ish\n"))}, walked(t, gitblob.New(r.dir, root)))
}

// mktree writes a tree object from ls-tree style entries.
func mktree(r *repo, entries string) string {
	r.t.Helper()
	cmd := exec.Command("git", "-C", r.dir, "mktree")
	cmd.Stdin = strings.NewReader(entries)
	out, err := cmd.Output()
	require.NoError(r.t, err)
	return strings.TrimSpace(string(out))
}

// TestWalkStopsAndCancels: an error from fn ends the walk with that
// error; a canceled context ends it too.
func TestWalkStopsAndCancels(t *testing.T) {
	r, commit := hostile(t)
	src := gitblob.New(r.dir, commit)
	stop := errors.New("enough")
	n := 0
	err := src.Walk(t.Context(), func(string, int64) error { n++; return stop })
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, gitblob.New(r.dir, commit).Walk(ctx, func(string, int64) error { return nil }), context.Canceled)
}

// TestOpenSaysWhetherTheCommitIsThere: Open finds the commit now, so a
// caller can tell before reading that a clone lacks it.
func TestOpenSaysWhetherTheCommitIsThere(t *testing.T) {
	r, commit := hostile(t)
	require.NoError(t, gitblob.New(r.dir, commit).Open(t.Context()))
	for name, src := range map[string]*gitblob.Source{
		"unknown commit": gitblob.New(r.dir, strings.Repeat("ab", 20)),
		"short hash":     gitblob.New(r.dir, commit[:12]),
		"no repository":  gitblob.New(t.TempDir(), commit),
	} {
		var me *gitblob.MissingError
		assert.ErrorAs(t, src.Open(t.Context()), &me, name)
		assert.ErrorAs(t, src.Walk(t.Context(), func(string, int64) error { return nil }), &me, name)
	}
}

// TestReadWhileWalking: fn may read files of the same Source (the walk
// holds no lock while it calls fn).
func TestReadWhileWalking(t *testing.T) {
	r, commit := hostile(t)
	src := gitblob.New(r.dir, commit)
	read := map[string]string{}
	require.NoError(t, src.Walk(t.Context(), func(path string, size int64) error {
		if size > 1000 {
			return nil
		}
		data, err := src.ReadFile(t.Context(), path)
		read[path] = string(data)
		return err
	}))
	assert.Equal(t, "#!/bin/sh\necho hi\n", read["run.sh"])
}
