package xref_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/internal/gittest"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/xref"
)

// change builds a repository with base, commits head over it, and returns
// the head's tree and the diff.
func change(t testing.TB, base, head map[string]string) (*gitblob.Source, *diffparse.Diff) {
	t.Helper()
	dir, commit, raw := gittest.Change(t, base, head)
	d, err := diffparse.Parse(raw)
	require.NoError(t, err)
	return gitblob.New(dir, commit), d
}

// related runs a Finder with lim over the change.
func related(t *testing.T, base, head map[string]string, lim xref.Limits) *review.Related {
	t.Helper()
	tree, d := change(t, base, head)
	rel, err := xref.New(tree, lim).Related(t.Context(), d.Files)
	require.NoError(t, err)
	return rel
}

// find returns the first snippet of path whose text contains text.
func find(rel *review.Related, path, text string) (review.Snippet, int, bool) {
	for i, s := range rel.Snippets {
		if s.Path == path && strings.Contains(strings.Join(s.Lines, "\n"), text) {
			return s, i, true
		}
	}
	return review.Snippet{}, -1, false
}

// dump renders the snippets for a failure message.
func dump(rel *review.Related) string {
	var b strings.Builder
	for i, s := range rel.Snippets {
		fmt.Fprintf(&b, "#%d %s:%d (%s) uses %v\n", i, s.Path, s.Start, s.What, s.Uses)
		for _, l := range s.Lines {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	return b.String()
}

// requireSnippet fails unless a snippet of path contains text.
func requireSnippet(t *testing.T, rel *review.Related, path, text string) (review.Snippet, int) {
	t.Helper()
	s, i, ok := find(rel, path, text)
	require.True(t, ok, "no snippet of %s with %q in:\n%s", path, text, dump(rel))
	return s, i
}

// requireNoSnippet fails when a snippet contains text.
func requireNoSnippet(t *testing.T, rel *review.Related, text string) {
	t.Helper()
	for _, s := range rel.Snippets {
		require.NotContains(t, strings.Join(s.Lines, "\n"), text, "unexpected snippet in:\n%s", dump(rel))
	}
}
