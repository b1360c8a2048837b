package diffparse

import (
	"sort"
	"strings"
)

// Side names one side of a diff. Bitbucket's inline.to is the new side,
// inline.from the old side.
type Side string

// The two sides of a diff.
const (
	New Side = "new"
	Old Side = "old"
)

// Kind is the kind of a diff line, as its prefix character.
type Kind byte

// Line kinds.
const (
	Context Kind = ' '
	Added   Kind = '+'
	Removed Kind = '-'
)

// Line is one line of a hunk. Old and New are 1-based line numbers on each
// side, 0 where the line does not exist on that side.
//
// Text is the line's content in the file without its line terminator, byte
// for byte (no UTF-8 validation). A line that ended in "\r\n" has CRLF set
// and its Text excludes the "\r". The last line of a side marked with
// "\ No newline at end of file" has no terminator, so a "\r" there is
// content and stays in Text.
type Line struct {
	Kind Kind
	CRLF bool // the line ended with "\r\n" in the file; Text excludes the "\r"
	Old  int
	New  int
	Text string
}

// Hunk is one @@ block. For hunks produced by Parse, OldCount and NewCount
// equal the number of old-side (removed and context) and new-side (added
// and context) lines in Lines, and the hunks of a file are sorted and do
// not overlap: the queries below rely on that.
type Hunk struct {
	OldStart, OldCount int
	NewStart, NewCount int
	Section            string // text after the closing @@ (often the enclosing function)
	Lines              []Line
	// NoNewlineOld / NoNewlineNew report "\ No newline at end of file" on
	// each side: the last line of that side in this hunk has no terminator.
	NoNewlineOld, NoNewlineNew bool

	size int // bytes of the hunk body, for Classify; 0 for hunks built by hand
}

// Status is what happened to a file.
type Status string

// File statuses. A file whose only change is its mode (no content change,
// no rename) has StatusModeChanged; any file may also have OldMode !=
// NewMode (see ModeChanged). Binary, submodule and symlink files keep the
// status of what happened to them (added, modified, ...) and are told apart
// by the Binary, Submodule and Symlink fields.
const (
	StatusAdded       Status = "added"
	StatusDeleted     Status = "deleted"
	StatusModified    Status = "modified"
	StatusRenamed     Status = "renamed"
	StatusCopied      Status = "copied"
	StatusModeChanged Status = "mode changed"
	// StatusCombined marks a "diff --cc" (combined, merge) file. It has no
	// hunks: combined diffs are not supported, and Classify reports
	// ClassUnsupported so callers list it instead of dropping it.
	StatusCombined Status = "combined"
)

// Well-known git file modes.
const (
	ModeSubmodule = "160000"
	ModeSymlink   = "120000"
)

// File is one file of a diff. Paths carry no a/ or b/ prefix and are
// unquoted (git's "\303\274" octal escapes become the raw bytes); the path
// of a side that does not exist (added or deleted file) is empty.
//
// OldMode and NewMode come from the mode headers, or from the mode on the
// "index" line when the mode did not change.
type File struct {
	OldPath, NewPath string
	Status           Status
	Similarity       int // rename/copy similarity in percent, 0 if none
	OldMode, NewMode string
	Binary           bool
	Submodule        bool // a gitlink (mode 160000, "Subproject commit" lines)
	Symlink          bool // mode 120000 on either side; Lines hold link targets
	// Truncated reports that hunks were dropped because the file exceeded
	// ReadOptions.MaxFileBytes; Classify reports ClassHuge.
	Truncated bool
	// NotRead marks a file known to be part of the change (from a file
	// listing) whose diff was not read, because the diff was cut
	// (ReadOptions.MaxBytes) before it: it has paths and a status, no
	// hunks, and Classify reports ClassNotRead unless its name alone
	// classifies it.
	NotRead bool
	Hunks   []*Hunk
}

// Path is the path reviewers know the file by: the new path, or the old one
// for a deleted file.
func (f *File) Path() string {
	if f.NewPath != "" {
		return f.NewPath
	}
	return f.OldPath
}

// ModeChanged reports whether the file mode changed.
func (f *File) ModeChanged() bool {
	return f.OldMode != "" && f.NewMode != "" && f.OldMode != f.NewMode
}

// Stats counts added and removed lines.
func (f *File) Stats() (added, removed int) {
	for _, h := range f.Hunks {
		for i := range h.Lines {
			switch h.Lines[i].Kind {
			case Added:
				added++
			case Removed:
				removed++
			}
		}
	}
	return added, removed
}

// HasCRLF reports whether any line of the file ends with "\r\n".
func (f *File) HasCRLF() bool {
	for _, h := range f.Hunks {
		for i := range h.Lines {
			if h.Lines[i].CRLF {
				return true
			}
		}
	}
	return false
}

// span returns the 1-based line range [start, start+count) that h covers on
// side.
func (h *Hunk) span(side Side) (start, count int) {
	if side == Old {
		return h.OldStart, h.OldCount
	}
	return h.NewStart, h.NewCount
}

