package xref_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/xref"
)

// seeded is a one-line bug that is wrong only because of code in another
// file: need is that code (a definition's doc or signature, or a caller's
// line), which must reach the prompt for a reviewer to see the bug.
type seeded struct {
	name           string
	files          map[string]string // the repository before the change
	path, old, new string            // the one-line change
	need           string
	kind           string // "definition" or "caller"
}

// noiseModules is how many modules of same-named distractors each
// case's repository holds (noisy).
const noiseModules = 40

// corpus is every case, in a repository with distractors.
func corpus() []seeded {
	var out []seeded
	for _, set := range []struct {
		cases []seeded
		ext   string
	}{{goCases, ".go"}, {tsCases, ".ts"}, {pyCases, ".py"}} {
		for _, c := range set.cases {
			c.files = noisy(c.files, set.ext, noiseModules)
			out = append(out, c)
		}
	}
	return out
}

// outcome is what one case's review sent.
type outcome struct {
	found         bool // need was in the prompt's cross-file context
	foundWithout  bool // need was in the prompt without cross-file context
	contextTokens int  // estimated tokens of the context section
	prompt        int  // estimated tokens of the whole review prompt
	promptWithout int
}

// captureModel answers every review with no findings and keeps the
// prompts of the review pass.
type captureModel struct {
	mu      sync.Mutex
	prompts []string
}

func (m *captureModel) Generate(_ context.Context, req review.Request) (*review.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if req.SchemaName == review.SchemaName {
		m.prompts = append(m.prompts, req.Prompt)
	}
	return &review.Response{Text: `{"summary":"s","findings":[]}`}, nil
}

// prepared is a case's repository and diff, built once.
type prepared struct {
	seeded
	tree *gitblob.Source
	diff *diffparse.Diff
}

func prepare(tb testing.TB, c seeded) prepared {
	tb.Helper()
	tree, d := change(tb, c.files, edit(c.files, c.path, c.old, c.new))
	require.Len(tb, d.Files, 1, c.name)
	return prepared{c, tree, d}
}

// review runs the engine on the case's diff with a stub model, the head
// tree as the source of surrounding lines, and cross-file context when
// with is set; it returns the review prompt and the context tokens.
func (p prepared) review(tb testing.TB, with bool) (string, int) {
	tb.Helper()
	m := &captureModel{}
	opts := review.Options{NoWalkthrough: true, Files: p.tree}
	if with {
		opts.CrossFile = xref.New(p.tree, xref.Limits{})
	}
	res, err := review.New(m, opts).Review(context.Background(), review.PullRequest{Title: "change"}, p.diff)
	require.NoError(tb, err)
	require.Len(tb, m.prompts, 1, p.name)
	tokens := 0
	if res.CrossFile != nil {
		require.Empty(tb, res.CrossFile.Error)
		tokens = res.CrossFile.Tokens
	}
	return m.prompts[0], tokens
}

func (p prepared) run(tb testing.TB) outcome {
	with, tokens := p.review(tb, true)
	without, _ := p.review(tb, false)
	ctxAt := strings.Index(with, "Code elsewhere in the repository")
	return outcome{
		found:         ctxAt >= 0 && strings.Contains(with[ctxAt:], p.need),
		foundWithout:  strings.Contains(without, p.need),
		contextTokens: tokens,
		prompt:        review.EstimateTokens(with),
		promptWithout: review.EstimateTokens(without),
	}
}

// TestSeededCorpus is the measure of issue 18: for every seeded
// cross-file bug, the definition or caller it needs reaches the prompt
// (recall ≥ 90% per language), a one-line change gets at most 3,000
// tokens of context, and without cross-file context none of them does
// (the corpus measures what the hunk alone misses). Run with -v for the
// table in BENCHMARKS.md.
func TestSeededCorpus(t *testing.T) {
	found, total := map[string]int{}, map[string]int{}
	var rows []string
	for _, c := range corpus() {
		o := prepare(t, c).run(t)
		lang := strings.SplitN(c.name, ":", 2)[0]
		total[lang]++
		if o.found {
			found[lang]++
		}
		assert.True(t, o.found, "%s: %q not in the context", c.name, c.need)
		assert.False(t, o.foundWithout, "%s: the hunk alone shows %q: not a cross-file case", c.name, c.need)
		assert.LessOrEqual(t, o.contextTokens, 3000, c.name)
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %d | %d → %d |", strings.TrimPrefix(c.name, lang+": "), lang, c.kind,
			yesNo(o.foundWithout)+" → "+yesNo(o.found), o.contextTokens, o.promptWithout, o.prompt))
	}
	for lang, n := range total {
		recall := float64(found[lang]) / float64(n)
		assert.GreaterOrEqual(t, recall, 0.9, lang)
		t.Logf("%s: recall %d/%d", lang, found[lang], n)
	}
	t.Logf("\n| case | language | needs | in the prompt (hunk alone → with context) | context tokens | prompt tokens (hunk alone → with context) |\n|---|---|---|---|---|---|\n%s", strings.Join(rows, "\n"))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// BenchmarkSeededCorpus times the search and the engine over the corpus
// (repositories built once) and reports recall and context tokens per
// case: go test ./xref -run '^$' -bench SeededCorpus -benchtime 5x.
func BenchmarkSeededCorpus(b *testing.B) {
	var cases []prepared
	for _, c := range corpus() {
		cases = append(cases, prepare(b, c))
	}
	var found, tokens, maxTokens int
	for b.Loop() {
		found, tokens, maxTokens = 0, 0, 0
		for _, p := range cases {
			prompt, n := p.review(b, true)
			if i := strings.Index(prompt, "Code elsewhere"); i >= 0 && strings.Contains(prompt[i:], p.need) {
				found++
			}
			tokens += n
			maxTokens = max(maxTokens, n)
		}
	}
	b.ReportMetric(100*float64(found)/float64(len(cases)), "recall%")
	b.ReportMetric(float64(tokens)/float64(len(cases)), "ctx-tokens/case")
	b.ReportMetric(float64(maxTokens), "max-ctx-tokens")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*len(cases)), "ms/case")
}
