package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

// gateModel holds its first n calls until all n are in flight at once: a
// call the engine made wait for another never comes, and the held calls
// fail. Later calls go straight to the fake.
type gateModel struct {
	fakeModel
	n       int
	mu      sync.Mutex
	arrived int
	open    chan struct{}
}

func newGate(n int, fn func(int, Request) (*Response, error)) *gateModel {
	return &gateModel{fakeModel: fakeModel{fn: fn}, n: n, open: make(chan struct{})}
}

func (g *gateModel) Generate(ctx context.Context, req Request) (*Response, error) {
	g.mu.Lock()
	g.arrived++
	k := g.arrived
	if k == g.n {
		close(g.open)
	}
	g.mu.Unlock()
	if k <= g.n {
		select {
		case <-g.open:
		case <-time.After(5 * time.Second):
			return nil, fmt.Errorf("call %d held back: only %d of %d calls were ever in flight together", k, g.arrived, g.n)
		}
	}
	return g.fakeModel.Generate(ctx, req)
}

// addedFile is the diff of a new file of n lines.
func addedFile(path string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", path, path, path, n)
	for i := range n {
		fmt.Fprintf(&b, "+\tvalue%d := compute(%d, \"%s\")\n", i, i, path)
	}
	return b.String()
}

// wideDiff has big code files of bigLines (which can hide a bug: never
// triaged) and docs pages of 60 lines (which may be trivial, and cost the
// light pass well under half what they cost the review).
func wideDiff(t *testing.T, big, docs, bigLines int) *diffparse.Diff {
	t.Helper()
	var b strings.Builder
	for i := range big {
		b.WriteString(addedFile(fmt.Sprintf("src/big%02d.go", i), bigLines))
	}
	for i := range docs {
		b.WriteString(addedFile(fmt.Sprintf("docs/page%02d.md", i), 60))
	}
	d, err := diffparse.Parse([]byte(b.String()))
	require.NoError(t, err)
	return d
}

// oneBigPerBatch is a batch budget that holds one big file of d and
// nothing beside it (the smaller files share batches).
func oneBigPerBatch(d *diffparse.Diff) int { return oneFilePerBatch(d) }

// notesAnswer answers a review with a note on every file of its prompt.
func notesAnswer(req Request) string {
	var files []string
	for _, p := range promptPaths(req.Prompt) {
		files = append(files, fmt.Sprintf(`{"path":%q,"note":"reviewed note"}`, p))
	}
	return `{"summary":"Part.","files":[` + strings.Join(files, ",") + `],"findings":[]}`
}

