package xref_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/internal/gittest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/xref"
)

// mainTS is a new file calling helpers that are defined only where the
// search must not look.
const mainTS = "secretHelper();\nvendoredHelper();\ngeneratedHelper();\nrealHelper();\n"

func addedFile(t *testing.T, path, content string) *diffparse.Diff {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(content, "\n"), "\n")
	raw := fmt.Sprintf("diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n+%s\n",
		path, path, path, len(lines), strings.Join(lines, "\n+"))
	d, err := diffparse.Parse([]byte(raw))
	require.NoError(t, err)
	return d
}

// TestOnlyTrackedRegularFilesAreSearched: the search reads the blobs of
// the regular files tracked at the commit: a symlink is not followed
// (not even to a file of the checkout), an untracked file and an edit of
// the working tree are not seen, vendored and generated files are left
// out.
func TestOnlyTrackedRegularFilesAreSearched(t *testing.T) {
	dir, commit := gittest.Commit(t, map[string]string{
		"app/main.ts":              mainTS,
		"lib/real.ts":              "export function realHelper() { return 'BLOB'; }\n",
		"node_modules/x/index.ts":  "export function vendoredHelper() {}\n",
		"src/api.generated.ts":     "export function generatedHelper() {}\n",
		"docs/untracked-target.md": "x\n",
	}, map[string]string{"lib/link.ts": "../outside/secret.ts"})
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "outside"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "outside/secret.ts"), []byte("export function secretHelper() { return 'LEAK'; }\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lib/real.ts"), []byte("export function realHelper() { return 'WORKTREE'; }\nexport function secretHelper() {}\n"), 0o644))

	rel, err := xref.New(gitblob.New(dir, commit), xref.Limits{}).Related(t.Context(), addedFile(t, "app/main.ts", mainTS).Files)
	require.NoError(t, err)
	requireSnippet(t, rel, "lib/real.ts", "BLOB")
	require.Len(t, rel.Snippets, 1, dump(rel))
}

// TestListingFailsWithoutTheCommit: a tree that cannot be listed is an
// error (the engine then reviews without context).
func TestListingFailsWithoutTheCommit(t *testing.T) {
	dir, _ := gittest.Commit(t, map[string]string{"a.ts": "x\n"}, nil)
	_, err := xref.New(gitblob.New(dir, strings.Repeat("ab", 20)), xref.Limits{}).Related(t.Context(), addedFile(t, "a.ts", "x\n").Files)
	var me *gitblob.MissingError
	require.ErrorAs(t, err, &me)
}

// many is a repository with n TypeScript files each defining a function
// compute, one long function, and a change calling compute and long.
func many(n int) (base, head map[string]string) {
	base = map[string]string{"app/main.ts": "export const x = 1;\n"}
	for i := range n {
		base[fmt.Sprintf("app/m%02d.ts", i)] = fmt.Sprintf("// compute number %d.\nexport function compute(a: number) {\n  return a + %d;\n}\n", i, i)
	}
	long := "export function long() {\n" + strings.Repeat("  step();\n", 100) + "}\n"
	base["app/long.ts"] = long
	return base, map[string]string{"app/main.ts": "export const x = compute(1) + long();\n"}
}

func TestSearchIsBounded(t *testing.T) {
	base, head := many(6)
	t.Run("per name and lines", func(t *testing.T) {
		rel := related(t, base, head, xref.Limits{PerName: 2, Lines: 7})
		n := 0
		for _, s := range rel.Snippets {
			assert.LessOrEqual(t, len(s.Lines), 7, s.Path)
			if strings.Contains(s.What, "compute") {
				n++
			}
		}
		assert.Equal(t, 2, n, dump(rel))
		assert.GreaterOrEqual(t, rel.LeftOut, 4, "the other definitions are counted")
	})
	t.Run("files read", func(t *testing.T) {
		rel := related(t, base, head, xref.Limits{Files: 1})
		assert.Empty(t, rel.Snippets, "only the changed file could be read")
		assert.GreaterOrEqual(t, rel.LeftOut, 7)
	})
	t.Run("bytes read", func(t *testing.T) {
		rel := related(t, base, head, xref.Limits{Bytes: 100})
		assert.Empty(t, rel.Snippets)
		assert.Positive(t, rel.LeftOut)
	})
	t.Run("names", func(t *testing.T) {
		rel := related(t, base, head, xref.Limits{Names: 1})
		for _, s := range rel.Snippets {
			assert.Contains(t, s.What, "compute", "the first name only")
		}
		assert.Positive(t, rel.LeftOut)
	})
}

// slowTree answers every read after a pause.
type slowTree struct {
	review.Tree
	pause time.Duration
}

func (s slowTree) ReadFile(ctx context.Context, path string) ([]byte, error) {
	select {
	case <-time.After(s.pause):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Tree.ReadFile(ctx, path)
}

// TestSearchStopsInTime: a search past its time returns what it found,
// counting the files it did not read.
func TestSearchStopsInTime(t *testing.T) {
	base, head := many(40)
	tree, d := change(t, base, head)
	start := time.Now()
	rel, err := xref.New(slowTree{tree, 20 * time.Millisecond}, xref.Limits{Time: 200 * time.Millisecond}).Related(t.Context(), d.Files)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Positive(t, rel.LeftOut, "files not read in time are counted")
}

// TestLargeChangedFilesStayLinear: the lines of a changed file are read a
// bounded number of times however many of them changed, so a pull request
// adding a 20,000-line function, or 20,000 lines of one-line functions,
// is searched in about the time it takes to read it.
func TestLargeChangedFilesStayLinear(t *testing.T) {
	for name, file := range map[string]string{
		"one long function": "export function big() {\n" + strings.Repeat("  total = compute(total);\n", 20_000) + "}\n",
		"many functions":    strings.Repeat("function f() { return compute(1); }\n", 20_000),
		"python top level":  strings.Repeat("total = compute(total)\n", 20_000),
	} {
		t.Run(name, func(t *testing.T) {
			path := "app/big.ts"
			if name == "python top level" {
				path = "app/big.py"
			}
			base := map[string]string{"app/compute.ts": "export function compute(n) { return n; }\n", "app/compute.py": "def compute(n):\n    return n\n"}
			tree, d := change(t, base, map[string]string{path: file})
			start := time.Now()
			rel, err := xref.New(tree, xref.Limits{Time: time.Minute}).Related(t.Context(), d.Files)
			require.NoError(t, err)
			assert.Less(t, time.Since(start), 20*time.Second, "quadratic would take minutes; race-enabled runs are slow")
			assert.NotEmpty(t, rel.Snippets, dump(rel))
		})
	}
}