func lineNo(l *Line, side Side) int {
	if side == Old {
		return l.Old
	}
	return l.New
}

// lineAt finds the line numbered n on side within h, or nil.
func (h *Hunk) lineAt(side Side, n int) *Line {
	start, count := h.span(side)
	if n < start || n >= start+count {
		return nil
	}
	// Lines before the wanted one include at least n-start lines of the
	// same side, so the search starts there and skips forward over lines
	// of the other side only.
	for i := max(n-start, 0); i < len(h.Lines); i++ {
		if lineNo(&h.Lines[i], side) == n {
			return &h.Lines[i]
		}
	}
	for i := range h.Lines { // hunks built by hand with inconsistent counts
		if lineNo(&h.Lines[i], side) == n {
			return &h.Lines[i]
		}
	}
	return nil
}

// LineAt returns the hunk and line at (side, n), or nils when no hunk holds
// that line.
func (f *File) LineAt(side Side, n int) (*Hunk, *Line) {
	if n < 1 {
		return nil, nil
	}
	for _, h := range f.Hunks {
		if l := h.lineAt(side, n); l != nil {
			return h, l
		}
	}
	return nil, nil
}

// HunkAt returns the hunk holding line n of side, or nil.
func (f *File) HunkAt(side Side, n int) *Hunk {
	h, _ := f.LineAt(side, n)
	return h
}

// Commentable reports whether Bitbucket accepts an inline comment at (side,
// n): a new-side comment needs an added or context line, an old-side
// comment a removed or context line, inside a hunk.
func (f *File) Commentable(side Side, n int) bool {
	_, l := f.LineAt(side, n)
	return l != nil
}

// NearestCommentable returns the commentable line of side closest to n (n
// itself when it is commentable); on a tie the lower line wins. It returns
// false when the file has no line on that side, e.g. a binary file, a pure
// rename, or the new side of a deleted file.
func (f *File) NearestCommentable(side Side, n int) (int, bool) {
	best, bestDist := 0, -1
	for _, h := range f.Hunks {
		start, count := h.span(side)
		if count <= 0 {
			continue
		}
		c := min(max(n, start), start+count-1)
		d := c - n
		if d < 0 {
			d = -d
		}
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best, bestDist >= 0
}

// Range is an inclusive range of line numbers, Start <= End.
type Range struct{ Start, End int }

// Contains reports whether n is in r.
func (r Range) Contains(n int) bool { return r.Start <= n && n <= r.End }

// AddedRanges returns the new-side line ranges of runs of added lines, in
// order.
func (f *File) AddedRanges() []Range { return f.runs(Added) }

// RemovedRanges returns the old-side line ranges of runs of removed lines,
// in order.
func (f *File) RemovedRanges() []Range { return f.runs(Removed) }

func (f *File) runs(kind Kind) []Range {
	var out []Range
	for _, h := range f.Hunks {
		for i := range h.Lines {
			l := &h.Lines[i]
			if l.Kind != kind {
				continue
			}
			n := l.New
			if kind == Removed {
				n = l.Old
			}
			if k := len(out) - 1; k >= 0 && out[k].End == n-1 {
				out[k].End = n
				continue
			}
			out = append(out, Range{n, n})
		}
	}
	return out
}

// Diff is a parsed multi-file diff.
type Diff struct {
	Files  []*File
	byPath map[string]*File
}

// NewDiff returns the diff of files, in that order. Parse and ReadAll build
// it; a caller uses it to add the files a cut diff did not read.
func NewDiff(files []*File) *Diff {
	d := &Diff{Files: files, byPath: make(map[string]*File, 2*len(files))}
	for _, f := range files {
		// New paths win over old ones: a renamed file is addressed by its new path.
		if f.OldPath != "" {
			if _, ok := d.byPath[f.OldPath]; !ok {
				d.byPath[f.OldPath] = f
			}
		}
		if f.NewPath != "" {
			d.byPath[f.NewPath] = f
		}
	}
	return d
}

// File finds a file by its new path, or by its old path when no file has
// that new path. It returns nil when the diff has no such file.
func (d *Diff) File(path string) *File {
	return d.byPath[path]
}

// Commentable reports whether an inline comment may be anchored at (path,
// side, line).
func (d *Diff) Commentable(path string, side Side, line int) bool {
	f := d.File(path)
	return f != nil && f.Path() == path && f.Commentable(side, line)
}

// Paths returns the reviewable path of every file, sorted.
func (d *Diff) Paths() []string {
	out := make([]string, 0, len(d.Files))
	for _, f := range d.Files {
		out = append(out, f.Path())
	}
	sort.Strings(out)
	return out
}

// Stats totals added and removed lines over all files.
func (d *Diff) Stats() (added, removed int) {
	for _, f := range d.Files {
		a, r := f.Stats()
		added += a
		removed += r
	}
	return added, removed
}

// trimCR drops one trailing "\r".
func trimCR(s string) string { return strings.TrimSuffix(s, "\r") }
