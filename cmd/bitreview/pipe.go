package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
)

// runPipe is `bitreview pipe`: review the pull request named by the
// pipeline variables and publish the result.
func runPipe(ctx context.Context, environ []string, out io.Writer) int {
	cfg, cerr := loadConfig(environ)
	if cerr == nil {
		cerr = cfg.validate("pipe")
	}
	if cerr != nil {
		fmt.Fprintf(out, "✖ %s\n", cerr.Error())
		fmt.Fprintln(out, "  See README.md, section Variables, or run `bitreview help`.")
		return exitConfig
	}
	log := newStepLog(out, cfg.Debug)
	p := &pipeRun{cfg: cfg, log: log, out: out}
	err := p.run(ctx)
	return p.exitCode(err)
}

type pipeRun struct {
	cfg    Config
	log    *stepLog
	out    io.Writer
	result *review.Result
}

func (p *pipeRun) run(ctx context.Context) error {
	cfg, log := p.cfg, p.log
	prID, _ := cfg.prID()
	pr := bbservice.PR{Workspace: cfg.Workspace, Repo: cfg.RepoSlug, ID: prID}
	client, err := newBitbucketClient(cfg)
	if err != nil {
		return err
	}
	log.info("bitreview %s reviewing %s/%s pull request #%d", version, pr.Workspace, pr.Repo, pr.ID)
	log.debugf("Bitbucket API %s, auth: %s", cfg.APIURL, cfg.authMode())
	log.debugf("LLM provider %s, model %s, light model %s, base URL %s, timeout %s, concurrency %d",
		cfg.LLMProvider, orDefault(cfg.LLMModel), orDefault(cfg.LLMLightModel), orDefault(cfg.LLMBaseURL), cfg.LLMTimeout, cfg.LLMConcurrency)

	t := time.Now()
	meta, err := bbservice.FetchPullRequest(ctx, client, pr)
	if err != nil {
		return stageError("fetch pull request", err)
	}
	log.ok(t, "Pull request #%d fetched: %q (%s → %s)", meta.ID, oneLine(meta.Title, 80), meta.SourceBranch, meta.TargetBranch)

	t = time.Now()
	raw, err := bbservice.FetchDiff(ctx, client, pr)
	if err != nil {
		return stageError("fetch diff", err)
	}
	d, err := diffparse.Parse(raw)
	if err != nil {
		return stageError("parse diff", err)
	}
	added, removed := 0, 0
	for _, f := range d.Files {
		a, r := f.Stats()
		added, removed = added+a, removed+r
	}
	log.ok(t, "Diff fetched: %d files, +%d −%d lines, %s", len(d.Files), added, removed, byteSize(len(raw)))

	model, err := newModel(cfg)
	if err != nil {
		return &configProblem{err}
	}
	opts := engineOptions(cfg)
	var sources firstOf
	if cfg.CloneDir != "" {
		sources = append(sources, dirFiles{cfg.CloneDir})
	}
	opts.Files = append(sources, bbservice.NewFiles(client, pr, meta.SourceCommit))
	opts.OnBatch = func(i, n int, err error) {
		if err != nil {
			log.fail("Batch %d/%d failed: %v", i, n, err)
			return
		}
		log.info("batch %d/%d reviewed", i, n)
	}
	eng := review.New(model, opts)
	t = time.Now()
	res, rerr := eng.Review(ctx, meta, d)
	res.Findings = append(res.Findings, review.BuiltinChecks(d)...)
	p.result = res
	for _, s := range res.Skipped {
		log.debugf("skipped %s: %s", s.Path, s.Reason)
	}
	if len(res.Skipped) > 0 {
		log.info("%d file(s) not sent to the model (listed in the summary)", len(res.Skipped))
	}
	if rerr != nil {
		log.fail("Review failed: %v", rerr)
	} else {
		log.ok(t, "Reviewed with %s: %d call(s), %d prompt + %d completion tokens, %d finding(s)",
			res.Model, res.Usage.Calls, res.Usage.PromptTokens, res.Usage.CompletionTokens, len(res.Findings)+len(res.Unanchored))
	}
	for _, e := range res.Errors {
		log.warn("%s", e)
	}

	t = time.Now()
	var dry io.Writer
	if cfg.DryRun {
		dry = p.out
	}
	pub := bbservice.NewPublisher(client, pr, dry)
	info := review.SummaryInfo{Version: version, Range: shortRange(meta.TargetCommit, meta.SourceCommit)}
	st := review.State{HeadCommit: meta.SourceCommit, BaseCommit: meta.TargetCommit}
	outcome, perr := pub.Publish(ctx, res, info, st)
	switch {
	case cfg.DryRun:
		log.ok(t, "Dry run: %d inline comment(s) and the summary printed above, nothing posted", outcome.Posted)
	case perr != nil:
		log.fail("Publishing incomplete: %d inline comment(s) posted, %d already there, %d failed; summary %s: %v",
			outcome.Posted, outcome.Existing, outcome.Failed, orDash(outcome.Summary), perr)
	default:
		log.ok(t, "Published: %d inline comment(s) posted, %d already there, %d moved to the summary; summary %s",
			outcome.Posted, outcome.Existing, outcome.Rejected, outcome.Summary)
	}
	if rerr != nil {
		return rerr
	}
	if perr != nil {
		return stageError("publish", perr)
	}
	return nil
}

