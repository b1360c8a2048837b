package review

import (
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// driftWindow is how far (in lines) a finding's quoted code may be from the
// line the model named and still be used to correct it.
const driftWindow = 12

// anchor resolves f to a commentable place in d. Models miscount lines, so
// when f quotes code, the line whose text matches the quote nearest to the
// named line wins. It returns the corrected finding, or a reason why it
// cannot be posted inline.
func anchor(d *diffparse.Diff, f Finding) (Finding, string) {
	file := findFile(d, f.Path)
	if file == nil {
		return f, "file is not part of this diff"
	}
	f.Path = file.Path()
	if file.Binary || len(file.Hunks) == 0 {
		return f, "file has no changed lines to comment on"
	}
	span := 0
	if f.StartLine > 0 && f.StartLine < f.Line {
		span = f.Line - f.StartLine
	}
	if line, side, ok := locateQuote(file, f); ok {
		f.Line, f.Side = line, side
	}
	if !file.Commentable(f.Side, f.Line) {
		// The other side may hold the line (a model calling a removed line "new").
		other := diffparse.Old
		if f.Side == diffparse.Old {
			other = diffparse.New
		}
		if f.Code == "" || !file.Commentable(other, f.Line) || !quoteMatches(file, other, f.Line, f.Code) {
			return f, "line is outside the diff's hunks"
		}
		f.Side = other
	}
	f.StartLine = 0
	if span > 0 {
		h, _ := file.LineAt(f.Side, f.Line)
		if h2, _ := file.LineAt(f.Side, f.Line-span); h2 == h && h != nil {
			f.StartLine = f.Line - span
		}
	}
	if !suggestionFits(file, f, span) {
		f.Suggestion = ""
	}
	return f, ""
}

// suggestionFits keeps a suggested replacement only when it replaces
// exactly the anchored lines: new-side lines, the range intact, and
// different from what is there.
func suggestionFits(file *diffparse.File, f Finding, span int) bool {
	if f.Suggestion == "" || f.Side != diffparse.New || (span > 0 && f.StartLine == 0) {
		return false
	}
	start := f.Line
	if f.StartLine > 0 {
		start = f.StartLine
	}
	var cur []string
	for n := start; n <= f.Line; n++ {
		_, l := file.LineAt(diffparse.New, n)
		if l == nil {
			return false
		}
		cur = append(cur, normCode(l.Text))
	}
	var sug []string
	for _, l := range strings.Split(strings.TrimRight(f.Suggestion, "\n"), "\n") {
		sug = append(sug, normCode(l))
	}
	return strings.Join(cur, "\n") != strings.Join(sug, "\n")
}

// DiffPath returns the path of the file of d that path names, resolved as
// inline comments resolve it (findFile), and false when path names no file
// of d. What it returns is always a path of the diff, so a model's
// "../../etc/passwd" or "/etc/passwd" never comes back. Code Insights
// annotations use it to stay where the inline comments may go.
func DiffPath(d *diffparse.Diff, path string) (string, bool) {
	if f := findFile(d, path); f != nil {
		return f.Path(), true
	}
	return "", false
}

func findFile(d *diffparse.Diff, path string) *diffparse.File {
	if f := d.File(path); f != nil {
		return f
	}
	for _, prefix := range []string{"a/", "b/", "/"} {
		if p, ok := strings.CutPrefix(path, prefix); ok {
			if f := d.File(p); f != nil {
				return f
			}
		}
	}
	return nil
}

// locateQuote finds the line nearest to f.Line whose text matches the first
// line of f.Code.
func locateQuote(file *diffparse.File, f Finding) (int, diffparse.Side, bool) {
	quote := firstCodeLine(f.Code)
	if quote == "" {
		return 0, "", false
	}
	if quoteMatches(file, f.Side, f.Line, f.Code) {
		return f.Line, f.Side, true
	}
	// For a range the quote starts at StartLine.
	if f.StartLine > 0 && quoteMatches(file, f.Side, f.StartLine, f.Code) {
		return f.Line, f.Side, true
	}
	best, bestSide, bestDist := 0, diffparse.Side(""), driftWindow+1
	for _, h := range file.Hunks {
		for _, l := range h.Lines {
			if normCode(l.Text) != quote {
				continue
			}
			for _, side := range []diffparse.Side{diffparse.New, diffparse.Old} {
				n := l.New
				if side == diffparse.Old {
					n = l.Old
				}
				if n == 0 || (side == diffparse.Old && l.Kind == diffparse.Context) {
					continue
				}
				if d := abs(n - f.Line); d < bestDist {
					best, bestSide, bestDist = n, side, d
				}
			}
		}
	}
	return best, bestSide, best > 0
}

func quoteMatches(file *diffparse.File, side diffparse.Side, n int, code string) bool {
	_, l := file.LineAt(side, n)
	return l != nil && normCode(l.Text) == firstCodeLine(code)
}

func firstCodeLine(code string) string {
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimPrefix(line, "+")
		if t := normCode(line); t != "" {
			return t
		}
	}
	return ""
}

func normCode(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
