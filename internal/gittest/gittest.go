// Package gittest builds throwaway git repositories for tests, with the
// git CLI; a test is skipped where git is not installed.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Commit commits files (path → content) and symlinks (path → target) in a
// new repository and returns its directory and the commit's full hash.
func Commit(t testing.TB, files, links map[string]string) (dir, commit string) {
	t.Helper()
	dir = t.TempDir()
	git := Git(t, dir)
	git("init", "-q", "-b", "main")
	for name, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	for name, target := range links {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, name)))
	}
	git("add", ".")
	git("commit", "-q", "-m", "c")
	return dir, git("rev-parse", "HEAD")
}

// Git returns a function that runs git in dir, as a test user, without
// the machine's or the user's git configuration, and returns its trimmed
// output; a failure fails the test.
func Git(t testing.TB, dir string) func(args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	home := t.TempDir()
	return func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.symlinks=true"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+home)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
}
