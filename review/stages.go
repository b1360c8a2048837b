package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/bitreview/bitreview/diffparse"
)

// triageMinFiles is the fewest files that may be trivial, waiting beyond
// the review's first round, for which the light pass runs. It costs a
// fixed prompt plus up to a third of a file's heavy-review tokens per
// file, and saves only the files it finds trivial: with fewer files it
// rarely pays for itself.
const triageMinFiles = 10

// stages is how a review's model calls run. The batches of first start at
// once. With a light pass, its calls run beside them, and the files of
// second (in priority order) are batched when it has answered: less the
// files it found trivial, within the tokens first left of the budget.
//
// The light pass runs only where it cannot delay the review (see
// planStages): a pull request whose batches fit one round of
// LLM_CONCURRENCY calls makes no other call, and a larger one takes no
// more rounds with it than without it, however little it takes out.
type stages struct {
	first  []batch
	light  *lightPass
	triage []*diffparse.File // the light pass's files
	second []*diffparse.File
	budget int
}

// planStages plans the review of files (priority order, after the
// mechanical rules) and records in res what the budget leaves out for
// good. Without a light pass it is the plain plan: every batch at once.
//
// With one, the files that cannot be trivial (mayBeTrivial) are packed
// first, so they fill the first round; the first round is completed with
// the next files, so that it holds Concurrency calls with the light pass.
// The light pass looks at the files that may be trivial among the rest,
// and at those the budget left out (its trivial findings free budget for
// them, in priority order, as before the light pass ran beside the review).
// It runs when at least triageMinFiles files wait for a later round, its
// calls leave room in the first round, ⌈(batches + light calls) ÷
// Concurrency⌉ is no more than the plain plan's rounds, and its prompt
// costs at most half the review's tokens of the files it looks at (the
// light view shows at most walkLinesPerFile changed lines a file and no
// surrounding code: on files of a few lines it costs as much as reviewing
// them).
func (e *Engine) planStages(pr PullRequest, files []*diffparse.File, r renderer, res *Result) stages {
	all := e.admit(files, e.opts.MaxInputTokens, r.tokens)
	plain := e.batches(all.pieces)
	c := e.opts.Concurrency
	if e.opts.NoWalkthrough || len(plain) <= c {
		res.Skipped = append(res.Skipped, all.skipped...)
		return stages{first: plain}
	}
	var sure, maybe []piece
	for _, p := range all.pieces {
		if mayBeTrivial(p.whole) {
			maybe = append(maybe, p)
		} else {
			sure = append(sure, p)
		}
	}
	ordered := e.batches(append(sure, maybe...))
	k := firstRound(ordered, max(c-1, len(e.batches(sure))))
	later := filesOf(ordered[k:])
	if len(later) < triageMinFiles {
		res.Skipped = append(res.Skipped, all.skipped...)
		return stages{first: plain}
	}
	second := merged(files, later, leftOut(all))
	st := stages{first: ordered[:k], second: second, budget: e.opts.MaxInputTokens - tokensOf(ordered[:k])}
	for _, f := range second {
		if mayBeTrivial(f) {
			st.triage = append(st.triage, f)
		}
	}
	st.light = e.newLightPass(pr, st.triage)
	calls, lightTokens, heavyTokens := len(st.light.reqs), 0, 0
	for _, req := range st.light.reqs {
		lightTokens += EstimateTokens(req.System + req.Prompt)
	}
	for _, f := range st.triage {
		heavyTokens += r.tokens(f)
	}
	if calls >= c || ceilDiv(len(ordered)+calls, c) > ceilDiv(len(plain), c) || 2*lightTokens > heavyTokens {
		res.Skipped = append(res.Skipped, all.skipped...)
		return stages{first: plain}
	}
	for _, s := range all.skipped {
		if !slices.ContainsFunc(second, func(f *diffparse.File) bool { return f.Path() == s.Path }) {
			res.Skipped = append(res.Skipped, s)
		}
	}
	return st
}

// firstRound is how many batches of plan start at once: at least n, and
// never half a file (its parts run in one stage).
func firstRound(plan []batch, n int) int {
	k := min(n, len(plan))
	for k > 0 && k < len(plan) && plan[k-1].files[len(plan[k-1].files)-1].Path() == plan[k].files[0].Path() {
		k++
	}
	return k
}

// filesOf returns the paths in plan, each once.
func filesOf(plan []batch) map[string]bool {
	out := map[string]bool{}
	for _, b := range plan {
		for _, f := range b.files {
			out[f.Path()] = true
		}
	}
	return out
}

