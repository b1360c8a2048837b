package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Change commits base in a new repository, then head on top of it (a path
// mapped to "" in head is deleted, in base it is an empty file; paths not
// in head keep their base content), and returns the directory, the head commit's full hash and
// the diff from base to head as git prints it.
func Change(t testing.TB, base, head map[string]string) (dir, commit string, diff []byte) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir = t.TempDir()
	home := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+home)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return string(out)
	}
	write := func(files map[string]string, deleteEmpty bool) {
		for name, content := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if content == "" && deleteEmpty {
				require.NoError(t, os.Remove(p))
				continue
			}
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		}
	}
	git("init", "-q", "-b", "main")
	write(base, false)
	git("add", "-A")
	git("commit", "-q", "--allow-empty", "-m", "base")
	write(head, true)
	git("add", "-A")
	git("commit", "-q", "--allow-empty", "-m", "head")
	commit = strings.TrimSpace(git("rev-parse", "HEAD"))
	return dir, commit, []byte(git("diff", "--no-color", "--no-ext-diff", "HEAD~1", "HEAD"))
}
