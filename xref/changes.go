package xref

import (
	"context"
	"path"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// change is a changed file of the review as the search sees it.
type change struct {
	path   string // new path; the old one for a deleted file
	lang   *language
	lines  []string     // the head version; nil when it could not be read
	added  map[int]bool // new-side numbers of added lines
	hunks  [][2]int     // new-side line ranges of the hunks
	points []int        // new-side lines where something changed
	// addedText and removedText are the changed lines' code, in order.
	addedText   []numbered
	removedText []numbered // with the point where they were
	imports     []string   // module keys the head version imports
}

type numbered struct {
	n    int
	text string
}

// wantKind is what a want looks for.
type wantKind int

const (
	wantDef  wantKind = iota // the definition of a name a changed line uses
	wantUses                 // the uses of a name the change defines or changes
)

// want is one thing to look for, with the places of the diff it serves.
type want struct {
	kind   wantKind
	name   string
	family string
	lang   *language
	from   *change
	uses   []review.Place
	order  int // creation order: first use first
	weight int // 0 calls, methods, changed definitions; 1 members and types; 2 the rest
	member bool
	// Go: the changed declaration's package and kind, for its uses.
	goDir, goPkg, goName, goKind string
	// found marks a Go definition resolved by the type checker: no scan.
	found bool
}

type wantKey struct {
	kind         wantKind
	family, name string
	goDir        string
}

// search is one Related call's state.
type search struct {
	r       *repo
	lim     Limits
	changes []*change
	wants   []*want
	byKey   map[wantKey]*want
	cands   []candidate
	bounded int // dropped for a bound: names over the cap, candidates over a per-name cap
	gs      *goSearch
	// perChange counts the wants of each changed file, dropped the names
	// over the caps (each counted once).
	perChange map[*change]int
	dropped   map[wantKey]bool
}

// share is the most wants one changed file may make: an equal share of
// Names, at least minShare, so that the first files of a large diff do
// not take every name.
func (s *search) share() int {
	return max(minShare, s.lim.Names/max(1, len(s.changes)))
}

// minShare is the least share of Names a changed file gets.
const minShare = 12

func newSearch(tree review.Tree, lim Limits) *search {
	return &search{r: newRepo(tree, lim), lim: lim, byKey: map[wantKey]*want{}, perChange: map[*change]int{}, dropped: map[wantKey]bool{}}
}

// load reads the changed files of a known language at the head, and
// where each hunk changed them.
func (s *search) load(ctx context.Context, files []*diffparse.File) {
	for _, f := range files {
		p := f.Path()
		l := langOf(p)
		if l == nil || f.Binary || f.Symlink || f.Submodule || len(f.Hunks) == 0 {
			continue
		}
		c := &change{path: p, lang: l, added: map[int]bool{}}
		for _, h := range f.Hunks {
			c.hunks = append(c.hunks, [2]int{h.NewStart, h.NewStart + h.NewCount - 1})
			next := h.NewStart
			for _, ln := range h.Lines {
				switch ln.Kind {
				case diffparse.Added:
					c.added[ln.New] = true
					c.points = append(c.points, ln.New)
					c.addedText = append(c.addedText, numbered{ln.New, ln.Text})
					next = ln.New + 1
				case diffparse.Removed:
					c.points = append(c.points, max(next, 1))
					c.removedText = append(c.removedText, numbered{max(next, 1), ln.Text})
				default:
					next = ln.New + 1
				}
			}
		}
		if f.NewPath != "" {
			if lines, ok := s.r.lines(ctx, f.NewPath); ok && agrees(lines, c.addedText) {
				c.lines = lines
			}
		}
		c.imports = importKeys(c)
		s.changes = append(s.changes, c)
	}
}

// agrees reports whether the head version has the added lines where the
// diff says (else the tree is not the diff's head and is not used).
func agrees(lines []string, added []numbered) bool {
	for _, a := range added {
		if a.n < 1 || a.n > len(lines) || strings.TrimSuffix(a.text, "\r") != lines[a.n-1] {
			return false
		}
	}
	return true
}

// add records a want, merging it with an equal one.
func (s *search) add(w *want) *want {
	key := wantKey{w.kind, w.family, w.name, w.goDir}
	if old, ok := s.byKey[key]; ok {
		old.uses = appendPlace(old.uses, w.uses...)
		old.weight = min(old.weight, w.weight)
		old.member = old.member || w.member
		return old
	}
	if len(s.wants) >= s.lim.Names || s.perChange[w.from] >= s.share() {
		if !s.dropped[key] {
			s.dropped[key] = true
			s.bounded++
		}
		return nil
	}
	s.perChange[w.from]++
	w.order = len(s.wants)
	s.wants = append(s.wants, w)
	s.byKey[key] = w
	return w
}

// maxUses bounds the places a snippet is shown for.
const maxUses = 64

func appendPlace(ps []review.Place, more ...review.Place) []review.Place {
	for _, m := range more {
		dup := false
		for _, p := range ps {
			if p == m {
				dup = true
				break
			}
		}
		if !dup && len(ps) < maxUses {
			ps = append(ps, m)
		}
	}
	return ps
}

// inHunk reports whether lines start..end of p overlap a hunk of the
// review: those are in the diff already.
func (s *search) inHunk(p string, start, end int) bool {
	for _, c := range s.changes {
		if c.path != p {
			continue
		}
		for _, h := range c.hunks {
			if start <= h[1] && end >= h[0] {
				return true
			}
		}
	}
	return false
}

// importKeys lists the modules the head version of c imports, as path
// keys: a path without extension for a relative import, else the
// module's dotted or slashed name as a path suffix.
func importKeys(c *change) []string {
	if c.lines == nil || len(c.lang.imports) == 0 {
		return nil
	}
	var keys []string
	dir := path.Dir(c.path)
	for _, line := range c.lines {
		for _, p := range c.lang.imports {
			m := p.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if k := moduleKey(c.lang, dir, m[1]); k != "" {
				keys = append(keys, k)
			}
		}
	}
	return uniq(keys)
}

// moduleKey turns an import's module into a path key.
func moduleKey(l *language, dir, mod string) string {
	switch l.name {
	case "python":
		dots := len(mod) - len(strings.TrimLeft(mod, "."))
		rest := strings.ReplaceAll(strings.TrimLeft(mod, "."), ".", "/")
		if dots == 0 {
			return rest
		}
		base := dir
		for range dots - 1 {
			base = path.Dir(base)
		}
		return path.Clean(path.Join(base, rest))
	case "typescript", "ruby":
		if strings.HasPrefix(mod, ".") {
			return strings.TrimSuffix(path.Clean(path.Join(dir, mod)), path.Ext(mod))
		}
		return strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(mod, "@/"), "~/"), "/")
	case "java":
		return strings.ReplaceAll(strings.TrimSuffix(mod, ".*"), ".", "/")
	case "php":
		return strings.Trim(strings.ReplaceAll(mod, `\`, "/"), "/")
	case "rust":
		return strings.ReplaceAll(mod, "::", "/")
	}
	return ""
}

// imported reports whether file p is one that c imports.
func imported(c *change, p string) bool { return importsPath(c.lang, c.imports, p) }

// importsPath reports whether file p is one of the modules keys name: its
// path without extension (or its folder, for an index, __init__ or mod
// file) is a key or ends with "/"+key; a Java, PHP, Python or Rust key
// may name an item of the file, so its parents count too.
func importsPath(l *language, keys []string, p string) bool {
	noExt := strings.TrimSuffix(p, path.Ext(p))
	cands := []string{noExt}
	switch path.Base(noExt) {
	case "index", "__init__", "mod":
		cands = append(cands, path.Dir(noExt))
	}
	for _, k := range keys {
		for _, cand := range cands {
			for key := k; key != "." && key != "/" && key != ""; key = path.Dir(key) {
				if cand == key || strings.HasSuffix(cand, "/"+key) {
					return true
				}
				if l.name != "java" && l.name != "php" && l.name != "rust" && l.name != "python" {
					break // a relative or package path names the file itself
				}
			}
		}
	}
	return false
}

// importOf says where file p (its lines) imports name from: "" when no
// import line of it names it, else "def" when the module is the file
// def, "other" when it is another one.
func importOf(l *language, p string, lines []string, name, def string) string {
	verdict := ""
	for _, line := range lines {
		if !strings.Contains(line, name) {
			continue
		}
		for _, re := range l.imports {
			m := re.FindStringSubmatch(line)
			if m == nil || !hasWord(line, name) {
				continue
			}
			if k := moduleKey(l, path.Dir(p), m[1]); k != "" && importsPath(l, []string{k}, def) {
				return "def"
			}
			verdict = "other"
		}
	}
	return verdict
}

// hasWord reports whether name is a word of line.
func hasWord(line, name string) bool {
	found := false
	eachWord(line, func(w string) { found = found || w == name })
	return found
}
