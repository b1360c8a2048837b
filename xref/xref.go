// Package xref finds cross-file context for a review: what a senior
// reviewer would open next to the diff. For the identifiers on added lines
// it finds their definitions elsewhere in the repository (signature, doc
// comment, a short body or struct excerpt); for the functions, methods,
// types and fields that a hunk changes it finds a few call sites and uses
// in other files, the same package first and tests last.
//
// Go is read precisely: the changed package is parsed with go/parser and
// type-checked with go/types from the tree alone (no build, no network, no
// module download; a shallow clone is enough), its in-module imports
// resolved through go.mod's module path, so that selectors, methods by
// receiver type and struct fields resolve to their declarations. Other
// languages (TypeScript and JavaScript, Python, Java and Kotlin, C#, Ruby,
// PHP, Rust) are searched like `git grep -w` over the tracked files, with
// per-language definition patterns and the file's imports as hints: a
// heuristic, which can miss a definition or pick a same-named one.
//
// Files come only from a review.Tree: blobs of the regular files tracked
// at the head commit, never the working tree. Every search is bounded
// (Limits): entries listed, files and bytes read, the largest file, time,
// names looked up, snippets per name and lines per snippet. What the
// bounds left out is counted in review.Related.LeftOut.
package xref

import (
	"context"
	"fmt"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Limits bound one search. Zero fields take the defaults.
type Limits struct {
	Listed    int           // tree entries looked at; default 200,000
	Files     int           // files read; default 3,000
	Bytes     int64         // bytes read; default 24 MiB
	FileBytes int64         // the largest file read; default 512 KiB
	Time      time.Duration // the whole search; default 8 s
	Names     int           // names looked up; default 300
	PerName   int           // definitions kept per name; default 2
	Callers   int           // uses kept per changed definition; default 3
	Lines     int           // lines of a definition; default 20
	Around    int           // lines shown above and below a use; default 2
}

func (l Limits) withDefaults() Limits {
	orDefault(&l.Listed, 200_000)
	orDefault(&l.Files, 3_000)
	orDefault(&l.Bytes, 24<<20)
	orDefault(&l.FileBytes, 512<<10)
	orDefault(&l.Time, 8*time.Second)
	orDefault(&l.Names, 300)
	orDefault(&l.PerName, 2)
	orDefault(&l.Callers, 3)
	orDefault(&l.Lines, 20)
	orDefault(&l.Around, 2)
	return l
}

// orDefault sets *v to def when it is not positive.
func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Finder is a review.CrossFile over one tree.
type Finder struct {
	tree review.Tree
	lim  Limits
}

var _ review.CrossFile = (*Finder)(nil)

// New returns a Finder over tree. It does no I/O.
func New(tree review.Tree, lim Limits) *Finder {
	return &Finder{tree: tree, lim: lim.withDefaults()}
}

// Related finds the definitions that the added lines of files use and the
// uses of what their hunks change, ranked best first. Only listing the
// tree can fail; a search cut short by its limits or its time returns
// what it found, with the rest counted as left out.
func (f *Finder) Related(ctx context.Context, files []*diffparse.File) (*review.Related, error) {
	ctx, cancel := context.WithTimeout(ctx, f.lim.Time)
	defer cancel()
	s := newSearch(f.tree, f.lim)
	if err := s.r.list(ctx); err != nil {
		return nil, fmt.Errorf("cross-file context: list files: %w", err)
	}
	s.load(ctx, files)
	for _, c := range s.changes {
		if c.lang.name != "go" || !s.golang(ctx, c) {
			s.generic(ctx, c)
		}
	}
	hits := s.scan(ctx)
	s.resolve(ctx, hits)
	snippets := s.rank(ctx)
	return &review.Related{Snippets: snippets, LeftOut: s.bounded + s.r.refused}, nil
}
