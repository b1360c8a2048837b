package review

import "github.com/bitreview/bitreview/diffparse"

// Reanchor moves the findings of an incremental review onto the pull
// request's whole diff, where inline comments are anchored. A new-side line
// keeps its number (both diffs end at head) if the pull request's diff can
// take a comment there; a removed line is found again by its text among the
// pull request's removed lines. Anything else moves to res.Unanchored, and
// a range that spans hunks of the bigger diff shrinks to its last line.
func Reanchor(res *Result, inc, prDiff *diffparse.Diff) {
	var kept []Finding
	for _, f := range res.Findings {
		nf, why := reanchor(f, inc, prDiff)
		if why != "" {
			f.Unanchored = why
			res.Unanchored = append(res.Unanchored, f)
			continue
		}
		kept = append(kept, nf)
	}
	res.Findings = kept
}

func reanchor(f Finding, inc, prDiff *diffparse.Diff) (Finding, string) {
	file := prDiff.File(f.Path)
	if file == nil || file.Path() != f.Path {
		return f, "file is not part of the pull request's diff"
	}
	if f.Side == diffparse.Old {
		var text string
		if incFile := inc.File(f.Path); incFile != nil {
			if _, l := incFile.LineAt(diffparse.Old, f.Line); l != nil {
				text = l.Text
			}
		}
		best, dist := 0, -1
		for _, h := range file.Hunks {
			for _, l := range h.Lines {
				if l.Kind == diffparse.Removed && normCode(l.Text) == normCode(text) && text != "" {
					if d := abs(l.Old - f.Line); dist < 0 || d < dist {
						best, dist = l.Old, d
					}
				}
			}
		}
		if best == 0 {
			return f, "removed line is not part of the pull request's diff"
		}
		f.Line, f.StartLine = best, 0
		f.Fingerprint = Fingerprint(f, text)
		return f, ""
	}
	h, l := file.LineAt(diffparse.New, f.Line)
	if l == nil || !file.Commentable(diffparse.New, f.Line) {
		return f, "line is not part of the pull request's diff"
	}
	if f.StartLine > 0 {
		if hs, _ := file.LineAt(diffparse.New, f.StartLine); hs != h {
			f.StartLine = 0
		}
	}
	f.Fingerprint = Fingerprint(f, l.Text)
	return f, ""
}