// leftOut returns the paths the budget kept out entirely.
func leftOut(a admission) map[string]bool {
	in := map[string]bool{}
	for _, p := range a.pieces {
		in[p.whole.Path()] = true
	}
	out := map[string]bool{}
	for _, s := range a.skipped {
		if !in[s.Path] && s.OverBudget() && s.Reason != reasonHunkTooLarge {
			out[s.Path] = true
		}
	}
	return out
}

// merged returns the files named in either set, in the order of files.
func merged(files []*diffparse.File, a, b map[string]bool) []*diffparse.File {
	var out []*diffparse.File
	for _, f := range files {
		if a[f.Path()] || b[f.Path()] {
			out = append(out, f)
		}
	}
	return out
}

func tokensOf(plan []batch) int {
	n := 0
	for _, b := range plan {
		n += b.tokens
	}
	return n
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// job is one batch and what became of it.
type job struct {
	b   batch
	a   *answer
	err error
}

// run carries out st with at most Concurrency calls at a time: the light
// pass first, then the first batches, then, once the light pass has
// answered, the second stage. It returns the batches in that order with
// their answers; res gets the usage, the light pass's notes and summary
// (the summary only as lightSummary, for when no batch gives one) and
// what the second stage's budget leaves out.
func (e *Engine) run(ctx context.Context, pr PullRequest, st stages, r renderer, res *Result) (jobs []*job, lightSummary string) {
	var mu sync.Mutex // guards res and jobs while calls run
	p := newPool(ctx, e.opts.Concurrency)
	var lightDone sync.WaitGroup
	if st.light != nil {
		for i := range st.light.reqs {
			lightDone.Add(1)
			p.spawn(func() { st.light.call(ctx, e.model, i) }, lightDone.Done)
		}
	}
	planned := func() int { return len(jobs) } // called with mu held
	start := func(plan []batch) {
		mu.Lock()
		from, added := len(jobs), make([]*job, len(plan))
		for i, b := range plan {
			added[i] = &job{b: b}
		}
		jobs = append(jobs, added...)
		mu.Unlock()
		for i, j := range added {
			p.spawn(func() { e.runJob(ctx, pr, j, from+i, r, res, &mu, planned) }, nil)
		}
	}
	start(st.first)
	if st.light != nil {
		lightDone.Wait()
		mu.Lock()
		summary, notes, err := st.light.result(ctx, res)
		heavy := st.second
		if err != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("walkthrough unavailable (%v); every file went to the full review", err))
		} else {
			lightSummary, heavy = summary, applyTriage(st.second, notes, res)
		}
		a := e.admit(heavy, st.budget, r.tokens)
		res.Skipped = append(res.Skipped, a.skipped...)
		mu.Unlock()
		start(e.batches(a.pieces))
	}
	p.wait()
	return jobs, strings.TrimSpace(lightSummary)
}

// runJob reviews one batch and reports it; n says how many batches are
// planned so far (a second stage adds to the first).
func (e *Engine) runJob(ctx context.Context, pr PullRequest, j *job, i int, r renderer, res *Result, mu *sync.Mutex, n func() int) {
	a, usage, model, err := e.reviewBatchSafely(ctx, pr, j.b, r)
	mu.Lock()
	res.addUsage(model, usage)
	if model != "" {
		res.Model = model
	}
	j.a, j.err = a, err
	total := n()
	mu.Unlock()
	if e.opts.OnBatch != nil {
		e.opts.OnBatch(i+1, total, err)
	}
}

// pool runs functions with at most a fixed number at a time and starts
// none once its context is done. The functions report their own outcomes
// (a failed batch does not stop the others), so the group collects no
// error and is not tied to a context that one failure would cancel.
type pool struct {
	ctx context.Context
	g   errgroup.Group
}

func newPool(ctx context.Context, limit int) *pool {
	p := &pool{ctx: ctx}
	p.g.SetLimit(max(limit, 1))
	return p
}

// spawn runs fn when a slot is free (blocking while none is), unless ctx
// has ended by then; then, when not nil, always.
func (p *pool) spawn(fn, then func()) {
	if p.ctx.Err() != nil {
		if then != nil {
			then()
		}
		return
	}
	p.g.Go(func() error {
		if then != nil {
			defer then()
		}
		if p.ctx.Err() == nil { // ctx may have ended while waiting for a slot
			fn()
		}
		return nil
	})
}

func (p *pool) wait() { _ = p.g.Wait() } // every function returns nil
