package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/lint"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// Deps are what a run needs besides the host and the settings.
type Deps struct {
	Log     *Log
	Version string
	// Model builds the review model once the repository's configuration
	// is applied; an error is a configuration mistake (exit 2).
	Model func(settings.Settings) (review.Model, error)
	// Secrets builds the secret scanner (redact.New).
	Secrets func() (review.SecretScanner, error)
	// Commands reads "@bitreview …" comments: the bot's mention forms.
	Commands *command.Parser
	// Checkout is the clone the step's earlier commands wrote their
	// static-analysis reports in (LINT_REPORTS are relative to it); ""
	// reads none.
	Checkout string
	// CrossFile builds the cross-file context finder over the head
	// commit's tree (xref.New), when the host has a clone of it
	// (TreeSource); nil sends none.
	CrossFile func(review.Tree) review.CrossFile
	// Jira reads linked Jira issues and files new ones; nil when Jira is
	// not configured (keys are then listed, not fetched).
	Jira IssueTracker
}

// Outcome is how a run ended, for the exit code.
type Outcome struct {
	// Verdict covers every finding of the reviewed head.
	Verdict review.Verdict
	// Unreviewed counts files left out for a budget: a run with any is
	// never reported as a plain pass.
	Unreviewed int
	// Err is why the run is incomplete; a *ConfigError for a
	// configuration mistake found during the run.
	Err error
	// Reviewed is false when the run answered a comment without
	// reviewing: no verdict applies.
	Reviewed bool
	// settings as the repository's configuration left them, for the exit
	// code (FAIL_ON may come from .bitreview.yaml).
	settings settings.Settings
}

// run is one review of one pull request.
type run struct {
	p    Platform
	s    settings.Settings
	d    Deps
	log  *Log
	meta review.PullRequest
	repo settings.Repo
	// prior is what earlier runs left; head the commit reviewed.
	prior *review.Prior
	head  string
	info  review.SummaryInfo
	// read is how much of the diff was read (MAX_DIFF_BYTES).
	read diffparse.Read
	// tools are the static-analysis reports placed on the diff, nil
	// without LINT_REPORTS.
	tools *lint.Placement
	// description is the pull request's description as read, with
	// bitreview's own summary in it (meta's has it cut out).
	description string
}

// Run reviews the pull request p names and publishes the result: the one
// review flow of every host. It never panics; a crash is an incomplete
// run with a fixed message.
func Run(ctx context.Context, p Platform, s settings.Settings, d Deps) (out Outcome) {
	defer recoverRun(&out, d.Log, s)
	r := &run{p: p, s: s, d: d, log: d.Log}
	out = r.review(ctx)
	out.settings, out.Reviewed = r.s, true
	return out
}

// review is Run's body: every stage in order, each returning early with
// the outcome when the run ends there.
func (r *run) review(ctx context.Context) Outcome {
	log := r.log
	log.Info("bitreview %s reviewing %s", r.d.Version, r.p.Describe())
	if err := r.begin(ctx); err != nil {
		return Outcome{Err: err}
	}
	if done, out := r.skip(ctx); done {
		return out
	}
	t := time.Now()
	prDiff, err := r.diff(ctx)
	if err != nil {
		return Outcome{Err: err}
	}
	reviewed, inc, err := r.increment(ctx, prDiff)
	if err != nil {
		return Outcome{Err: err}
	}
	r.tools = r.lintStage(ctx, prDiff)
	eng, err := r.engine(ctx)
	if err != nil {
		return Outcome{Err: err}
	}
	linked := r.assessIssues(ctx, r.linkIssues(ctx), prDiff)
	t = time.Now()
	res, cut, rerr := r.reviewWithin(ctx, eng, reviewed)
	linked(res)
	if inc.Diff != nil {
		review.Reanchor(res, reviewed, prDiff)
	}
	review.AddBuiltinChecks(res, prDiff)
	r.addTools(res, r.tools)
	r.cut().markSkipped(res)
	unreviewed := res.OverBudget()
	res.CostUSD = r.s.CostOf(res)
	r.logReview(t, res, rerr)

	complete := rerr == nil && len(res.Errors) == 0
	published, perr := r.publish(ctx, res, prDiff, reviewed, inc, complete)
	r.describe(ctx, res)
	out := Outcome{Verdict: published.Verdict, Unreviewed: unreviewed}
	rr := runReport{res: res, prDiff: prDiff, reviewed: reviewed, what: r.what(inc), reviewErr: rerr, publishErr: perr, cut: cut, unreviewed: unreviewed}
	istage, ierr := r.report(ctx, rr, out.Verdict)
	switch {
	case rerr != nil:
		out.Err = rerr
	case perr != nil:
		out.Err = r.stage("publish", perr)
	case ierr != nil:
		out.Err = r.stage(istage, ierr)
	}
	return out
}

