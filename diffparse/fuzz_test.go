package diffparse

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic (go-diff
// panics are recovered, ours are not), and what it returns must hold
// together. The seed corpus is testdata/*.diff plus
// testdata/fuzz/FuzzParse, which keeps inputs found while fuzzing.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 3m ./diffparse/
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*.diff")
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		var streamed []*File
		serr := ParseReader(bytes.NewReader(data), func(f *File) error {
			streamed = append(streamed, f)
			return nil
		})
		if (err == nil) != (serr == nil) {
			t.Fatalf("Parse error %v, ParseReader error %v", err, serr)
		}
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		if len(streamed) != len(d.Files) {
			t.Fatalf("ParseReader gave %d files, Parse %d", len(streamed), len(d.Files))
		}
		checkInvariants(t, d)
	})
}

// checkInvariants verifies what every parsed diff must satisfy: line numbers
// consistent with hunk headers and monotonic, hunks sorted, and the queries
// (LineAt, Commentable, HunkAt, NearestCommentable, AddedRanges) agreeing
// with the lines.
func checkInvariants(t *testing.T, d *Diff) {
	t.Helper()
	for _, f := range d.Files {
		if f.Path() == "" {
			t.Fatalf("file without a path: %+v", f)
		}
		if d.File(f.Path()) == nil {
			t.Fatalf("d.File(%q) = nil", f.Path())
		}
		_ = Classify(f)
		checkFile(t, f)
		if d.File(f.Path()) == f {
			for _, side := range []Side{New, Old} {
				for n := 0; n < 5; n++ {
					if d.Commentable(f.Path(), side, n) != f.Commentable(side, n) {
						t.Fatalf("%s: Diff.Commentable and File.Commentable disagree at %s %d", f.Path(), side, n)
					}
				}
			}
		}
	}
}

func checkFile(t *testing.T, f *File) {
	t.Helper()
	var maxLine [2]int
	var prevEnd [2]int
	added := 0
	for hi, h := range f.Hunks {
		if err := h.Render(io.Discard); err != nil {
			t.Fatal(err)
		}
		var seen [2]int
		for si, side := range []Side{Old, New} {
			start, count := h.span(side)
			if count > 0 {
				if start < 1 || start < prevEnd[si] {
					t.Fatalf("%s hunk %d: %s range %d,%d out of order (previous end %d)", f.Path(), hi, side, start, count, prevEnd[si])
				}
				prevEnd[si] = start + count
				maxLine[si] = max(maxLine[si], start+count)
			}
		}
		for i := range h.Lines {
			l := &h.Lines[i]
			switch l.Kind {
			case Context:
				if l.Old == 0 || l.New == 0 {
					t.Fatalf("%s: context line without both numbers: %+v", f.Path(), l)
				}
			case Added:
				added++
				if l.Old != 0 || l.New == 0 {
					t.Fatalf("%s: bad added line %+v", f.Path(), l)
				}
			case Removed:
				if l.New != 0 || l.Old == 0 {
					t.Fatalf("%s: bad removed line %+v", f.Path(), l)
				}
			default:
				t.Fatalf("%s: bad kind %q", f.Path(), l.Kind)
			}
			for si, side := range []Side{Old, New} {
				n := lineNo(l, side)
				if n == 0 {
					continue
				}
				start, _ := h.span(side)
				if n != start+seen[si] {
					t.Fatalf("%s hunk %d: %s line %d, want %d (not monotonic)", f.Path(), hi, side, n, start+seen[si])
				}
				seen[si]++
				gh, gl := f.LineAt(side, n)
				if gh != h || gl != l {
					t.Fatalf("%s: LineAt(%s, %d) does not return the line", f.Path(), side, n)
				}
				if f.HunkAt(side, n) != h {
					t.Fatalf("%s: HunkAt(%s, %d) is not the hunk", f.Path(), side, n)
				}
			}
		}
		if seen[0] != h.OldCount || seen[1] != h.NewCount {
			t.Fatalf("%s hunk %d: %d old and %d new lines, header says %d and %d", f.Path(), hi, seen[0], seen[1], h.OldCount, h.NewCount)
		}
	}
	for si, side := range []Side{Old, New} {
		any := false
		for n := -1; n <= maxLine[si]+1; n++ {
			_, l := f.LineAt(side, n)
			c := f.Commentable(side, n)
			if c != (l != nil) {
				t.Fatalf("%s: Commentable(%s, %d) = %v but LineAt gives %v", f.Path(), side, n, c, l)
			}
			any = any || c
		}
		for _, n := range []int{-1, 0, 1, maxLine[si] / 2, maxLine[si] + 5} {
			m, ok := f.NearestCommentable(side, n)
			if ok != any || (ok && !f.Commentable(side, m)) {
				t.Fatalf("%s: NearestCommentable(%s, %d) = %d, %v", f.Path(), side, n, m, ok)
			}
			if ok && f.Commentable(side, n) && m != n {
				t.Fatalf("%s: NearestCommentable(%s, %d) = %d for a commentable line", f.Path(), side, n, m)
			}
		}
	}
	inRanges := 0
	for _, r := range f.AddedRanges() {
		for n := r.Start; n <= r.End; n++ {
			if _, l := f.LineAt(New, n); l == nil || l.Kind != Added {
				t.Fatalf("%s: AddedRanges holds %d, not an added line", f.Path(), n)
			}
			inRanges++
		}
	}
	if a, _ := f.Stats(); inRanges != added || a != added {
		t.Fatalf("%s: AddedRanges cover %d lines, Stats %d, lines %d", f.Path(), inRanges, a, added)
	}
}