// exitCode turns the run's outcome into the documented exit code and
// prints the final verdict line.
func (p *pipeRun) exitCode(err error) int {
	var cp *configProblem
	if errors.As(err, &cp) {
		p.log.fail("%v", cp.err)
		return exitConfig
	}
	if err != nil {
		p.log.fail("%v", err)
		if p.cfg.FailOnError {
			p.log.fail("bitreview could not complete the review (FAIL_ON_ERROR=true)")
			return exitRemote
		}
		p.log.warn("bitreview could not complete the review; the step passes because FAIL_ON_ERROR=false")
		return exitOK
	}
	res := p.result
	threshold, _ := p.cfg.failOn()
	worst, n := review.Severity(-1), 0
	for _, f := range append(append([]review.Finding(nil), res.Findings...), res.Unanchored...) {
		n++
		worst = max(worst, f.Severity)
	}
	if threshold >= 0 && worst >= threshold {
		p.log.fail("bitreview: %d finding(s), the worst is %s (FAIL_ON=%s)", n, worst, p.cfg.FailOn)
		return exitFindings
	}
	if n == 0 {
		p.log.ok(p.log.start, "bitreview: no issues found")
	} else {
		p.log.ok(p.log.start, "bitreview: %d finding(s), the worst is %s", n, worst)
	}
	return exitOK
}

// configProblem marks errors that are configuration mistakes found after
// parsing (for instance an LLM base URL the provider cannot use).
type configProblem struct{ err error }

func (c *configProblem) Error() string { return c.err.Error() }

// stageError wraps err with its stage and, for Bitbucket API errors, the
// fix (which scope or permission to check).
func stageError(stage string, err error) error {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) && er.Hint != "" {
		return fmt.Errorf("%s: %w\n  fix: %s", stage, err, er.Hint)
	}
	if errors.Is(err, bbapi.ErrDiffTooLarge) {
		return fmt.Errorf("%s: %w (Bitbucket answered 555: the diff is too large to compute; narrow it with PATH_FILTERS or split the pull request)", stage, err)
	}
	return fmt.Errorf("%s: %w", stage, err)
}

func newBitbucketClient(cfg Config) (*bbapi.Client, error) {
	opts := []bbapi.Option{bbapi.WithUserAgent("bitreview/" + version)}
	if cfg.AccessToken != "" {
		opts = append(opts, bbapi.WithAccessToken(cfg.AccessToken))
	} else {
		opts = append(opts, bbapi.WithAPIToken(cfg.Email, cfg.APIToken))
	}
	c, err := bbapi.NewClient(cfg.APIURL, opts...)
	if err != nil {
		return nil, &configProblem{fmt.Errorf("BITBUCKET_API_URL: %w", err)}
	}
	return c, nil
}

func newModel(cfg Config) (review.Model, error) {
	m, err := llm.New(llm.Config{
		Provider: cfg.LLMProvider, Model: cfg.LLMModel, LightModel: cfg.LLMLightModel,
		APIKey: cfg.LLMAPIKey, BaseURL: cfg.LLMBaseURL, Timeout: cfg.LLMTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("LLM configuration: %w", err)
	}
	return m, nil
}

func engineOptions(cfg Config) review.Options {
	minSev, _ := review.ParseSeverity(cfg.MinSeverity)
	filter, _ := diffparse.NewPathFilter(cfg.PathFilters)
	return review.Options{
		Profile: review.Profile(cfg.ReviewProfile), Language: cfg.ReviewLanguage,
		MaxFiles: cfg.MaxFiles, MaxComments: cfg.MaxComments, MaxInputTokens: cfg.MaxInputTokens,
		MinSeverity: minSev, Concurrency: cfg.LLMConcurrency, Filter: filter,
	}
}

func shortRange(base, head string) string {
	if base == "" || head == "" {
		return head
	}
	return short(base) + ".." + short(head)
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func orDefault(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "not posted"
	}
	return s
}

func byteSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