// promptPaths lists the path="…" attributes of a prompt.
func promptPaths(prompt string) []string {
	var out []string
	for _, part := range strings.Split(prompt, ` path="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// lightAnswer calls every file the light pass was shown trivial, plus
// the extra paths (files it was not shown).
func lightAnswer(req Request, extra ...string) string {
	var files []string
	for _, p := range append(promptPaths(req.Prompt), extra...) {
		files = append(files, fmt.Sprintf(`{"path":%q,"note":"light note","trivial":true}`, p))
	}
	return `{"summary":"Light summary.","files":[` + strings.Join(files, ",") + `]}`
}

// reviewedPaths are the files the review requests showed.
func reviewedPaths(reqs []Request) map[string]bool {
	out := map[string]bool{}
	for _, r := range reqs {
		for _, p := range promptPaths(r.Prompt) {
			out[p] = true
		}
	}
	return out
}

func countSchema(reqs []Request, name string) int {
	n := 0
	for _, r := range reqs {
		if r.SchemaName == name {
			n++
		}
	}
	return n
}

// A pull request that fits one batch costs one model call: the review
// answers the walkthrough (summary and a note per file) with the findings.
func TestOneBatchIsOneCall(t *testing.T) {
	m := &fakeModel{fn: reply(sqlAnswer)}
	res, err := New(m, Options{}).Review(t.Context(), testPR, sampleDiff(t))
	require.NoError(t, err)
	require.Len(t, m.reqs, 1, "no light pass in front of the review")
	assert.Equal(t, SchemaName, m.reqs[0].SchemaName)
	assert.Equal(t, "Adds a users query and an Add helper; the new query is injectable.", res.Summary)
	notes := map[string]string{}
	for _, f := range res.Files {
		notes[f.Path] = f.Note
	}
	assert.Equal(t, map[string]string{
		"app/math.go": "new Add helper", "app/server.go": "handler now queries users", "notes.txt": "deleted",
	}, notes, "the walkthrough has a line for every file")
	assert.Contains(t, string(m.reqs[0].Schema), `"files"`, "the review schema asks for the walkthrough")
	assert.Contains(t, m.reqs[0].System, "walkthrough")
}

// Batches that fit one round of Concurrency calls all start at once: no
// light pass makes them wait.
func TestBatchesOfOneRoundStartTogether(t *testing.T) {
	d := sampleDiff(t)
	m := newGate(2, func(_ int, req Request) (*Response, error) {
		return &Response{Text: notesAnswer(req)}, nil
	})
	res, err := New(m, Options{BatchTokens: oneFilePerBatch(d), Concurrency: 4}).Review(t.Context(), testPR, d)
	require.NoError(t, err)
	assert.Empty(t, res.Errors)
	assert.Equal(t, 2, len(m.reqs), "two batches, nothing else")
	assert.Zero(t, countSchema(m.reqs, WalkthroughSchemaName))
	assert.Equal(t, "Part.\n\nPart.", res.Summary)
}

// stagedReview is a pull request the light pass is worth running for: 4
// big files (one batch each) and 12 docs pages (one batch), at
// concurrency 4. The big files fill the first round beside the light
// pass, which looks at the pages only.
func stagedReview(t *testing.T, light func(Request) (*Response, error)) (*gateModel, *Result, error) {
	t.Helper()
	d := wideDiff(t, 4, 12, 800)
	m := newGate(4, func(_ int, req Request) (*Response, error) {
		if req.SchemaName == WalkthroughSchemaName {
			return light(req)
		}
		return &Response{Text: notesAnswer(req)}, nil
	})
	res, err := New(m, Options{BatchTokens: oneBigPerBatch(d), Concurrency: 4}).Review(t.Context(), testPR, d)
	return m, res, err
}

// The light pass runs beside the first round, never in front of it, and
// what it finds trivial leaves the review: here every page.
func TestTriageRunsBesideTheFirstRound(t *testing.T) {
	m, res, err := stagedReview(t, func(req Request) (*Response, error) {
		return &Response{Text: lightAnswer(req)}, nil
	})
	require.NoError(t, err)
	assert.Empty(t, res.Errors, "every held call came: the light pass and 3 batches were in flight together")
	assert.Empty(t, res.Notes)
	var light Request
	for _, r := range m.reqs {
		if r.SchemaName == WalkthroughSchemaName {
			light = r
		}
	}
	require.NotEmpty(t, light.Prompt)
	for _, p := range promptPaths(light.Prompt) {
		assert.NotContains(t, p, "src/big", "files that cannot be trivial are not triaged")
	}
	assert.Len(t, promptPaths(light.Prompt), 12)
	assert.Equal(t, 12, res.Triaged)
	assert.Len(t, m.reviews(), 4)
	for p := range reviewedPaths(m.reviews()) {
		assert.NotContains(t, p, "docs/page")
	}
	for _, f := range res.Files {
		if strings.Contains(f.Path, "page") {
			assert.Equal(t, "light note", f.Note)
		} else {
			assert.Equal(t, "reviewed note", f.Note)
		}
	}
	assert.Equal(t, "Part.\n\nPart.\n\nPart.", res.Summary, "the review's summary, of its first 3 batches")
}

// The light model may take out only files mayBeTrivial allows, whatever
// it says about the others.
func TestLightPassTriageIsBounded(t *testing.T) {
	m, res, err := stagedReview(t, func(req Request) (*Response, error) {
		return &Response{Text: lightAnswer(req, "src/big00.go", "src/big03.go")}, nil
	})
	require.NoError(t, err)
	reviewed := reviewedPaths(m.reviews())
	for i := range 4 {
		assert.True(t, reviewed[fmt.Sprintf("src/big%02d.go", i)])
	}
	assert.Equal(t, 12, res.Triaged)
}

// A failed light pass costs nothing but its call: its files go to the
// review, and the review is not incomplete for it.
func TestLightPassFailureSendsEverythingToReview(t *testing.T) {
	m, res, err := stagedReview(t, func(Request) (*Response, error) {
		return nil, errors.New("light model down")
	})
	require.NoError(t, err)
	assert.Len(t, m.reviews(), 5)
	reviewed := reviewedPaths(m.reviews())
	for i := range 12 {
		assert.True(t, reviewed[fmt.Sprintf("docs/page%02d.md", i)])
	}
	assert.Contains(t, strings.Join(res.Notes, "\n"), "walkthrough unavailable")
	assert.Empty(t, res.Errors, "a missing walkthrough does not make the review incomplete")
	assert.Zero(t, res.Triaged)
}

// Trivial files the light pass takes out free budget for files that did
// not fit MAX_INPUT_TOKENS, in priority order; what still does not fit is
// named, and the budget holds.
func TestTriageFreesBudgetForFilesLeftOut(t *testing.T) {
	d := wideDiff(t, 4, 12, 800)
	d2, err := diffparse.Parse([]byte(diffText(t, d) + addedFile("docs/zz_a.md", 400) + addedFile("docs/zz_b.md", 400)))
	require.NoError(t, err)
	big := oneBigPerBatch(d)
	pages := 0
	for _, f := range d.Files[4:] {
		pages += renderer{}.tokens(f)
	}
	za, zb := renderer{}.tokens(d2.File("docs/zz_a.md")), renderer{}.tokens(d2.File("docs/zz_b.md"))
	require.True(t, za <= pages && pages < za+zb, "the test needs room for one of zz_a, zz_b where the pages were")
	// Room for the big files and the pages: zz_a and zz_b are left out,
	// until the pages turn out trivial; then zz_a fits, zz_b does not.
	budget := 4*big + pages
	pagesTrivial := func(req Request) (*Response, error) {
		var files []string
		for _, p := range promptPaths(req.Prompt) {
			files = append(files, fmt.Sprintf(`{"path":%q,"note":"light note","trivial":%v}`, p, strings.Contains(p, "page")))
		}
		return &Response{Text: `{"summary":"s","files":[` + strings.Join(files, ",") + `]}`}, nil
	}
	for _, tc := range []struct {
		name       string
		light      func(Request) (*Response, error)
		wantLate   bool
		wantNamed  []string
		wantTriage int
	}{
		{"pages trivial", pagesTrivial, true, []string{"docs/zz_b.md"}, 12},
		{"light pass down", func(Request) (*Response, error) { return nil, errors.New("down") }, false, []string{"docs/zz_a.md", "docs/zz_b.md"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &fakeModel{fn: func(_ int, req Request) (*Response, error) {
				if req.SchemaName == WalkthroughSchemaName {
					return tc.light(req)
				}
				return &Response{Text: notesAnswer(req)}, nil
			}}
			res, err := New(m, Options{BatchTokens: big, MaxInputTokens: budget, Concurrency: 4}).Review(t.Context(), testPR, d2)
			require.NoError(t, err)
			require.Equal(t, 1, countSchema(m.reqs, WalkthroughSchemaName), "the budget is tight: the light pass runs")
			tokens := 0
			for p := range reviewedPaths(m.reviews()) {
				tokens += renderer{}.tokens(d2.File(p))
			}
			assert.Equal(t, tc.wantLate, reviewedPaths(m.reviews())["docs/zz_a.md"])
			assert.LessOrEqual(t, tokens, budget, "MAX_INPUT_TOKENS holds")
			var named []string
			for _, s := range res.Skipped {
				assert.Equal(t, fmt.Sprintf("over MAX_INPUT_TOKENS (%d)", budget), s.Reason)
				named = append(named, s.Path)
			}
			assert.Equal(t, tc.wantNamed, named)
			assert.Equal(t, tc.wantTriage, res.Triaged)
		})
	}
}

// diffText renders d back to a unified diff.
func diffText(t *testing.T, d *diffparse.Diff) string {
	t.Helper()
	var b strings.Builder
	for _, f := range d.Files {
		b.WriteString(addedFile(f.Path(), f.Hunks[0].NewCount))
	}
	return b.String()
}

func TestPlanStages(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		big, pages, bigLines int
		pagesPerBatch        int // 0: a big file's size
		noWalkthrough        bool
		wantLight            bool
		wantFirst            int
	}{
		{name: "one round: no light pass", big: 3, pages: 12, bigLines: 800, wantFirst: 4},
		{name: "the light call takes the last round's free slot", big: 4, pages: 12, bigLines: 800, wantLight: true, wantFirst: 4},
		{name: "a light call would add a round", big: 7, pages: 12, bigLines: 800, wantFirst: 8},
		{name: "too few files may be trivial", big: 4, pages: 9, bigLines: 800, wantFirst: 5},
		{name: "switched off", big: 4, pages: 12, bigLines: 800, noWalkthrough: true, wantFirst: 5},
		{name: "pages fill the first round", big: 1, pages: 40, bigLines: 200, pagesPerBatch: 8, wantLight: true, wantFirst: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := wideDiff(t, tc.big, tc.pages, tc.bigLines)
			batch := oneBigPerBatch(d)
			if tc.pagesPerBatch > 0 {
				batch = tc.pagesPerBatch * renderer{}.tokens(d.Files[tc.big])
			}
			e := New(nil, Options{BatchTokens: batch, Concurrency: 4, NoWalkthrough: tc.noWalkthrough})
			res := &Result{}
			st := e.planStages(testPR, d.Files, renderer{}, res)
			assert.Empty(t, res.Skipped)
			require.Equal(t, tc.wantLight, st.light != nil, "light pass")
			assert.Len(t, st.first, tc.wantFirst, "batches that start at once")
			first := filesOf(st.first)
			for i := range tc.big {
				assert.True(t, first[fmt.Sprintf("src/big%02d.go", i)], "files that cannot be trivial start at once")
			}
			if st.light == nil {
				assert.Empty(t, st.second)
				return
			}
			assert.Len(t, st.first, max(3, tc.big), "the first round: the light call and 3 batches, or every big file")
			assert.Less(t, len(st.light.reqs), 4, "the light pass leaves the first round room")
			assert.Equal(t, st.second, st.triage, "every waiting file may be trivial")
			assert.Equal(t, len(d.Files), len(first)+len(st.second), "every file runs in one stage")
			for _, f := range st.second {
				assert.False(t, first[f.Path()], f.Path())
			}
		})
	}
}