// begin reads the pull request, the repository's configuration at the
// destination commit (never the PR's own version of it) and what earlier
// runs left.
func (r *run) begin(ctx context.Context) error {
	t := time.Now()
	meta, err := r.p.PullRequest(ctx)
	if err != nil {
		return r.stage("fetch pull request", err)
	}
	r.meta, r.description = meta, meta.Description
	r.meta.Description = review.StripDescriptionSummary(meta.Description)
	r.log.OK(t, "Pull request #%d fetched: %q (%s → %s)", meta.ID, r.log.Field(meta.Title, 80), r.log.Field(meta.SourceBranch, 80), r.log.Field(meta.TargetBranch, 80))

	t = time.Now()
	r.repo = settings.LoadRepo(ctx, settings.OnBranch(r.p.BaseFiles(meta), meta.TargetBranch, meta.TargetCommit), r.s.ConfigFile)
	r.s = r.s.Apply(r.repo)
	for _, w := range r.repo.Warnings {
		r.log.Warn("%s", w)
	}
	r.log.OK(t, "Configuration: %s", r.repo.Source)

	if r.prior, err = r.p.Load(ctx); err != nil {
		return r.stage("read earlier reviews", err)
	}
	r.head = r.p.Head(meta)
	r.info = review.SummaryInfo{Version: r.d.Version, Notes: r.repo.Notes()}
	r.log.Debugf("bot account %s; last reviewed commit %s", r.prior.Me, orDash(r.prior.State.HeadCommit))
	return nil
}

// skip ends the run early, without a model call, when the pull request is
// not to be reviewed now: ignored, a draft, auto-review off, paused, or
// its head already reviewed.
func (r *run) skip(ctx context.Context) (bool, Outcome) {
	t := time.Now()
	reason := r.repo.SkipReason(r.meta, r.s.ChatCommand)
	if reason == "" && r.prior.State.Paused && !r.s.ExplicitReview() {
		reason = review.PausedReason
	}
	if reason != "" {
		out, err := r.p.PublishSkipped(ctx, reason, r.info)
		if err != nil {
			return true, Outcome{Err: r.stage("publish", err)}
		}
		r.log.OK(t, "Not reviewed: %s (no model call; summary %s)", reason, out.Summary)
		return true, Outcome{Verdict: r.prior.CurrentVerdict()}
	}
	full := !r.s.Incremental || r.s.FullReviewAsked()
	if !full && r.prior.Reviewed(r.head) {
		r.log.OK(t, "Already reviewed %s: no model call, nothing written (0 inline comment(s) posted, %d already there; summary unchanged)",
			Short(r.head), len(r.prior.Open))
		return true, Outcome{Verdict: r.prior.CurrentVerdict()}
	}
	return false, Outcome{}
}

// diff reads the pull request's diff, up to MAX_DIFF_BYTES.
func (r *run) diff(ctx context.Context) (*diffparse.Diff, error) {
	t := time.Now()
	d, read, err := r.p.Diff(ctx, int64(r.s.MaxDiffBytes))
	if errors.Is(err, review.ErrDiffTooLarge) {
		// Say so on the pull request: a silent step would read as a pass.
		reason := "the host could not compute this pull request's diff (too large), so nothing was reviewed. " +
			"Split the pull request, or run `bitreview review` on a checkout."
		if _, perr := r.p.PublishSkipped(ctx, reason, r.info); perr != nil {
			r.log.Warn("could not post the summary saying so: %v", perr)
		}
	}
	if err != nil {
		return nil, r.stage("fetch diff", err)
	}
	cut := diffCut{read: read, limit: r.s.MaxDiffBytes}
	added, removed := d.Stats()
	r.log.OK(t, "Diff fetched: %s, +%d −%d lines, %s", Plural(len(d.Files), "file", "files"), added, removed, ByteSize(int(read.Bytes)))
	if note := cut.note(); note != "" {
		r.log.Warn("%s", cut.logLine())
		r.info.Notes = append(r.info.Notes, note)
	}
	if n, ok := r.p.(DiffNoter); ok {
		for _, note := range n.DiffNotes() {
			r.log.Info("%s", note)
			r.info.Notes = append(r.info.Notes, note)
		}
	}
	if note := settings.ConfigEditNote(d, r.s.ConfigFile, r.meta.TargetBranch); note != "" {
		r.log.Info("%s", note)
		r.info.Notes = append(r.info.Notes, note)
	}
	r.read = read
	return d, nil
}
