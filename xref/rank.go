package xref

import (
	"context"
	"sort"

	"github.com/bitreview/bitreview/review"
)

// hit is a line of a file where a wanted name appears as a word.
type hit struct {
	path string
	line int
}

// maxHits bounds the hits kept per name; the nearest files are read
// first, so those kept are the nearest.
const maxHits = 400

// candidate is a snippet that may be shown for a want.
type candidate struct {
	want       *want
	path       string
	start, end int // lines shown
	line       int // the use, for a uses want
	what       string
	tier       int // 0 best
}

// scan reads the files of the wants' languages, nearest to the changed
// files first, and records where each wanted name appears as a word:
// `git grep -w` over the tracked blobs, within the Limits.
func (s *search) scan(ctx context.Context) map[string][]hit {
	names := map[string]bool{}
	families := map[string]bool{}
	var focus []string
	for _, w := range s.wants {
		if w.found {
			continue
		}
		names[w.name] = true
		families[w.family] = true
	}
	for _, c := range s.changes {
		focus = append(focus, dirOf(c.path))
	}
	hits := map[string][]hit{}
	if len(names) == 0 {
		return hits
	}
	diffed := map[string][][2]int{} // the hunks' lines: the diff, no hit
	for _, c := range s.changes {
		diffed[c.path] = c.hunks
	}
	for _, i := range s.r.order(families, focus) {
		p := s.r.files[i].path
		lines, ok := s.r.lines(ctx, p)
		if !ok {
			continue
		}
		for n, line := range lines {
			if within(diffed[p], n+1) {
				continue
			}
			eachWord(line, func(word string) {
				if names[word] && len(hits[word]) < maxHits {
					if hs := hits[word]; len(hs) == 0 || hs[len(hs)-1] != (hit{p, n + 1}) {
						hits[word] = append(hs, hit{p, n + 1})
					}
				}
			})
		}
	}
	return hits
}

// within reports whether line n is in one of ranges.
func within(ranges [][2]int, n int) bool {
	for _, r := range ranges {
		if n >= r[0] && n <= r[1] {
			return true
		}
	}
	return false
}

// eachWord calls fn with each identifier of line.
func eachWord(line string, fn func(string)) {
	for i := 0; i < len(line); {
		if !isWordByte(line[i]) {
			i++
			continue
		}
		j := i
		for j < len(line) && isWordByte(line[j]) {
			j++
		}
		fn(line[i:j])
		i = j
	}
}

// resolve turns the hits into candidates for every want of the word
// search; Go's are resolved by goSearch.
func (s *search) resolve(ctx context.Context, hits map[string][]hit) {
	for _, w := range s.wants {
		if w.found {
			continue
		}
		hs := familyHits(s, w, hits[w.name])
		switch {
		case w.goKind != "":
			s.cands = append(s.cands, s.gs.useCandidates(ctx, w, hs)...)
		case w.kind == wantDef:
			s.cands = append(s.cands, s.defCandidates(w, hs)...)
		default:
			s.cands = append(s.cands, s.useCandidates(w, hs)...)
		}
	}
}

// familyHits keeps the hits in files of w's language family.
func familyHits(s *search, w *want, hs []hit) []hit {
	var out []hit
	for _, h := range hs {
		if s.r.files[s.r.index[h.path]].lang.family == w.family {
			out = append(out, h)
		}
	}
	return out
}

// rank keeps the best candidates of each want (PerName definitions,
// Callers uses; by tier, then nearest the changed file), orders them all
// (tier, then each want's first before any want's second, then the
// want's weight and order) and turns them into snippets, merging equal
// ones.
func (s *search) rank(ctx context.Context) []review.Snippet {
	byWant := map[*want][]candidate{}
	for _, c := range s.cands {
		byWant[c.want] = append(byWant[c.want], c)
	}
	type kept struct {
		candidate
		nth int
	}
	var all []kept
	for _, w := range s.wants {
		cs := byWant[w]
		here := []string{dirOf(w.from.path)}
		sort.SliceStable(cs, func(i, j int) bool {
			if cs[i].tier != cs[j].tier {
				return cs[i].tier < cs[j].tier
			}
			if ni, nj := nearness(dirOf(cs[i].path), here), nearness(dirOf(cs[j].path), here); ni != nj {
				return ni > nj // nearer the change first
			}
			if cs[i].path != cs[j].path {
				return cs[i].path < cs[j].path
			}
			return cs[i].start < cs[j].start
		})
		limit := s.lim.PerName
		if w.kind == wantUses {
			limit = s.lim.Callers
		}
		if len(cs) > limit {
			s.bounded += len(cs) - limit
			cs = cs[:limit]
		}
		for n, c := range cs {
			all = append(all, kept{c, n})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.tier != b.tier:
			return a.tier < b.tier
		case a.nth != b.nth:
			return a.nth < b.nth
		case a.want.weight != b.want.weight:
			return a.want.weight < b.want.weight
		}
		return a.want.order < b.want.order
	})
	var out []review.Snippet
	type span struct {
		path       string
		start, end int
	}
	at := map[span]int{}
	for _, k := range all {
		key := span{k.path, k.start, k.end}
		if i, ok := at[key]; ok {
			out[i].Uses = appendPlace(out[i].Uses, k.want.uses...)
			continue
		}
		lines, ok := s.r.lines(ctx, k.path)
		if !ok || k.start < 1 || k.end > len(lines) || k.start > k.end {
			continue
		}
		what := k.what
		if k.want.kind == wantUses && k.line > 0 {
			what += s.enclosing(k.path, k.line)
		}
		at[key] = len(out)
		out = append(out, review.Snippet{Path: k.path, Start: k.start, Lines: lines[k.start-1 : k.end], What: what, Uses: appendPlace(nil, k.want.uses...)})
	}
	return out
}

// enclosing names the definition around a use, " in NAME", or "".
func (s *search) enclosing(p string, line int) string {
	e := s.r.files[s.r.index[p]]
	if e.lang.name == "go" && s.gs != nil {
		if name := s.gs.enclosingFunc(p, line); name != "" {
			return " in " + name
		}
	}
	if name, _ := enclosingDef(s.r.text[p], line, e.lang); name != "" {
		return " in " + name
	}
	return ""
}

func dirOf(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "."
}
