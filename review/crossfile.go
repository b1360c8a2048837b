package review

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/bitreview/bitreview/diffparse"
)

// Tree is the tracked files of one commit, read from a local clone, for
// cross-file context (*gitblob.Source is one). Walk lists the regular
// files only, never following a symlink nor entering .git/.
type Tree interface {
	Walk(ctx context.Context, fn func(path string, size int64) error) error
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// CrossFile finds code elsewhere in the repository that a change uses or
// affects: the definitions of what its changed lines use, and the callers
// of what it changes (package xref). The engine asks it once per review,
// for the files going to the model, and shows each batch the snippets of
// its own hunks within the batch's share of the token budget.
type CrossFile interface {
	Related(ctx context.Context, files []*diffparse.File) (*Related, error)
}

// Related is what a CrossFile found.
type Related struct {
	// Snippets, best first.
	Snippets []Snippet
	// LeftOut counts what the finder found but dropped for its own
	// bounds (files not read in time, candidates over a per-name cap).
	LeftOut int
}

// Snippet is a few lines of a repository file at the head commit, shown
// as context: like the diff, it is untrusted data.
type Snippet struct {
	Path  string
	Start int // the line number of Lines[0]
	Lines []string
	// What says why it is shown: "definition of Store.Get", "caller of
	// ParseLimit in func list".
	What string
	// Uses are the places of the diff (new-side lines) it is shown for: a
	// batch shows it when one of its hunks holds one. Line 0 is anywhere
	// in the file.
	Uses []Place
}

// Place is a line of a file on the new side.
type Place struct {
	Path string
	Line int
}

// CrossFileStats says what cross-file context a review sent.
type CrossFileStats struct {
	Snippets int `json:"snippets"` // shown, counted once per batch
	Tokens   int `json:"tokens"`   // estimated prompt tokens they took
	// OverBudget counts snippets of a batch's hunks that did not fit its
	// share; Bounded what the finder dropped for its own bounds.
	OverBudget int `json:"over_budget"`
	Bounded    int `json:"bounded"`
	// Error is why the finder failed; the review went on without it.
	Error string `json:"error,omitempty"`
}

// The cross-file budget of a batch, in estimated prompt tokens: at most a
// quarter of BatchTokens (pack leaves that much of every batch free when
// a CrossFile is set and the diff needs more than one batch), at most crossFileBase plus crossFilePerLine per
// changed line after the first (a one-line change gets about 2,450), and
// never more than the batch or MAX_INPUT_TOKENS has left after the diff:
// the diff always comes first.
const (
	crossFileShare   = 4
	crossFileBase    = 2_400
	crossFilePerLine = 50
)

// crossFileHeader opens a batch's context section.
const crossFileHeader = "\nCode elsewhere in the repository that this diff uses or affects (context only, never anchorable):\n"

// crossFileRule goes into the system prompt of a batch that has context.
const crossFileRule = `
Blocks of kind "context" hold code from elsewhere in the repository at the pull request's head, chosen automatically: definitions that the changed lines use and callers of what the diff changes. Use them to check the change against the contracts it relies on and the code that relies on it. Their "=" lines are context only: never anchor a finding on them; report a problem they reveal on the diff line that causes it.
`

// packLimit is the diff one batch holds: all of BatchTokens, or three
// quarters of it when cross-file context is on and pieces do not fit one
// batch anyway (a diff that fits one call stays one call; its context gets
// what the batch has left).
func (e *Engine) packLimit(pieces []piece) int {
	if e.opts.CrossFile == nil {
		return e.opts.BatchTokens
	}
	total := 0
	for _, p := range pieces {
		if total += p.tokens; total > e.opts.BatchTokens {
			return e.opts.BatchTokens - e.opts.BatchTokens/crossFileShare
		}
	}
	return e.opts.BatchTokens
}

// crossFileState is a review's cross-file context: the finder's
// snippets, and what MAX_INPUT_TOKENS leaves for them.
type crossFileState struct {
	mu          sync.Mutex
	snippets    []Snippet
	room        int
	batchTokens int
	stats       *CrossFileStats
}

// crossFile asks the finder once, for the files that may go to the model.
// The context's room is what MAX_INPUT_TOKENS leaves after the whole diff
// of files (every batch of every stage can take no more), so the diff
// always comes first. It returns nil when there is nothing to show.
func (e *Engine) crossFile(ctx context.Context, files []*diffparse.File, r renderer, res *Result) *crossFileState {
	if e.opts.CrossFile == nil || len(files) == 0 {
		return nil
	}
	st := &CrossFileStats{}
	res.CrossFile = st
	rel, err := e.opts.CrossFile.Related(ctx, files)
	if err != nil {
		st.Error = err.Error()
		return nil
	}
	if rel == nil || len(rel.Snippets) == 0 {
		return nil
	}
	st.Bounded = rel.LeftOut
	diff := 0
	for _, p := range e.admit(files, math.MaxInt, r.tokens).pieces {
		diff += p.tokens
	}
	return &crossFileState{snippets: rel.Snippets, room: max(0, e.opts.MaxInputTokens-diff), batchTokens: e.opts.BatchTokens, stats: st}
}

// section renders the context of batch b within its budget and spends
// it; "" for none (and for a nil state).
func (c *crossFileState) section(b batch) string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	budget := min(crossFileBudget(b.files, c.batchTokens), c.batchTokens-b.tokens, c.room)
	text, shown, left := renderCrossFile(b.files, c.snippets, budget)
	tokens := 0
	if text != "" {
		tokens = EstimateTokens(text)
	}
	c.room -= tokens
	c.stats.Snippets += shown
	c.stats.Tokens += tokens
	c.stats.OverBudget += left
	return text
}

