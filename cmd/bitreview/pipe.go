package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	"github.com/bitreview/bitreview/settings"
)

// runPipe is `bitreview pipe`: review the pull request named by the
// pipeline variables and publish the result.
func runPipe(ctx context.Context, environ []string, out io.Writer) int {
	cfg, cerr := settings.LoadValidated(environ, "pipe")
	log := newStepLog(out, cfg.Debug)
	for _, w := range settings.UnknownVariables(environ) {
		log.warn("%s", w)
	}
	if cerr != nil {
		fmt.Fprintf(out, "✖ %s\n", cerr.Error())
		fmt.Fprintln(out, "  See README.md, section Variables, or run `bitreview pipe --help`.")
		if tokenless(cfg) && inPipelines(cfg) && cfg.CodeInsights && cfg.Commit != "" && cfg.Workspace != "" && cfg.RepoSlug != "" {
			if pc, err := newProxyClient(pipelinesProxy, proxyAPIBase); err == nil {
				if err := reportNotConfigured(ctx, pc, cfg, cerr); err == nil {
					fmt.Fprintf(out, "  A FAILED Code Insights report saying so was published on %s through the Pipelines auth proxy.\n", short(cfg.Commit))
				}
			}
		}
		return exitConfig
	}
	ctx, cancel := withRunDeadline(ctx, cfg.RunTimeout)
	defer cancel()
	p := &pipeRun{cfg: cfg, log: log, out: out}
	if cfg.ChatMode() {
		return p.chatExit(p.runChatSafely(ctx))
	}
	err := p.runSafely(ctx)
	return p.exitCode(err)
}

type pipeRun struct {
	cfg     settings.Settings
	log     *stepLog
	out     io.Writer
	verdict review.Verdict // every finding of the head, for FAIL_ON
	// unreviewed counts files left out for a budget: a run with none of
	// them is never reported as a plain pass.
	unreviewed int
}

