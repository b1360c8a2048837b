package workflow

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
)

// cloneHost is the in-memory pull request with a clone: Tree answers
// tree, or err.
type cloneHost struct {
	*memory
	tree  review.Tree
	err   error
	asked []string
}

var _ TreeSource = (*cloneHost)(nil)

func (h *cloneHost) Tree(_ context.Context, commit string) (review.Tree, error) {
	h.asked = append(h.asked, commit)
	if h.err != nil {
		return nil, h.err
	}
	return h.tree, nil
}

type emptyTree struct{}

func (emptyTree) Walk(context.Context, func(string, int64) error) error { return nil }
func (emptyTree) ReadFile(context.Context, string) ([]byte, error)      { return nil, errors.New("none") }

// finder answers one definition for the test diff's added line.
type finder struct{ tree review.Tree }

func (finder) Related(context.Context, []*diffparse.File) (*review.Related, error) {
	return &review.Related{LeftOut: 2, Snippets: []review.Snippet{{
		Path: "app/db.go", Start: 4, What: "definition of DB.Query", Lines: []string{"// Query runs q UNESCAPED."},
		Uses: []review.Place{{Path: "app/users.go", Line: 3}},
	}}}, nil
}

// withCrossFile makes the fixture's runs ask for cross-file context,
// logging at DEBUG, and records the trees it was built on.
func withCrossFile(f *fixture) *[]review.Tree {
	var built []review.Tree
	f.deps.Log = NewLog(&f.log, true, func() (review.TextScanner, error) { return redact.New() })
	f.deps.CrossFile = func(t review.Tree) review.CrossFile {
		built = append(built, t)
		return finder{t}
	}
	return &built
}

func reviewPrompts(m *stubModel) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	for _, r := range m.reqs {
		if r.SchemaName == review.SchemaName {
			b.WriteString(r.Prompt)
		}
	}
	return b.String()
}

func notes(m *memory) string {
	var b bytes.Buffer
	for _, info := range m.infos {
		b.WriteString(strings.Join(info.Notes, "\n"))
	}
	return b.String()
}

// TestCrossFileContextFromTheCloneOfTheHead: a host with a clone of the
// head commit gives its tree to the finder; the batch shows the snippet,
// and the step log says at DEBUG what was sent and what was left out.
func TestCrossFileContextFromTheCloneOfTheHead(t *testing.T) {
	f := newFixture(t)
	built := withCrossFile(f)
	host := &cloneHost{memory: f.p, tree: emptyTree{}}
	out := Run(t.Context(), host, f.s, f.deps)
	require.NoError(t, out.Err, f.log.String())
	assert.Equal(t, []string{"bbbbbbbbbbbbbbbb"}, host.asked, "the tree of the reviewed head")
	require.Len(t, *built, 1)
	assert.Equal(t, review.Tree(emptyTree{}), (*built)[0])
	assert.Contains(t, reviewPrompts(f.model), "Query runs q UNESCAPED")
	assert.NotContains(t, notes(f.p), "Cross-file context was off")
	assert.Contains(t, f.log.String(), "cross-file context: 1 snippet(s)")
	assert.Contains(t, f.log.String(), "2 left out by the search's bounds")
}

// TestCrossFileContextOffSaysSo: without a clone of the head (a host that
// has none, or a clone without the commit), the review goes on without
// cross-file context and the summary says so.
func TestCrossFileContextOffSaysSo(t *testing.T) {
	for name, host := range map[string]func(*memory) Platform{
		"no clone": func(m *memory) Platform { return m },
		"commit not there": func(m *memory) Platform {
			return &cloneHost{memory: m, err: errors.New("commit bbbbbbbbbbbb is not in the repository")}
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			built := withCrossFile(f)
			out := Run(t.Context(), host(f.p), f.s, f.deps)
			require.NoError(t, out.Err, f.log.String())
			assert.Empty(t, *built)
			assert.NotContains(t, reviewPrompts(f.model), "UNESCAPED")
			assert.Contains(t, notes(f.p), "Cross-file context was off: no clone of the head commit")
			assert.Contains(t, f.log.String(), "Cross-file context off")
		})
	}
}

// TestNoCrossFileNoNote: a run not wired for cross-file context says
// nothing about it.
func TestNoCrossFileNoNote(t *testing.T) {
	f := newFixture(t)
	out := Run(t.Context(), f.p, f.s, f.deps)
	require.NoError(t, out.Err)
	assert.NotContains(t, notes(f.p), "Cross-file")
}
