package diffparse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"

	godiff "github.com/sourcegraph/go-diff/diff"
)

// Benchmarks on synthetic multi-file diffs of 10 and 50 MB, shaped like the
// one in docs go-libraries.md §2.4 (about 3 KB per file, 4 hunks per file,
// 18 lines per hunk, 44 bytes per line), deterministic for a given size:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./diffparse/
//
// Scan is the lower bound (a bufio.Scanner line loop), GoDiff bare
// go-diff ParseMultiFileDiff, Parse this package (parse, index, Classify
// every file) and ParseReader the streaming path; StreamPeak measures the
// streaming path's peak memory. See BENCHMARKS.md.

var benchSizes = []int{10 << 20, 50 << 20}

var (
	benchMu   sync.Mutex
	benchData = map[int][]byte{}
)

func syntheticDiff(size int) []byte {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchData[size]; ok {
		return d
	}
	var b bytes.Buffer
	b.Grow(size + 8<<10)
	writeSynthetic(&b, size)
	benchData[size] = b.Bytes()
	return b.Bytes()
}

// writeSynthetic writes the deterministic synthetic diff of about size
// bytes to w.
func writeSynthetic(w io.Writer, size int) {
	b := &countingWriter{w: bufio.NewWriterSize(w, 64<<10)}
	defer b.w.Flush()
	rng := rand.New(rand.NewPCG(uint64(size), 42))
	words := []string{"func", "return", "err", "nil", "if", "for", "range", "ctx", "value", "string",
		"int", "map", "struct", "defer", "go", "select", "case", "default", "x", "y", ":=", "=", "{", "}", "(", ")"}
	line := func(b *countingWriter, prefix byte) {
		b.WriteByte(prefix)
		b.WriteByte('\t')
		for n := 0; n < 38; {
			w := words[rng.IntN(len(words))]
			b.WriteString(w)
			b.WriteByte(' ')
			n += len(w) + 1
		}
		b.WriteByte('\n')
	}
	for i := 0; b.n < size; i++ {
		p := fmt.Sprintf("pkg/d%03d/file%05d.go", i%500, i)
		switch i % 97 {
		case 13: // binary
			fmt.Fprintf(b, "diff --git a/%s.png b/%s.png\nindex 1111111..2222222 100644\nBinary files a/%s.png and b/%s.png differ\n", p, p, p, p)
			continue
		case 29: // pure rename
			fmt.Fprintf(b, "diff --git a/%s b/%s.old\nsimilarity index 100%%\nrename from %s\nrename to %s.old\n", p, p, p, p)
			continue
		}
		fmt.Fprintf(b, "diff --git a/%s b/%s\nindex 1234567..89abcde 100644\n--- a/%s\n+++ b/%s\n", p, p, p, p)
		oldN, delta := 1, 0
		for range 4 {
			oldN += 10 + rng.IntN(40)
			removed, added := rng.IntN(7), rng.IntN(9)
			fmt.Fprintf(b, "@@ -%d,%d +%d,%d @@ func f%d() {\n", oldN, 6+removed, oldN+delta, 6+added, rng.IntN(100))
			delta += added - removed
			for range 3 {
				line(b, ' ')
			}
			for range removed {
				line(b, '-')
			}
			for range added {
				line(b, '+')
			}
			for range 3 {
				line(b, ' ')
			}
			oldN += 6 + removed
		}
	}
}

type countingWriter struct {
	w *bufio.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return c.w.Write(p)
}

func (c *countingWriter) WriteString(s string) {
	c.n += len(s)
	c.w.WriteString(s)
}

func (c *countingWriter) WriteByte(b byte) error {
	c.n++
	return c.w.WriteByte(b)
}

func benchEach(b *testing.B, fn func(b *testing.B, data []byte)) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			data := syntheticDiff(size)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			fn(b, data)
		})
	}
}

func BenchmarkScan(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(data))
			n := 0
			for sc.Scan() {
				n++
			}
			if sc.Err() != nil || n == 0 {
				b.Fatal(sc.Err())
			}
		}
	})
}

func BenchmarkGoDiff(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			fds, err := godiff.ParseMultiFileDiff(data)
			if err != nil || len(fds) == 0 {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			d, err := Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			for _, f := range d.Files {
				_ = Classify(f)
			}
		}
	})
}

func BenchmarkParseReader(b *testing.B) {
	benchEach(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			n := 0
			err := ParseReader(bytes.NewReader(data), func(f *File) error {
				_ = Classify(f)
				n++
				return nil
			})
			if err != nil || n == 0 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStreamPeak streams the synthetic diff from a generator through a
// pipe, as from a network response, so the diff itself is never in memory,
// and reports the peak Go heap (live objects plus garbage not yet swept,
// sampled every 32 files) above the heap before the run: peak-MB, and
// peak/size over the diff size. Cached benchmark inputs are dropped first
// so that they do not raise the GC's heap goal.
func BenchmarkStreamPeak(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			benchMu.Lock()
			clear(benchData)
			benchMu.Unlock()
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			heap := func() uint64 {
				metrics.Read(sample)
				return sample[0].Value.Uint64()
			}
			runtime.GC()
			base := heap()
			var peak uint64
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				pr, pw := io.Pipe()
				go func() {
					writeSynthetic(pw, size)
					pw.Close()
				}()
				n := 0
				err := ParseReader(pr, func(f *File) error {
					_ = Classify(f)
					if n++; n%32 == 0 {
						peak = max(peak, heap())
					}
					return nil
				})
				if err != nil || n == 0 {
					b.Fatal(err)
				}
			}
			over := float64(peak-min(peak, base)) / (1 << 20)
			b.ReportMetric(over, "peak-MB")
			b.ReportMetric(over*(1<<20)/float64(size), "peak/size")
		})
	}
}