func (p *pipeRun) run(ctx context.Context) error {
	cfg, log := p.cfg, p.log
	prID, _ := cfg.PullRequestID()
	pr := bbservice.PR{Workspace: cfg.Workspace, Repo: cfg.RepoSlug, ID: prID}
	client, err := newBitbucketClient(cfg)
	if err != nil {
		return err
	}
	log.info("bitreview %s reviewing %s/%s pull request #%d", version, pr.Workspace, pr.Repo, pr.ID)
	log.debugf("Bitbucket API %s, auth: %s", cfg.APIURL, cfg.AuthMode())
	log.debugf("LLM provider %s, model %s, light model %s, base URL %s, timeout %s, concurrency %d",
		cfg.LLMProvider, orDefault(cfg.LLMModel), orDefault(cfg.LLMLightModel), orDefault(cfg.LLMBaseURL), cfg.LLMTimeout, cfg.LLMConcurrency)

	t := time.Now()
	meta, err := bbservice.FetchPullRequest(ctx, client, pr)
	if err != nil {
		return stageError("fetch pull request", err)
	}
	log.ok(t, "Pull request #%d fetched: %q (%s → %s)", meta.ID, log.field(meta.Title, 80), log.field(meta.SourceBranch, 80), log.field(meta.TargetBranch, 80))

	t = time.Now()
	rs := loadRepoSettings(ctx, client, pr.Workspace, pr.Repo, meta.TargetBranch, meta.TargetCommit, cfg.ConfigFile)
	cfg = cfg.Apply(rs)
	p.cfg = cfg
	for _, w := range rs.Warnings {
		log.warn("%s", w)
	}
	log.ok(t, "Configuration: %s", rs.Source)

	var dry io.Writer
	if cfg.DryRun {
		dry = p.out
	}
	tasksAt, _ := cfg.TasksOnSeverity()
	pub := bbservice.NewPublisher(client, pr, bbservice.Options{DryRun: dry, MaxComments: cfg.MaxComments, TasksAt: tasksAt})
	t = time.Now()
	prior, err := pub.Load(ctx)
	if err != nil {
		var ie *bbservice.IdentityError
		if errors.As(err, &ie) && ie.Hint != "" {
			return fmt.Errorf("%w\n  fix: %s", err, ie.Hint)
		}
		return stageError("read earlier reviews", err)
	}
	head := bbservice.HeadCommit(cfg.Commit, meta.SourceCommit)
	info := review.SummaryInfo{Version: version, Notes: rs.Notes()}
	log.debugf("bot account %s; last reviewed commit %s", prior.Me, orDash(prior.State.HeadCommit))

	if reason := rs.SkipReason(meta, cfg.ChatCommand); reason != "" {
		out, err := pub.PublishSkipped(ctx, prior, reason, info)
		if err != nil {
			return stageError("publish", err)
		}
		log.ok(t, "Not reviewed: %s (no model call; summary %s)", reason, out.Summary)
		return nil
	}
	if prior.State.Paused && !cfg.ExplicitReview() {
		out, err := pub.PublishSkipped(ctx, prior, pausedReason, info)
		if err != nil {
			return stageError("publish", err)
		}
		log.ok(t, "Not reviewed: automatic reviews are paused (@bitreview pause; no model call; summary %s)", out.Summary)
		return nil
	}
	full := !cfg.Incremental || cfg.FullReviewAsked()
	if !full && prior.Reviewed(head) {
		open := prior.Open()
		p.verdict = review.VerdictOf(open)
		if prior.HasVerdict {
			p.verdict = prior.Verdict
		}
		log.ok(t, "Already reviewed %s: no model call, nothing written (0 inline comment(s) posted, %d already there; summary unchanged)", short(head), len(open))
		return nil
	}

	t = time.Now()
	prDiff, read, err := bbservice.FetchDiff(ctx, client, pr, int64(cfg.MaxDiffBytes))
	if errors.Is(err, bbapi.ErrDiffTooLarge) {
		// Say so on the pull request: a silent step would read as a pass.
		reason := "Bitbucket could not compute this pull request's diff (HTTP 555: too large), so nothing was reviewed. " +
			"Split the pull request, or run `bitreview review` on a checkout."
		if _, perr := pub.PublishSkipped(ctx, prior, reason, info); perr != nil {
			log.warn("could not post the summary saying so: %v", perr)
		}
	}
	if err != nil {
		return stageError("fetch diff", err)
	}
	diffCap := diffCut{read: read, limit: cfg.MaxDiffBytes}
	added, removed := prDiff.Stats()
	log.ok(t, "Diff fetched: %d %s, +%d −%d lines, %s", len(prDiff.Files), plural(len(prDiff.Files), "file", "files"), added, removed, byteSize(int(read.Bytes)))
	if note := diffCap.note(); note != "" {
		log.warn("%s", diffCap.logLine())
		info.Notes = append(info.Notes, note)
	}
	if note := settings.ConfigEditNote(prDiff, cfg.ConfigFile, meta.TargetBranch); note != "" {
		log.info("%s", note)
		info.Notes = append(info.Notes, note)
	}

	plan := bbservice.Plan{}
	switch {
	case cfg.FullReviewAsked():
		log.info("Full review requested (@bitreview full review)")
		info.Notes = append(info.Notes, "Full review, as requested.")
	case !cfg.Incremental:
	default:
		plan = bbservice.PlanReview(ctx, client, pr, prior.State.HeadCommit, head)
	}
	var incRaw []byte
	t = time.Now()
	if plan.Incremental {
		incRaw, err = bbservice.FetchIncrement(ctx, client, pr, head, plan.From, prDiff, int64(cfg.MaxDiffBytes))
		switch {
		case errors.Is(err, diffparse.ErrTruncated):
			plan = bbservice.Plan{FallbackReason: diffCap.incrementReason()}
		case err != nil:
			return stageError("fetch increment", err)
		}
	}
	if plan.FallbackReason != "" {
		log.warn("Full review instead of incremental: %s", plan.FallbackReason)
		info.Notes = append(info.Notes, "Full review instead of incremental: "+plan.FallbackReason+".")
	}
	reviewed := prDiff
	info.Range = shortRange(meta.TargetCommit, head)
	what := "Full review of " + info.Range + "."
	if plan.Incremental {
		if reviewed, err = diffparse.Parse(incRaw); err != nil {
			return stageError("parse increment", err)
		}
		a, r := reviewed.Stats()
		info.Range = short(plan.From) + ".." + short(head) + " (incremental)"
		what = "Incremental review of " + short(plan.From) + ".." + short(head) + "."
		log.ok(t, "Incremental review of %s..%s: %d file(s), +%d −%d lines", short(plan.From), short(head), len(reviewed.Files), a, r)
	}

	eng, err := newEngine(cfg, rs, head, bbservice.NewFiles(client, pr, meta.SourceCommit), log)
	if err != nil {
		return err
	}
	t = time.Now()
	res, cut, rerr := p.reviewWithin(ctx, eng, meta, reviewed, &info)
	if plan.Incremental {
		review.Reanchor(res, reviewed, prDiff)
	}
	review.AddBuiltinChecks(res, prDiff)
	diffCap.markSkipped(res)
	p.unreviewed = res.OverBudget()
	res.CostUSD = cfg.CostOf(res)
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
			orDefault(res.Model), res.Usage.Calls, res.Usage.PromptTokens, res.Usage.CompletionTokens, len(res.Findings)+len(res.Unanchored))
	}
	for _, e := range res.Errors {
		log.warn("%s", e)
	}

	complete := rerr == nil && len(res.Errors) == 0
	st := review.State{HeadCommit: head, BaseCommit: meta.TargetCommit, Paused: prior.State.Paused}
	if !complete {
		st.HeadCommit = prior.State.HeadCommit // the next run covers this commit again
	}
	scope := bbservice.Scope{PRDiff: prDiff, Reviewed: reviewed, Incremental: plan.Incremental, Complete: complete, Skipped: res.Skipped}
	t = time.Now()
	outcome, perr := pub.Publish(ctx, prior, res, info, st, scope)
	p.verdict = outcome.Verdict
	for _, w := range outcome.Warnings {
		log.warn("%s", w)
	}
	switch {
	case cfg.DryRun:
		log.ok(t, "Dry run: %d inline comment(s) and the summary printed above, nothing posted", outcome.Posted)
	case perr != nil:
		log.fail("Publishing incomplete: %d inline comment(s) posted, %d already there, %d failed; summary %s: %v",
			outcome.Posted, outcome.Existing, outcome.Failed, orDash(outcome.Summary), perr)
	default:
		log.ok(t, "Published: %d inline comment(s) posted, %d already there, %d moved to the summary; summary %s",
			outcome.Posted, outcome.Existing, outcome.Rejected+outcome.OverBudget, outcome.Summary)
	}
	if n := outcome.Resolved + outcome.Deleted; n > 0 {
		log.info("%d earlier inline comment(s) no longer apply: %d resolved, %d deleted", n, outcome.Resolved, outcome.Deleted)
	}
	if outcome.TasksCreated > 0 {
		log.info("%d task(s) created (TASKS_ON=%s)", outcome.TasksCreated, cfg.TasksOn)
	}

	var ierr error
	if cfg.CodeInsights {
		ierr = p.publishInsights(ctx, client, pr, head, runReport{
			res: res, prDiff: prDiff, reviewed: reviewed, what: what, reviewErr: rerr, publishErr: perr, cut: cut,
		})
	}
	switch {
	case rerr != nil:
		return rerr
	case perr != nil:
		return stageError("publish", perr)
	case ierr != nil:
		return stageError("code insights", ierr)
	}
	return nil
}

