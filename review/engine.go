package review

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/bitreview/bitreview/diffparse"
)

// Options tune a review. Zero values take the documented defaults.
type Options struct {
	Profile        Profile
	Language       string
	MaxFiles       int      // files sent to the model; default 300
	MaxComments    int      // inline comments kept; default 30
	MaxInputTokens int      // prompt tokens for the whole review; default 200,000
	BatchTokens    int      // prompt tokens per model call; default 24,000
	MinSeverity    Severity // lowest severity posted inline
	Concurrency    int      // parallel model calls; default 4
	Filter         *diffparse.PathFilter
}

func (o Options) withDefaults() Options {
	if o.MaxFiles <= 0 {
		o.MaxFiles = 300
	}
	if o.MaxComments <= 0 {
		o.MaxComments = 30
	}
	if o.MaxInputTokens <= 0 {
		o.MaxInputTokens = 200_000
	}
	if o.BatchTokens <= 0 {
		o.BatchTokens = 24_000
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Profile == "" {
		o.Profile = Chill
	}
	return o
}

// Engine reviews diffs with a Model.
type Engine struct {
	model Model
	opts  Options
}

// New returns an engine. A nil model gives a review of the walkthrough and
// built-in checks only.
func New(m Model, opts Options) *Engine {
	return &Engine{model: m, opts: opts.withDefaults()}
}

// ErrNothingReviewed is returned (wrapped) when every batch failed: the
// result then holds no verdict and must not be reported as a pass.
var ErrNothingReviewed = errors.New("no part of the diff could be reviewed")

// Review reviews d. It returns a result even on error, describing what was
// and was not reviewed; the error is non-nil only when no batch succeeded.
func (e *Engine) Review(ctx context.Context, pr PullRequest, d *diffparse.Diff) (*Result, error) {
	res := &Result{}
	plan := e.plan(d, res)
	if e.model == nil || len(plan) == 0 {
		return res, nil
	}
	answers := make([]*answer, len(plan))
	errs := make([]error, len(plan))
	sem := make(chan struct{}, e.opts.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, b := range plan {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			a, usage, model, err := e.reviewBatch(ctx, pr, b)
			mu.Lock()
			res.Usage.Add(usage)
			if model != "" {
				res.Model = model
			}
			mu.Unlock()
			answers[i], errs[i] = a, err
		}()
	}
	wg.Wait()
	e.merge(d, plan, answers, errs, res)
	if len(res.Errors) == len(plan) {
		return res, fmt.Errorf("llm review: %w: %s", ErrNothingReviewed, res.Errors[0])
	}
	return res, nil
}

// reviewBatch asks the model, with one bounded retry when the answer is not
// valid review JSON.
func (e *Engine) reviewBatch(ctx context.Context, pr PullRequest, b batch) (*answer, Usage, string, error) {
	req := Request{
		System:     systemPrompt(e.opts.Profile, e.opts.Language),
		Prompt:     userPrompt(pr, b.files),
		SchemaName: SchemaName,
		Schema:     answerSchema(),
		MaxTokens:  8192,
	}
	var usage Usage
	var model string
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		resp, err := e.model.Generate(ctx, req)
		if err != nil {
			return nil, usage, model, err
		}
		usage.Add(Usage{Calls: 1, PromptTokens: resp.PromptTokens, CompletionTokens: resp.CompletionTokens})
		model = resp.Model
		a, err := parseAnswer(resp.Text)
		if err == nil {
			return a, usage, model, nil
		}
		lastErr = err
		req.Prompt = userPrompt(pr, b.files) + "\n\nYour previous answer was rejected (" + err.Error() + "). Answer again with only the JSON object."
	}
	return nil, usage, model, fmt.Errorf("invalid answer twice: %w", lastErr)
}

// merge folds the batch answers into res: walkthrough notes, anchored
// findings, noise control and caps.
func (e *Engine) merge(d *diffparse.Diff, plan []batch, answers []*answer, errs []error, res *Result) {
	var summaries []string
	var found []Finding
	notes := map[string]string{}
	dropped := 0
	for i, a := range answers {
		if errs[i] != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s not reviewed: %v", plan[i].describe(), errs[i]))
			for _, f := range plan[i].files {
				notes[f.Path()] = "not reviewed (model error)"
			}
			continue
		}
		if a.Summary != "" {
			summaries = append(summaries, a.Summary)
		}
		for p, n := range a.Files {
			if _, ok := notes[p]; !ok {
				notes[p] = n
			}
		}
		found = append(found, a.Findings...)
		dropped += a.Dropped
	}
	res.Summary = strings.Join(summaries, "\n\n")
	for i := range res.Files {
		if n, ok := notes[res.Files[i].Path]; ok && res.Files[i].Note == "" {
			res.Files[i].Note = n
		}
	}
	if dropped > 0 {
		res.Errors = append(res.Errors, fmt.Sprintf("%d finding(s) in the model's answer did not match the schema and were dropped", dropped))
	}
	var anchored []Finding
	for _, f := range dedupe(found) {
		if isNoise(f) {
			res.HeldBack++
			continue
		}
		af, why := anchor(d, f)
		if why != "" {
			af.Unanchored = why
			res.Unanchored = append(res.Unanchored, af)
			continue
		}
		af.Fingerprint = Fingerprint(af, anchorText(d, af))
		anchored = append(anchored, af)
	}
	sortFindings(anchored)
	for _, f := range anchored {
		switch {
		case f.Severity < e.opts.MinSeverity:
			res.HeldBack++
		case len(res.Findings) >= e.opts.MaxComments:
			f.Unanchored = fmt.Sprintf("over the limit of %d inline comments", e.opts.MaxComments)
			res.Unanchored = append(res.Unanchored, f)
		default:
			res.Findings = append(res.Findings, f)
		}
	}
	sortFindings(res.Unanchored)
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Line < fs[j].Line
	})
}

// dedupe merges findings on the same place with the same title, keeping
// the most severe.
func dedupe(fs []Finding) []Finding {
	type key struct {
		path  string
		line  int
		title string
	}
	idx := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Path, f.Line, strings.ToLower(normCode(f.Title))}
		if i, ok := idx[k]; ok {
			if f.Severity > out[i].Severity {
				out[i] = f
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, f)
	}
	return out
}

var praise = []string{"looks good", "lgtm", "well done", "nice work", "great job", "good job", "no issues", "nice change", "good change", "well written", "clean code"}

// isNoise drops praise and content-free findings whatever the prompt said.
func isNoise(f Finding) bool {
	t := strings.ToLower(f.Title)
	for _, p := range praise {
		if strings.Contains(t, p) {
			return true
		}
	}
	return strings.TrimSpace(f.Body) == "" && f.Severity <= Low
}
