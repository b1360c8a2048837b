package gitblob_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
)

var _ review.FileSource = (*gitblob.Source)(nil)

// repo is a throwaway repository built with the git CLI (tests only: the
// package itself never runs git).
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir, "-c", "user.name=t", "-c", "user.email=t@example.com",
		"-c", "protocol.file.allow=always", "-c", "core.symlinks=true"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.t.TempDir())
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, string(out))
	return strings.TrimSpace(string(out))
}

func (r *repo) write(name, content string, mode os.FileMode) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	require.NoError(r.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(r.t, os.WriteFile(p, []byte(content), mode))
}

func (r *repo) symlink(name, target string) {
	r.t.Helper()
	require.NoError(r.t, os.Symlink(target, filepath.Join(r.dir, name)))
}

const canary = "https://x-token-auth:GITCONFIG-CANARY-7f3a@bitbucket.org/acme/shop.git"

// hostile builds the attacker-shaped checkout of issue 15: a symlink
// chain to .git/config, an absolute symlink, a submodule, an untracked
// git-ignored .env, and a file edited in the working tree after the
// commit. It returns the commit.
func hostile(t *testing.T) (*repo, string) {
	r := newRepo(t)
	r.git("config", "remote.origin.url", canary)
	r.write("app/a.go", "package app\n\nfunc A() int { return 1 }\n", 0o644)
	r.write("run.sh", "#!/bin/sh\necho hi\n", 0o755)
	r.write(".gitignore", ".env\n", 0o644)
	r.write("big.txt", strings.Repeat("x", gitblob.DefaultMaxSize+1), 0o644)
	r.symlink("leak.go", "[core]")
	r.symlink("[core]", ".git/config")
	r.symlink("passwd", "/etc/passwd")
	r.symlink("dirlink", "app")
	r.git("add", ".")
	r.git("update-index", "--add", "--cacheinfo", "160000,1111111111111111111111111111111111111111,vendor/sub")
	r.git("commit", "-q", "-m", "hostile")
	commit := r.git("rev-parse", "HEAD")
	r.write(".env", "DB_PASSWORD=hunter2-hunter2\n", 0o600)
	r.write("app/a.go", "WORKING TREE EDIT\n", 0o644)
	return r, commit
}

func TestReadFileModesAndPaths(t *testing.T) {
	r, commit := hostile(t)
	src := gitblob.New(r.dir, commit)
	for _, tc := range []struct {
		path   string
		want   string
		reason gitblob.Reason
	}{
		{path: "app/a.go", want: "package app\n\nfunc A() int { return 1 }\n"},
		{path: "run.sh", want: "#!/bin/sh\necho hi\n"},
		{path: "leak.go", want: "[core]"},
		{path: "[core]", want: ".git/config"},
		{path: "passwd", want: "/etc/passwd"},
		{path: "dirlink", want: "app"},
		{path: "dirlink/a.go", reason: gitblob.NotTracked},
		{path: "leak.go/x", reason: gitblob.NotTracked},
		{path: "app/a.go/x", reason: gitblob.NotTracked},
		{path: "app", reason: gitblob.Directory},
		{path: "vendor/sub", reason: gitblob.Submodule},
		{path: "vendor/sub/x.go", reason: gitblob.NotTracked},
		{path: ".env", reason: gitblob.NotTracked},
		{path: "missing.go", reason: gitblob.NotTracked},
		{path: "big.txt", reason: gitblob.TooLarge},
		{path: ".git/config", reason: gitblob.UnderGitDir},
		{path: ".GIT/config", reason: gitblob.UnderGitDir},
		{path: "app/.git/HEAD", reason: gitblob.UnderGitDir},
		{path: ".git. /config", reason: gitblob.UnderGitDir},
		{path: "", reason: gitblob.BadPath},
		{path: "/etc/passwd", reason: gitblob.BadPath},
		{path: "../outside", reason: gitblob.BadPath},
		{path: "app/../run.sh", reason: gitblob.BadPath},
		{path: "./run.sh", reason: gitblob.BadPath},
		{path: "app//a.go", reason: gitblob.BadPath},
		{path: "app/a.go\x00.txt", reason: gitblob.BadPath},
	} {
		t.Run(tc.path, func(t *testing.T) {
			data, err := src.ReadFile(t.Context(), tc.path)
			if tc.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(data))
				return
			}
			var re *gitblob.RefusedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.reason, re.Reason)
			assert.Nil(t, data)
			assert.Equal(t, tc.reason == gitblob.NotTracked, errors.Is(err, fs.ErrNotExist), "only an untracked path is a missing file")
			assert.NotContains(t, err.Error(), "GITCONFIG-CANARY")
		})
	}
}

