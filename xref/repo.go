package xref

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// entry is a source file of the tree that may be read.
type entry struct {
	path string
	size int64
	lang *language
}

// repo is the tree of one search: its source files, listed once, and the
// text of those read so far, within the Limits.
type repo struct {
	tree review.Tree
	lim  Limits

	files  []entry
	index  map[string]int   // path → files
	dirs   map[string][]int // directory → files
	gomods []string         // go.mod files

	text    map[string][]string // read (nil: not readable)
	read    int
	bytes   int64
	refused int // files not read for the limits or the time
}

var errListed = errors.New("listing limit reached")

// maxGoMods bounds the go.mod files read for module paths.
const maxGoMods = 64

func newRepo(tree review.Tree, lim Limits) *repo {
	return &repo{tree: tree, lim: lim, index: map[string]int{}, dirs: map[string][]int{}, text: map[string][]string{}}
}

// list walks the tree once, keeping the source files of the languages
// this package knows that are not vendored, generated, minified or too
// large.
func (r *repo) list(ctx context.Context) error {
	n := 0
	err := r.tree.Walk(ctx, func(p string, size int64) error {
		if n++; n > r.lim.Listed {
			return errListed
		}
		if path.Base(p) == "go.mod" && len(r.gomods) < maxGoMods {
			r.gomods = append(r.gomods, p)
		}
		l := langOf(p)
		if l == nil || size > r.lim.FileBytes || diffparse.Classify(&diffparse.File{NewPath: p}) != diffparse.ClassNone {
			return nil
		}
		r.index[p] = len(r.files)
		r.dirs[path.Dir(p)] = append(r.dirs[path.Dir(p)], len(r.files))
		r.files = append(r.files, entry{path: p, size: size, lang: l})
		return nil
	})
	if errors.Is(err, errListed) {
		return nil // search what was listed
	}
	return err
}

// lines returns a listed file's lines, reading it when the limits allow.
func (r *repo) lines(ctx context.Context, p string) ([]string, bool) {
	if t, ok := r.text[p]; ok {
		return t, t != nil
	}
	i, ok := r.index[p]
	if !ok {
		return nil, false
	}
	if ctx.Err() != nil || r.read >= r.lim.Files || r.bytes+r.files[i].size > r.lim.Bytes {
		r.refused++
		r.text[p] = nil
		return nil, false
	}
	data, err := r.tree.ReadFile(ctx, p)
	if err != nil {
		r.text[p] = nil
		return nil, false
	}
	r.read++
	r.bytes += int64(len(data))
	t := splitLines(data)
	if t == nil {
		t = []string{}
	}
	r.text[p] = t
	return t, true
}

// module is a Go module of the tree: its directory and its path.
type module struct{ dir, path string }

// modules reads the module path of every listed go.mod.
func (r *repo) modules(ctx context.Context) []module {
	var out []module
	for _, p := range r.gomods {
		data, err := r.tree.ReadFile(ctx, p)
		if err != nil || len(data) > 1<<16 {
			continue
		}
		if mp := modfile.ModulePath(data); mp != "" {
			out = append(out, module{dir: path.Dir(p), path: mp})
		}
	}
	// The longest module path first, so a nested module wins.
	sort.Slice(out, func(i, j int) bool { return len(out[i].path) > len(out[j].path) })
	return out
}

// order returns the files of families, nearest to the focus directories
// first (the same directory, then the longest common path), tests last
// among equals: the order in which a search reads them.
func (r *repo) order(families map[string]bool, focus []string) []int {
	focus = uniq(focus)
	near := map[string]int{}
	var out []int
	for i, e := range r.files {
		if !families[e.lang.family] {
			continue
		}
		d := path.Dir(e.path)
		if _, ok := near[d]; !ok {
			near[d] = nearness(d, focus)
		}
		out = append(out, i)
	}
	sort.SliceStable(out, func(a, b int) bool {
		ea, eb := r.files[out[a]], r.files[out[b]]
		na, nb := near[path.Dir(ea.path)], near[path.Dir(eb.path)]
		if na != nb {
			return na > nb
		}
		if ta, tb := isTest(ea.path), isTest(eb.path); ta != tb {
			return tb
		}
		return ea.path < eb.path
	})
	return out
}

// nearness scores a directory against the focus directories: 1000 for
// one of them, else the most path elements it shares with one.
func nearness(dir string, focus []string) int {
	best := 0
	for _, f := range focus {
		if f == dir {
			return 1000
		}
		best = max(best, common(dir, f))
	}
	return best
}

// common counts the leading path elements two directories share.
func common(a, b string) int {
	if a == "." || b == "." {
		return 0
	}
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
