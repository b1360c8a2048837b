package review

import (
	"context"
	"errors"
	"fmt"

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
	// Files reads head versions of files for surrounding context; nil
	// sends hunks only.
	Files FileSource
	// ContextLines of surrounding code above and below each hunk, at
	// most ContextBudget per file; defaults 8 and 60, negative for none.
	ContextLines, ContextBudget int
	// NoWalkthrough never runs the light pass (triage). The walkthrough
	// comes with the review's answers either way; the light pass runs
	// only beside a review of several rounds (see stages).
	NoWalkthrough bool
	// Secrets finds credentials; each becomes a critical finding and its
	// value is redacted from every prompt. A TextScanner also scans every
	// prompt as it leaves (RedactingModel). Nil scans nothing.
	Secrets SecretScanner
	// Instructions per glob and Guidelines come from the repository's
	// config on the destination branch.
	Instructions []PathInstruction
	Guidelines   []Guideline
	// OnBatch reports progress: batch i (1-based) of n finished, with err
	// when it failed.
	OnBatch func(i, n int, err error)
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
	if o.ContextLines == 0 {
		o.ContextLines = defaultContextLines
	}
	if o.ContextBudget == 0 {
		o.ContextBudget = defaultContextBudget
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
	var secrets, inText []Secret
	if e.opts.Secrets != nil {
		secrets = e.opts.Secrets.Scan(d)
		inText, res.Notes = textSecrets(e.opts.Secrets, pr)
	}
	defer func() { res.Findings = append(secretFindings(d, secrets), res.Findings...) }()
	candidates := e.selectFiles(d, res)
	if e.model == nil || len(candidates) == 0 {
		return res, nil
	}
	if e.opts.Secrets != nil {
		ts, _ := e.opts.Secrets.(TextScanner)
		all := append(secrets[:len(secrets):len(secrets)], inText...)
		e = &Engine{model: RedactingModel(e.model, ts, all), opts: e.opts}
	}
	rest := e.applyRules(candidates, res)
	r := renderer{
		sources:      loadSources(ctx, e.opts.Files, rest, e.opts.Concurrency),
		contextLines: e.opts.ContextLines,
		budget:       e.opts.ContextBudget,
	}
	jobs, lightSummary := e.run(ctx, pr, e.planStages(pr, rest, r, res), r, res)
	if len(jobs) == 0 {
		res.Summary = lightSummary
		return res, nil
	}
	plan, answers, errs := make([]batch, len(jobs)), make([]*answer, len(jobs)), make([]error, len(jobs))
	for i, j := range jobs {
		plan[i], answers[i], errs[i] = j.b, j.a, j.err
		if j.a == nil && j.err == nil && ctx.Err() != nil {
			// the pool stopped before this batch: say why, not "<nil>".
			errs[i] = fmt.Errorf("not sent to the model: %w", context.Cause(ctx))
		}
	}
	e.merge(d, plan, answers, errs, res)
	if res.Summary == "" {
		res.Summary = lightSummary
	}
	if len(res.Errors) >= len(plan) && len(answersOK(answers, errs)) == 0 {
		return res, fmt.Errorf("llm review: %w: %s", ErrNothingReviewed, res.Errors[0])
	}
	return res, nil
}

func answersOK(answers []*answer, errs []error) []*answer {
	var ok []*answer
	for i, a := range answers {
		if errs[i] == nil && a != nil {
			ok = append(ok, a)
		}
	}
	return ok
}

// applyRules takes out the files whose changes need no model
// (whitespace-only edits), noting why, and returns the rest.
func (e *Engine) applyRules(files []*diffparse.File, res *Result) []*diffparse.File {
	var rest []*diffparse.File
	for _, f := range files {
		if note, ok := mechanicalTriage(f); ok {
			res.note(f.Path(), note)
			continue
		}
		rest = append(rest, f)
	}
	return rest
}

// errBatchCrashed replaces a panic inside one batch (a provider library
// or our own bug): that batch fails like any other, the rest of the review
// goes on, and the panic value, which may carry prompt text, is dropped.
var errBatchCrashed = errors.New("internal error while reviewing this batch (a bug; please report it)")

func (e *Engine) reviewBatchSafely(ctx context.Context, pr PullRequest, b batch, r renderer) (a *answer, u Usage, model string, err error) {
	defer func() {
		if recover() != nil {
			a, err = nil, errBatchCrashed
		}
	}()
	return e.reviewBatch(ctx, pr, b, r)
}

// reviewBatch asks the model, with one bounded retry when the answer is not
// valid review JSON.
func (e *Engine) reviewBatch(ctx context.Context, pr PullRequest, b batch, r renderer) (*answer, Usage, string, error) {
	if ctx.Err() != nil {
		return nil, Usage{}, "", context.Cause(ctx) // why it ended, such as the run's deadline
	}
	prompt := userPrompt(pr, b.files, r)
	req := Request{
		System:     systemPrompt(e.opts.Profile, e.opts.Language, repoInstructions(b.files, e.opts.Instructions, e.opts.Guidelines)),
		Prompt:     prompt,
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
		req.Prompt = prompt + "\n\nYour previous answer was rejected (" + err.Error() + "). Answer again with only the JSON object."
	}
	return nil, usage, model, fmt.Errorf("invalid answer twice: %w", lastErr)
}
