package diffparse

import (
	"fmt"
	"io"
	"sort"
	"strconv"
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
type Line struct {
	Kind Kind
	Old  int
	New  int
	Text string
}

// Hunk is one @@ block.
type Hunk struct {
	OldStart, OldCount int
	NewStart, NewCount int
	Section            string // text after the closing @@ (often the enclosing function)
	Lines              []Line
	// NoNewlineOld / NoNewlineNew report "\ No newline at end of file" on each side.
	NoNewlineOld, NoNewlineNew bool
}

// Status is what happened to a file.
type Status string

// File statuses.
const (
	StatusAdded    Status = "added"
	StatusDeleted  Status = "deleted"
	StatusModified Status = "modified"
	StatusRenamed  Status = "renamed"
	StatusCopied   Status = "copied"
)

// File is one file of a diff. Paths carry no a/ or b/ prefix; the path of a
// side that does not exist (added or deleted file) is empty.
type File struct {
	OldPath, NewPath string
	Status           Status
	Similarity       int // rename/copy similarity in percent, 0 if none
	OldMode, NewMode string
	Binary           bool
	Hunks            []*Hunk
}

// Path is the path reviewers know the file by: the new path, or the old one
// for a deleted file.
func (f *File) Path() string {
	if f.NewPath != "" {
		return f.NewPath
	}
	return f.OldPath
}

// Stats counts added and removed lines.
func (f *File) Stats() (added, removed int) {
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			switch l.Kind {
			case Added:
				added++
			case Removed:
				removed++
			}
		}
	}
	return added, removed
}

// LineAt returns the hunk and line at (side, n), or nils when no hunk holds
// that line.
func (f *File) LineAt(side Side, n int) (*Hunk, *Line) {
	if n < 1 {
		return nil, nil
	}
	for _, h := range f.Hunks {
		for i := range h.Lines {
			l := &h.Lines[i]
			if (side == New && l.New == n) || (side == Old && l.Old == n) {
				return h, l
			}
		}
	}
	return nil, nil
}

// Commentable reports whether Bitbucket accepts an inline comment at (side,
// n): a new-side comment needs an added or context line, an old-side
// comment a removed or context line, inside a hunk.
func (f *File) Commentable(side Side, n int) bool {
	_, l := f.LineAt(side, n)
	return l != nil
}

// Diff is a parsed multi-file diff.
type Diff struct {
	Files  []*File
	byPath map[string]*File
}

func newDiff(files []*File) *Diff {
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

// Render writes the hunk compactly for a prompt: a header, then each line
// with its new-side number (old-side number for removed lines), its prefix
// and its text.
//
//	@@ -10,3 +10,4 @@ func main() {
//	 10   a
//	-11 - b
//	 11 + c
func (h *Hunk) Render(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@", h.OldStart, h.OldCount, h.NewStart, h.NewCount)
	if h.Section != "" {
		b.WriteString(" ")
		b.WriteString(h.Section)
	}
	b.WriteByte('\n')
	width := len(strconv.Itoa(max(h.NewStart+h.NewCount, h.OldStart+h.OldCount))) + 1
	for _, l := range h.Lines {
		if l.Kind == Removed {
			fmt.Fprintf(&b, "%*s - %s\n", width, "-"+strconv.Itoa(l.Old), l.Text)
			continue
		}
		fmt.Fprintf(&b, "%*d %c %s\n", width, l.New, l.Kind, l.Text)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
