package redact

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/bitreview/bitreview/diffparse"
)

// BenchmarkLoadRules is what the first New in a process costs: parsing and
// compiling gitleaks' default rules.
func BenchmarkLoadRules(b *testing.B) {
	for b.Loop() {
		cfg, err := loadRules()
		if err != nil {
			b.Fatal(err)
		}
		_ = detect.NewDetector(cfg)
	}
}

// BenchmarkNew is every later New (rules cached).
func BenchmarkNew(b *testing.B) {
	if _, err := New(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// sourcePR builds a diff adding, in files of at most linesPerFile lines,
// about lines lines of this repository's Go code.
func sourcePR(b *testing.B, lines, linesPerFile int) (*diffparse.Diff, int) {
	b.Helper()
	paths, _ := filepath.Glob("../*/*.go")
	var src []string
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		src = append(src, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
	}
	var sb strings.Builder
	for file, i := 0, 0; i < lines; file++ {
		n := min(linesPerFile, lines-i)
		p := fmt.Sprintf("pkg%d/file%d.go", file%17, file)
		fmt.Fprintf(&sb, "diff --git a/%s b/%s\nindex 1111111..2222222 100644\n--- a/%s\n+++ b/%s\n", p, p, p, p)
		// Hunks of 40 added lines between context lines, like edits.
		for h := 0; h < n; h += 40 {
			m := min(40, n-h)
			fmt.Fprintf(&sb, "@@ -%d,2 +%d,%d @@\n ctx()\n", h*2+1, h*2+1, m+2)
			for k := range m {
				sb.WriteString("+" + src[(i+h+k)%len(src)] + "\n")
			}
			sb.WriteString(" ctx()\n")
		}
		i += n
	}
	d, err := diffparse.Parse([]byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	return d, sb.Len()
}

func benchScan(b *testing.B, lines, perFile int) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	d, size := sourcePR(b, lines, perFile)
	b.SetBytes(int64(size))
	for b.Loop() {
		_ = s.Scan(d)
	}
}

// A typical pull request: 1,500 added lines in 15 files.
func BenchmarkScanTypicalPR(b *testing.B) { benchScan(b, 1_500, 100) }

// A huge one: 50,000 added lines in 300 files.
func BenchmarkScanHugePR(b *testing.B) { benchScan(b, 50_000, 170) }

// One new 20,000-line file (a single contiguous block, chunked).
func BenchmarkScanOneBigFile(b *testing.B) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	d, size := sourcePR(b, 20_000, 20_000)
	// Make it one block: a new file.
	f := d.Files[0]
	var lines []diffparse.Line
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if l.Kind == diffparse.Added {
				l.New = len(lines) + 1
				lines = append(lines, l)
			}
		}
	}
	f.Hunks = []*diffparse.Hunk{{NewStart: 1, NewCount: len(lines), Lines: lines}}
	b.SetBytes(int64(size))
	for b.Loop() {
		_ = s.Scan(d)
	}
}

// BenchmarkScanTextPrompt is the last-line-of-defence pass over one full
// review batch (24,000 prompt tokens, about 96 KB of rendered diff).
func BenchmarkScanTextPrompt(b *testing.B) {
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	d, _ := sourcePR(b, 4_000, 100)
	var sb strings.Builder
	for _, f := range d.Files {
		for _, h := range f.Hunks {
			_ = h.Render(&sb)
		}
		if sb.Len() >= 96<<10 {
			break
		}
	}
	prompt := sb.String()
	b.SetBytes(int64(len(prompt)))
	for b.Loop() {
		_ = s.ScanText("prompt", prompt)
	}
}
