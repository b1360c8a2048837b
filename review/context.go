package review

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/bitreview/bitreview/diffparse"
)

// FileSource reads a file as it is at the pull request's head: from the
// pipeline's checkout, or from the API when the checkout lacks it.
type FileSource interface {
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// Context defaults: lines of surrounding code shown above and below each
// hunk, and the most extra lines one file may add to a prompt.
const (
	defaultContextLines  = 8
	defaultContextBudget = 60
	maxContextFiles      = 60 // files whose source is read per review
	maxSourceBytes       = 1 << 20
)

// loadSources reads the head version of the files to review, concurrently,
// and keeps a file's lines only when they agree with the diff (a checkout
// of a merge commit can differ from the PR's source commit).
func loadSources(ctx context.Context, src FileSource, files []*diffparse.File, concurrency int) map[string][]string {
	out := map[string][]string{}
	if src == nil {
		return out
	}
	var mu sync.Mutex
	var g errgroup.Group // a failed read only leaves that file without context
	g.SetLimit(max(concurrency, 1))
	for i, f := range files {
		if i == maxContextFiles {
			break
		}
		if f.NewPath == "" || f.Binary {
			continue
		}
		g.Go(func() error {
			data, err := src.ReadFile(ctx, f.NewPath)
			if err != nil || len(data) > maxSourceBytes {
				return nil
			}
			lines := splitLines(data)
			if !agrees(f, lines) {
				return nil
			}
			mu.Lock()
			out[f.NewPath] = lines
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // every function returns nil
	return out
}

func splitLines(data []byte) []string {
	data = bytes.TrimSuffix(data, []byte("\n"))
	parts := strings.Split(string(data), "\n")
	for i, p := range parts {
		parts[i] = strings.TrimSuffix(p, "\r")
	}
	return parts
}

// agrees checks that every new-side line of the diff is the same in lines.
func agrees(f *diffparse.File, lines []string) bool {
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if l.Kind == diffparse.Removed {
				continue
			}
			if l.New < 1 || l.New > len(lines) || strings.TrimSuffix(l.Text, "\r") != lines[l.New-1] {
				return false
			}
		}
	}
	return true
}

// contextFor returns the surrounding lines to show before and after hunk i
// of f, within the per-file budget (spent by the caller).
func contextFor(f *diffparse.File, i int, lines []string, n int, budget *int) (before, after []srcLine) {
	if len(lines) == 0 || n <= 0 {
		return nil, nil
	}
	h := f.Hunks[i]
	start, end := h.NewStart, h.NewStart+h.NewCount-1
	prevEnd := 0
	if i > 0 {
		p := f.Hunks[i-1]
		prevEnd = p.NewStart + p.NewCount - 1 + n
	}
	nextStart := len(lines) + 1
	if i+1 < len(f.Hunks) {
		nextStart = f.Hunks[i+1].NewStart
	}
	for ln := max(start-n, prevEnd+1, 1); ln < start && *budget > 0; ln++ {
		before = append(before, srcLine{ln, lines[ln-1]})
		*budget--
	}
	for ln := end + 1; ln <= min(end+n, nextStart-1, len(lines)) && *budget > 0; ln++ {
		after = append(after, srcLine{ln, lines[ln-1]})
		*budget--
	}
	return before, after
}

// srcLine is one line of surrounding code outside the diff.
type srcLine struct {
	n    int
	text string
}

func writeContext(b *strings.Builder, lines []srcLine) {
	for _, l := range lines {
		fmt.Fprintf(b, "%d = %s\n", l.n, l.text)
	}
}
