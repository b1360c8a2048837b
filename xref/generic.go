package xref

import (
	"context"
	"path"
	"regexp"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// generic records what a change of a language without a parser here
// needs: the definitions of the names on its added lines, and the uses of
// the definitions it adds, changes or removes (found by the definition
// patterns around the changed lines).
func (s *search) generic(ctx context.Context, c *change) {
	l := c.lang
	for _, a := range c.addedText {
		at := review.Place{Path: c.path, Line: a.n}
		defined := l.defName(a.text, false)
		field := l.defName(a.text, true)
		if defined != "" {
			s.add(&want{kind: wantUses, name: defined, family: l.family, lang: l, from: c, uses: []review.Place{at}})
		} else if field != "" {
			s.add(&want{kind: wantUses, name: field, family: l.family, lang: l, from: c, uses: []review.Place{at}, member: true, weight: 1})
		}
		for _, t := range idents(a.text, l) {
			if t.name == defined || t.name == field {
				continue
			}
			w := &want{kind: wantDef, name: t.name, family: l.family, lang: l, from: c, uses: []review.Place{at}, member: t.member}
			switch {
			case t.call:
				w.weight = 0
			case t.member || isUpper(t.name):
				w.weight = 1
			default:
				w.weight = 2
			}
			s.add(w)
		}
	}
	for _, r := range c.removedText {
		if name := l.defName(r.text, false); name != "" {
			s.add(&want{kind: wantUses, name: name, family: l.family, lang: l, from: c, uses: []review.Place{{Path: c.path, Line: r.n}}})
		}
	}
	if c.lines == nil {
		return
	}
	s.enclosingWants(ctx, c)
}

// enclosingWants records a uses want for the definition around each
// changed line of c. The points come in order, and each looks up no
// further than the one before it: a definition above that held the
// previous point holds this one too if its block reaches it, so the
// lines of the file are read once however many lines changed.
func (s *search) enclosingWants(ctx context.Context, c *change) {
	l := c.lang
	var cur struct {
		name    string
		at, end int
	}
	prev := 0
	for _, p := range c.points {
		if ctx.Err() != nil {
			return
		}
		floor := max(1, p-maxEnclosing)
		if prev > 0 && p >= prev {
			floor = max(floor, prev+1)
		}
		prev = p
		name, at := enclosingDefFrom(c.lines, p, l, floor)
		switch {
		case name == "" && cur.at > 0 && p <= cur.end:
			name = cur.name
		case name == "":
			cur.at = 0
			continue
		case at != cur.at:
			cur.name, cur.at, cur.end = name, at, blockEnd(c.lines, at, l)
		}
		s.add(&want{kind: wantUses, name: name, family: l.family, lang: l, from: c, uses: []review.Place{{Path: c.path, Line: p}}})
	}
}

func isUpper(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }

// maxEnclosing is how far above a changed line its definition is looked
// for.
const maxEnclosing = 400

// enclosingDef returns the name and line of the innermost definition
// whose block holds line p, "" when none within maxEnclosing lines does.
func enclosingDef(lines []string, p int, l *language) (string, int) {
	return enclosingDefFrom(lines, p, l, max(1, p-maxEnclosing))
}

// enclosingDefFrom is enclosingDef looking no further up than line floor.
func enclosingDefFrom(lines []string, p int, l *language, floor int) (string, int) {
	for i := min(p, len(lines)); i >= floor; i-- {
		name := l.defName(lines[i-1], false)
		if name == "" {
			continue
		}
		if blockEnd(lines, i, l) >= p {
			return name, i
		}
	}
	return "", 0
}

// maxBlock bounds how far a block's end is looked for.
const maxBlock = 3000

// blockEnd returns the last line of the definition starting at line i.
func blockEnd(lines []string, i int, l *language) int {
	last := min(len(lines), i+maxBlock)
	switch l.block {
	case indent:
		return indentEnd(lines, i, last)
	case rubyEnd:
		base := indentOf(lines[i-1])
		for j := i + 1; j <= last; j++ {
			t := strings.TrimSpace(lines[j-1])
			if (t == "end" || strings.HasPrefix(t, "end ") || strings.HasPrefix(t, "end.")) && indentOf(lines[j-1]) <= base {
				return j
			}
		}
		return i
	}
	depth, opened := 0, false
	for j := i; j <= last; j++ {
		c := code(lines[j-1], l)
		for k := 0; k < len(c); k++ {
			switch c[k] {
			case '{':
				depth++
				opened = true
			case '}':
				depth--
			}
		}
		if opened && depth <= 0 {
			return j
		}
		if !opened && (strings.HasSuffix(strings.TrimSpace(c), ";") || j >= i+2) {
			return j // a declaration without a body
		}
	}
	return last
}

// indentEnd is the last line of an indented block (Python): the
// signature up to its ":" and the lines indented deeper than it.
func indentEnd(lines []string, i, last int) int {
	base := indentOf(lines[i-1])
	end, j := i, i
	for ; j <= last && !strings.HasSuffix(strings.TrimSpace(lines[j-1]), ":") && j < i+8; j++ {
		end = j
	}
	for j++; j <= last; j++ {
		t := strings.TrimSpace(lines[j-1])
		if t == "" {
			continue
		}
		if indentOf(lines[j-1]) <= base {
			break
		}
		end = j
	}
	return max(end, i)
}

// docStart is the first line of the comments and decorators right above
// line i, at most maxDoc of them.
func docStart(lines []string, i int, l *language, maxDoc int) int {
	start := i
	for j := i - 1; j >= 1 && i-j <= maxDoc; j-- {
		t := strings.TrimSpace(lines[j-1])
		if t == "" || !(l.isComment(t) || l.isDecorator(t) || strings.HasSuffix(t, "*/")) {
			break
		}
		start = j
	}
	return start
}

var typeWord = regexp.MustCompile(`\b(?:class|interface|struct|enum|record|object|trait|module|type|impl)\b`)

// ownerOf names the type around a field: the nearest enclosing
// definition that declares a type (a field set in a Python __init__
// belongs to its class), "" when none is found.
func ownerOf(lines []string, n int, l *language) string {
	for range 3 {
		name, at := enclosingDef(lines, n, l)
		if name == "" {
			return ""
		}
		if typeWord.MatchString(lines[at-1]) {
			return name
		}
		n = at - 1
		if n < 1 {
			return ""
		}
	}
	return ""
}

// maxDoc is the most lines of doc comment shown above a definition.
const maxDoc = 8

// defCandidates turns the hits of a definition want into candidates: the
// lines that define the name in a file of its family.
func (s *search) defCandidates(w *want, hits []hit) []candidate {
	var out []candidate
	for _, h := range hits {
		e := s.r.files[s.r.index[h.path]]
		lines := s.r.text[h.path]
		text := lines[h.line-1]
		field := false
		if e.lang.defName(text, false) != w.name {
			if e.lang.defName(text, true) != w.name {
				continue
			}
			field = true
		}
		start := docStart(lines, h.line, e.lang, maxDoc)
		end := min(blockEnd(lines, h.line, e.lang), start+s.lim.Lines-1)
		what := "definition of " + w.name
		if field { // the field with its neighbours, the type's other fields
			start = max(1, min(start, h.line-s.lim.Around))
			end = min(h.line+s.lim.Around, len(lines))
			if owner := ownerOf(lines, h.line, e.lang); owner != "" {
				what = "field " + w.name + " of " + owner
			}
		}
		if s.inHunk(h.path, start, end) {
			continue
		}
		out = append(out, candidate{want: w, path: h.path, start: start, end: end, what: what, tier: s.defTier(w, h.path)})
	}
	return s.unambiguous(imports(out))
}

// imports keeps only the definitions in files the change imports (or in
// itself) when there are any: a same-named one elsewhere is another
// thing, and showing it would mislead.
func imports(cands []candidate) []candidate {
	var direct []candidate
	for _, c := range cands {
		if c.tier == 0 {
			direct = append(direct, c)
		}
	}
	if len(direct) == 0 {
		return cands
	}
	return direct
}

// defTier ranks a definition: in a file the change imports, or the
// change's own file (0), its folder (1), elsewhere (2), in a test (3).
func (s *search) defTier(w *want, p string) int {
	switch {
	case isTest(p) && !isTest(w.from.path):
		return 3
	case p == w.from.path || imported(w.from, p):
		return 0
	case path.Dir(p) == path.Dir(w.from.path):
		return 1
	}
	return 2
}

// maxAmbiguous is the most same-named definitions elsewhere kept when
// none is near the change: beyond it the name is too common to guess.
const maxAmbiguous = 4

func (s *search) unambiguous(cands []candidate) []candidate {
	near, far := 0, 0
	for _, c := range cands {
		if c.tier <= 1 {
			near++
		} else {
			far++
		}
	}
	if near > 0 || far <= maxAmbiguous {
		return cands
	}
	s.bounded += far
	return nil
}

// useCandidates turns the hits of a uses want into candidates: lines of
// other files of its family where the name appears as code, not as a
// definition, an import or a comment.
func (s *search) useCandidates(w *want, hits []hit) []candidate {
	var out []candidate
	from := map[string]string{} // importOf, once per file
	for _, h := range hits {
		if h.path == w.from.path {
			continue
		}
		e := s.r.files[s.r.index[h.path]]
		lines := s.r.text[h.path]
		text := lines[h.line-1]
		if e.lang.defName(text, false) == w.name || isImport(e.lang, text) {
			continue
		}
		call, ok := usesName(text, w.name, e.lang, w.member)
		if !ok {
			continue
		}
		if _, done := from[h.path]; !done {
			from[h.path] = importOf(e.lang, h.path, lines, w.name, w.from.path)
		}
		from := from[h.path]
		if from == "other" {
			continue // a same-named function of another module
		}
		tier := 2
		switch {
		case isTest(h.path):
			tier = 3
		case from == "def" || path.Dir(h.path) == path.Dir(w.from.path):
			tier = 1
		}
		verb := "use of "
		if call {
			verb = "call of "
		}
		out = append(out, candidate{want: w, path: h.path, line: h.line, what: verb + w.name, tier: tier,
			start: max(1, h.line-s.lim.Around), end: min(len(lines), h.line+s.lim.Around)})
	}
	return out
}

// usesName reports whether line's code has name as an identifier (as a
// member when member is set), and whether it calls it.
func usesName(line, name string, l *language, member bool) (call, ok bool) {
	for _, t := range idents(line, l) {
		if t.name == name && (!member || t.member) {
			return t.call, true
		}
	}
	return false, false
}

func isImport(l *language, line string) bool {
	t := strings.TrimSpace(line)
	for _, p := range []string{"import ", "from ", "require", "use ", "using ", "include", "export {", "export *"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	for _, p := range l.imports {
		if p.MatchString(line) {
			return true
		}
	}
	return false
}