func TestReadRegularFileRefusesSymlinksAndTruncates(t *testing.T) {
	r, commit := hostile(t)
	src := gitblob.New(r.dir, commit)
	for path, reason := range map[string]gitblob.Reason{
		"leak.go": gitblob.Symlink, "passwd": gitblob.Symlink, "app": gitblob.Directory,
		"vendor/sub": gitblob.Submodule, ".env": gitblob.NotTracked, ".git/config": gitblob.UnderGitDir,
	} {
		_, err := src.ReadRegularFile(t.Context(), path, 100)
		var re *gitblob.RefusedError
		require.ErrorAs(t, err, &re, path)
		assert.Equal(t, reason, re.Reason, path)
	}
	data, err := src.ReadRegularFile(t.Context(), "app/a.go", 11)
	require.NoError(t, err)
	assert.Equal(t, "package app", string(data), "at most limit bytes")
	data, err = src.ReadRegularFile(t.Context(), "big.txt", 5)
	require.NoError(t, err, "a large file is truncated, not refused")
	assert.Equal(t, "xxxxx", string(data))
}

func TestMissingCommitOrRepository(t *testing.T) {
	r, commit := hostile(t)
	for name, src := range map[string]*gitblob.Source{
		"unknown commit": gitblob.New(r.dir, strings.Repeat("ab", 20)),
		"short hash":     gitblob.New(r.dir, commit[:12]),
		"not a hash":     gitblob.New(r.dir, "HEAD"),
		"no repository":  gitblob.New(t.TempDir(), commit),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := src.ReadFile(t.Context(), "app/a.go")
			var me *gitblob.MissingError
			require.ErrorAs(t, err, &me)
			assert.False(t, errors.Is(err, fs.ErrNotExist), "missing is not 'not tracked': another source may know")
		})
	}
}

func TestTreeEmptyTreeAndPackedObjects(t *testing.T) {
	r, commit := hostile(t)
	r.git("add", "app/a.go")
	tree := r.git("write-tree")
	data, err := gitblob.New(r.dir, tree).ReadFile(t.Context(), "app/a.go")
	require.NoError(t, err, "a tree object is read like a commit")
	assert.Equal(t, "WORKING TREE EDIT\n", string(data))

	_, err = gitblob.New(r.dir, "4b825dc642cb6eb9a060e54bf8d69288fbee4904").ReadFile(t.Context(), "app/a.go")
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing is tracked in the empty tree")

	r.git("repack", "-a", "-d", "-q")
	r.git("prune-packed")
	data, err = gitblob.New(r.dir, strings.ToUpper(commit)).ReadFile(t.Context(), "run.sh")
	require.NoError(t, err, "objects in a pack")
	assert.Equal(t, "#!/bin/sh\necho hi\n", string(data))
}

func TestShallowCloneAndLinkedWorktree(t *testing.T) {
	r, first := hostile(t)
	r.write("app/b.go", "package app\n", 0o644)
	r.git("add", "app/b.go")
	r.git("commit", "-q", "-m", "second")
	head := r.git("rev-parse", "HEAD")

	clone := &repo{t: t, dir: t.TempDir()}
	clone.git("clone", "-q", "--depth", "1", "file://"+r.dir, ".")
	data, err := gitblob.New(clone.dir, head).ReadFile(t.Context(), "app/b.go")
	require.NoError(t, err)
	assert.Equal(t, "package app\n", string(data))
	_, err = gitblob.New(clone.dir, first).ReadFile(t.Context(), "app/a.go")
	var me *gitblob.MissingError
	assert.ErrorAs(t, err, &me, "a commit beyond the shallow boundary is missing, not untracked")

	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", wt, first)
	data, err = gitblob.New(wt, head).ReadFile(t.Context(), "app/b.go")
	require.NoError(t, err, "a linked worktree reads the common object database")
	assert.Equal(t, "package app\n", string(data))
}

func TestConcurrentReads(t *testing.T) {
	r, commit := hostile(t)
	src := gitblob.New(r.dir, commit)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := []string{"app/a.go", "run.sh", "leak.go", ".env"}[i%4]
			_, _ = src.ReadFile(t.Context(), p)
		}()
	}
	wg.Wait()
	data, err := src.ReadFile(t.Context(), "run.sh")
	require.NoError(t, err)
	assert.Equal(t, "#!/bin/sh\necho hi\n", string(data))
}

func TestCanceledContext(t *testing.T) {
	r, commit := hostile(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := gitblob.New(r.dir, commit).ReadFile(ctx, "run.sh")
	assert.ErrorIs(t, err, context.Canceled)
}