// publishInsights replaces the Code Insights report of the head commit.
// Its result is FAILED exactly when the step fails, PENDING (no verdict)
// when the review is incomplete, and PASSED only for a complete review;
// annotations stay on the paths of the pull request's diff.
func (p *pipeRun) publishInsights(ctx context.Context, client *bbapi.Client, pr bbservice.PR, head string, rr runReport) error {
	t := time.Now()
	var dry io.Writer
	if p.cfg.DryRun {
		dry = p.out
	}
	failed := p.failsOn(p.verdict) || ((rr.reviewErr != nil || rr.publishErr != nil) && p.cfg.FailOnError)
	all := append(append([]review.Finding(nil), rr.res.Findings...), rr.res.Unanchored...)
	in := bbservice.NewInsights(client, pr.Workspace, pr.Repo, dry)
	out, err := in.Publish(ctx, bbservice.ReportInput{
		Commit: head, Findings: all, Diff: rr.prDiff, Failed: failed, Reviewed: rr.what,
		Incomplete: p.incompleteReason(rr), NothingToReview: p.nothingToReview(rr),
		NoVerdict: rr.reviewErr != nil && len(all) == 0,
	})
	if err != nil {
		p.log.fail("Code Insights report not published: %v", err)
		return err
	}
	if !p.cfg.DryRun {
		note := ""
		if out.Overflow > 0 {
			note = fmt.Sprintf(", %d over the report's limit", out.Overflow)
		}
		p.log.ok(t, "Code Insights report %q on %s: %s, %d annotation(s) in %d request(s)%s", bbservice.ReportID, short(head), out.Result, out.Annotations, out.Requests, note)
	}
	return nil
}

