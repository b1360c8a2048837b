package xref_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/xref"
)

// ownRepository is this module's checkout and its HEAD commit; the
// benchmark is skipped where it is not a git clone.
func ownRepository(b *testing.B) (root, head string) {
	b.Helper()
	dir, err := os.Getwd()
	if err != nil {
		b.Skip(err)
	}
	root = filepath.Dir(dir)
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		b.Skip("not a git clone")
	}
	return root, strings.TrimSpace(string(out))
}

// oneLine is a one-line change of path at HEAD: its first line holding
// needle, as if it had just been written.
func oneLine(b *testing.B, root, path, needle string) *diffparse.Diff {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		b.Skip(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, needle) {
			raw := fmt.Sprintf("diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -%d +%d @@\n-old\n+%s\n", path, path, path, path, i+1, i+1, l)
			d, err := diffparse.Parse([]byte(raw))
			if err != nil {
				b.Fatal(err)
			}
			return d
		}
	}
	b.Skipf("%q not in %s", needle, path)
	return nil
}

// BenchmarkRelatedOnThisRepository measures the search on a real
// repository (this one: about 350 Go files) at HEAD: a one-line change
// of the engine, and the diff of the last 30 commits (a large pull
// request). go test ./xref -run '^$' -bench OnThisRepository -benchtime 5x
func BenchmarkRelatedOnThisRepository(b *testing.B) {
	root, head := ownRepository(b)
	cases := map[string]func() *diffparse.Diff{
		"one-line change": func() *diffparse.Diff { return oneLine(b, root, "review/engine.go", "e.pack(heavy, r, res)") },
		"last 30 commits": func() *diffparse.Diff {
			raw, err := exec.Command("git", "-C", root, "diff", "--no-color", "--no-ext-diff", "HEAD~30", head).Output()
			if err != nil {
				b.Skip("no history")
			}
			d, err := diffparse.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			return d
		},
	}
	for name, diff := range cases {
		b.Run(name, func(b *testing.B) {
			d := diff()
			snippets, left, lines := 0, 0, 0
			for b.Loop() {
				rel, err := xref.New(gitblob.New(root, head), xref.Limits{}).Related(context.Background(), d.Files)
				if err != nil {
					b.Fatal(err)
				}
				snippets, left, lines = len(rel.Snippets), rel.LeftOut, 0
				for _, s := range rel.Snippets {
					lines += len(s.Lines)
				}
			}
			added, removed := d.Stats()
			b.ReportMetric(float64(len(d.Files)), "files")
			b.ReportMetric(float64(added+removed), "changed-lines")
			b.ReportMetric(float64(snippets), "snippets")
			b.ReportMetric(float64(lines), "snippet-lines")
			b.ReportMetric(float64(left), "left-out")
		})
	}
}
