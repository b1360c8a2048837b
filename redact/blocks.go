package redact

import (
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// block is a run of added lines with consecutive new-side numbers; start
// is the new-side number of lines[0].
type block struct {
	start int
	lines []string
}

func (b block) raw() string { return strings.Join(b.lines, "\n") }

// line returns the text of new-side line n, or "" outside the block.
func (b block) line(n int) string {
	if i := n - b.start; i >= 0 && i < len(b.lines) {
		return b.lines[i]
	}
	return ""
}

// chunks splits b into blocks of at most blockLines lines, each starting
// blockOverlap lines before the previous one ends.
func (b block) chunks() []block {
	if len(b.lines) <= blockLines {
		return []block{b}
	}
	var out []block
	for i := 0; ; i += blockLines - blockOverlap {
		end := min(i+blockLines, len(b.lines))
		out = append(out, block{start: b.start + i, lines: b.lines[i:end]})
		if end == len(b.lines) {
			return out
		}
	}
}

// addedBlocks returns f's added lines grouped per hunk into blocks of
// consecutive new-side lines (removed lines in between do not break a
// block: they have no new-side number), split into chunks.
func addedBlocks(f *diffparse.File) []block {
	var out []block
	for _, h := range f.Hunks {
		var cur block
		flush := func() {
			if len(cur.lines) > 0 {
				out = append(out, cur.chunks()...)
			}
			cur = block{}
		}
		for _, l := range h.Lines {
			switch {
			case l.Kind == diffparse.Removed:
				continue
			case l.Kind != diffparse.Added:
				flush()
				continue
			case len(cur.lines) > 0 && l.New != cur.start+len(cur.lines):
				flush()
			}
			if len(cur.lines) == 0 {
				cur.start = l.New
			}
			cur.lines = append(cur.lines, l.Text)
		}
		flush()
	}
	return out
}