// failsOn reports whether v reaches FAIL_ON.
func (p *pipeRun) failsOn(v review.Verdict) bool {
	return p.cfg.Fails(v)
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
	v := p.verdict
	if p.failsOn(v) {
		p.log.fail("bitreview: %d finding(s), the worst is %s (FAIL_ON=%s)", v.Findings, v.Worst, p.cfg.FailOn)
		return exitFindings
	}
	switch {
	case p.unreviewed > 0:
		p.log.warn("bitreview: %d finding(s) in the reviewed files; %d file(s) were not reviewed (over a budget; listed in the summary)", v.Findings, p.unreviewed)
	case v.Findings == 0:
		p.log.ok(p.log.start, "bitreview: no issues found")
	default:
		p.log.ok(p.log.start, "bitreview: %d finding(s), the worst is %s", v.Findings, v.Worst)
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

func newBitbucketClient(cfg settings.Settings) (*bbapi.Client, error) {
	opts := []bbapi.Option{bbapi.WithUserAgent("bitreview/" + version)}
	if cfg.AccessToken != "" {
		opts = append(opts, bbapi.WithAccessToken(cfg.AccessToken))
	} else {
		opts = append(opts, bbapi.WithAPIToken(cfg.Email, cfg.APIToken))
	}
	if cfg.RunTimeout > 0 {
		opts = append(opts, bbapi.WithTimeout(requestTimeout(cfg.RunTimeout)))
	}
	c, err := bbapi.NewClient(cfg.APIURL, opts...)
	if err != nil {
		return nil, &configProblem{fmt.Errorf("BITBUCKET_API_URL: %w", err)}
	}
	return c, nil
}

func newModel(cfg settings.Settings) (review.Model, error) {
	m, err := llm.New(cfg.LLM())
	if err != nil {
		return nil, fmt.Errorf("LLM configuration: %w", err)
	}
	return m, nil
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

// The Pipelines auth proxy authenticates requests a pipe sends through it,
// but only for Code Insights reports (and git push): reading the pull
// request and writing comments always need a token.
const (
	pipelinesProxy = "http://host.docker.internal:29418"
	proxyAPIBase   = "http://api.bitbucket.org/2.0"
)

func tokenless(cfg settings.Settings) bool { return cfg.AccessToken == "" && cfg.APIToken == "" }

// inPipelines reports whether the pipe runs inside Bitbucket Pipelines.
func inPipelines(cfg settings.Settings) bool {
	return cfg.PipelineUUID != "" || cfg.PipeStorageDir != ""
}

// newProxyClient returns a client without credentials whose requests go
// through the Pipelines auth proxy, which adds them.
func newProxyClient(proxy, base string) (*bbapi.Client, error) {
	u, err := url.Parse(proxy)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(u)
	tr.ResponseHeaderTimeout = 30 * time.Second
	return bbapi.NewClient(base, bbapi.WithHTTPClient(&http.Client{Transport: tr}),
		bbapi.WithUserAgent("bitreview/"+version), bbapi.WithRetry(2, 500*time.Millisecond, 2*time.Second))
}

// reportNotConfigured is all a run without a Bitbucket token can do: it
// cannot read the pull request or comment on it, so instead of a review it
// publishes a FAILED report on the pipeline's commit, through the auth
// proxy, naming the variables to set (never their values), so that the
// problem shows in the pull request and not only in the step log.
func reportNotConfigured(ctx context.Context, api bbservice.InsightsAPI, cfg settings.Settings, cerr *settings.Error) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	in := bbservice.NewInsights(api, cfg.Workspace, cfg.RepoSlug, nil)
	_, err := in.Publish(ctx, bbservice.ReportInput{
		Commit: cfg.Commit, Failed: true, NoVerdict: true,
		Reviewed: "bitreview is not configured, so nothing was reviewed: " + strings.Join(cerr.Problems, "; ") +
			". The Pipelines auth proxy only covers Code Insights reports; reading the pull request and commenting need a token.",
	})
	return err
}

// newEngine builds the review engine of a pipe or action run: the
// configured model, the repository's instructions and guidelines, the
// secret scanner, and sources that read the head commit's blobs from the
// clone's object database first (never its working tree) and the
// platform's API at the head commit second.
func newEngine(cfg settings.Settings, rs settings.Repo, head string, remote review.FileSource, log *stepLog) (*review.Engine, error) {
	model, err := newModel(cfg)
	if err != nil {
		return nil, &configProblem{err}
	}
	opts := cfg.EngineOptions()
	opts.Instructions, opts.Guidelines = rs.Instructions(), rs.Guidelines
	if opts.Secrets, err = redact.New(); err != nil {
		return nil, err
	}
	opts.Files = headSources(cfg.CloneDir, head, remote)
	opts.OnBatch = func(i, n int, err error) {
		if err != nil {
			log.fail("Batch %d/%d failed: %v", i, n, err)
			return
		}
		log.info("batch %d/%d reviewed", i, n)
	}
	return review.New(model, opts), nil
}