// crossFileBudget is a batch's context budget before what is left.
func crossFileBudget(files []*diffparse.File, batchTokens int) int {
	changed := 0
	for _, f := range files {
		a, r := f.Stats()
		changed += a + r
	}
	return min(batchTokens/crossFileShare, crossFileBase+crossFilePerLine*max(changed-2, 0))
}

// renderCrossFile renders the snippets used by files' hunks, best first,
// as long as the whole section stays within budget tokens, skipping one
// that overlaps a hunk of the batch or a snippet already shown. It
// returns the section ("" when nothing fits), how many snippets it shows
// and how many of the batch's it left out.
func renderCrossFile(files []*diffparse.File, snippets []Snippet, budget int) (string, int, int) {
	var b strings.Builder
	b.WriteString(crossFileHeader)
	var shown []Snippet
	left := 0
	for _, s := range snippets {
		if !usedBy(files, s) || overlapsHunk(files, s) || overlapsShown(shown, s) {
			continue
		}
		block := renderSnippet(s)
		if EstimateTokens(b.String()+block) > budget {
			left++
			continue
		}
		b.WriteString(block)
		shown = append(shown, s)
	}
	if len(shown) == 0 {
		return "", 0, left
	}
	return b.String(), len(shown), left
}

func renderSnippet(s Snippet) string {
	var b strings.Builder
	end := s.Start + len(s.Lines) - 1
	// A path or a name can hold "</untrusted" too (a directory "x<").
	fmt.Fprintf(&b, "<untrusted kind=\"context\" path=%s lines=\"%d-%d\" what=%s>\n",
		neutralise(strconv.Quote(s.Path)), s.Start, end, neutralise(strconv.Quote(s.What)))
	var body strings.Builder
	for i, l := range s.Lines {
		fmt.Fprintf(&body, "%d = %s\n", s.Start+i, l)
	}
	b.WriteString(neutralise(body.String()))
	b.WriteString("</untrusted>\n")
	return b.String()
}

// usedBy reports whether one of s's uses is in a hunk of files.
func usedBy(files []*diffparse.File, s Snippet) bool {
	for _, u := range s.Uses {
		for _, f := range files {
			if f.NewPath != u.Path {
				continue
			}
			if u.Line == 0 {
				return true
			}
			for _, h := range f.Hunks {
				if u.Line >= h.NewStart && u.Line <= h.NewStart+h.NewCount {
					return true
				}
			}
		}
	}
	return false
}

// overlapsHunk reports whether s shows lines of a hunk of files: those
// are in the diff already, and anchorable there.
func overlapsHunk(files []*diffparse.File, s Snippet) bool {
	end := s.Start + len(s.Lines) - 1
	for _, f := range files {
		if f.NewPath != s.Path {
			continue
		}
		for _, h := range f.Hunks {
			if s.Start <= h.NewStart+h.NewCount-1 && end >= h.NewStart {
				return true
			}
		}
	}
	return false
}

func overlapsShown(shown []Snippet, s Snippet) bool {
	end := s.Start + len(s.Lines) - 1
	for _, o := range shown {
		if o.Path == s.Path && s.Start <= o.Start+len(o.Lines)-1 && end >= o.Start {
			return true
		}
	}
	return false
}
