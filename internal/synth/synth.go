// Package synth generates deterministic synthetic pull-request diffs for
// benchmarks and load tests: many files of several languages, hunks of
// added, removed and context lines, with binary, generated and lock files
// mixed in.
package synth

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// Options size a synthetic diff.
type Options struct {
	Files        int     // files in the diff
	HunksPerFile int     // hunks per text file
	LinesPerHunk int     // changed lines per hunk (about half added, half removed)
	Context      int     // context lines around each change (git's default is 3)
	Mixed        float64 // share of binary, generated and lock files (0..1)
	Seed         uint64
}

var exts = []string{".go", ".py", ".ts", ".java", ".rb", ".rs"}

// Diff returns a unified git diff built from o. The same options always
// give the same bytes.
func Diff(o Options) []byte {
	r := rand.New(rand.NewPCG(o.Seed, 42))
	var b bytes.Buffer
	for i := range o.Files {
		switch {
		case o.Mixed > 0 && r.Float64() < o.Mixed/3:
			fmt.Fprintf(&b, "diff --git a/assets/img%d.png b/assets/img%d.png\nindex 1111111..2222222 100644\nBinary files a/assets/img%d.png and b/assets/img%d.png differ\n", i, i, i, i)
			continue
		case o.Mixed > 0 && r.Float64() < o.Mixed/2:
			lockFile(&b, i, o)
			continue
		}
		path := fmt.Sprintf("pkg/mod%03d/file%d%s", i%200, i, exts[i%len(exts)])
		fmt.Fprintf(&b, "diff --git a/%s b/%s\nindex 3333333..4444444 100644\n--- a/%s\n+++ b/%s\n", path, path, path, path)
		line := 1
		for h := range o.HunksPerFile {
			line += 10 + r.IntN(40)
			removed := o.LinesPerHunk / 2
			added := o.LinesPerHunk - removed
			fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@ func f%d() {\n", line, removed+2*o.Context, line+h, added+2*o.Context, h)
			for c := range o.Context {
				fmt.Fprintf(&b, " \tctx := before(%d, %d)\n", h, c)
			}
			for k := range removed {
				fmt.Fprintf(&b, "-\tvalue%d := compute(%d, %q)\n", k, r.IntN(1000), "old")
			}
			for k := range added {
				fmt.Fprintf(&b, "+\tvalue%d := computeFaster(%d, %q, opts)\n", k, r.IntN(1000), "new")
			}
			for c := range o.Context {
				fmt.Fprintf(&b, " \tafter(%d, %d)\n", h, c)
			}
			line += removed + 2*o.Context
		}
	}
	return b.Bytes()
}

func lockFile(b *bytes.Buffer, i int, o Options) {
	path := fmt.Sprintf("svc%d/package-lock.json", i)
	fmt.Fprintf(b, "diff --git a/%s b/%s\nindex 5555555..6666666 100644\n--- a/%s\n+++ b/%s\n@@ -1,2 +1,2 @@\n-  \"version\": \"1.0.%d\",\n+  \"version\": \"1.0.%d\",\n   \"lockfileVersion\": 3\n", path, path, path, path, i, i+1)
}

// ChangedLines counts the added and removed lines o produces for text
// files (before mixing in binary and lock files).
func ChangedLines(o Options) int { return o.Files * o.HunksPerFile * o.LinesPerHunk }
