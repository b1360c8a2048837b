package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// cut is what the run says about the diff it read up to MAX_DIFF_BYTES.
func (r *run) cut() diffCut { return diffCut{read: r.read, limit: r.s.MaxDiffBytes} }

// increment decides between a full and an incremental review and returns
// the diff the model is to see: the new commits since the last complete
// review when the host confirms they follow it, else the whole diff.
func (r *run) increment(ctx context.Context, prDiff *diffparse.Diff) (*diffparse.Diff, review.Increment, error) {
	var inc review.Increment
	t := time.Now()
	switch {
	case r.s.FullReviewAsked():
		r.log.Info("Full review requested (@bitreview full review)")
		r.info.Notes = append(r.info.Notes, "Full review, as requested.")
	case !r.s.Incremental:
	default:
		var err error
		inc, err = r.p.Increment(ctx, r.prior.State.HeadCommit, r.head, prDiff, int64(r.s.MaxDiffBytes))
		switch {
		case errors.Is(err, diffparse.ErrTruncated):
			inc = review.Increment{FallbackReason: r.cut().incrementReason()}
		case err != nil:
			return nil, inc, r.stage("fetch increment", err)
		}
	}
	if inc.FallbackReason != "" {
		r.log.Warn("Full review instead of incremental: %s", inc.FallbackReason)
		r.info.Notes = append(r.info.Notes, "Full review instead of incremental: "+inc.FallbackReason+".")
	}
	r.info.Range = ShortRange(r.meta.TargetCommit, r.head)
	if inc.Diff == nil {
		return prDiff, inc, nil
	}
	a, rm := inc.Diff.Stats()
	r.info.Range = Short(inc.From) + ".." + Short(r.head) + " (incremental)"
	r.log.OK(t, "Incremental review of %s..%s: %d file(s), +%d −%d lines", Short(inc.From), Short(r.head), len(inc.Diff.Files), a, rm)
	return inc.Diff, inc, nil
}

// what says what was reviewed, for the report.
func (r *run) what(inc review.Increment) string {
	if inc.Diff != nil {
		return "Incremental review of " + Short(inc.From) + ".." + Short(r.head) + "."
	}
	return "Full review of " + ShortRange(r.meta.TargetCommit, r.head) + "."
}

// engine builds the review engine: the configured model, the repository's
// instructions and guidelines, the secret scanner, and the head commit's
// files for context, surrounding and cross-file.
func (r *run) engine(ctx context.Context) (*review.Engine, error) {
	model, err := r.d.Model(r.s)
	if err != nil {
		return nil, &ConfigError{Err: err}
	}
	opts := r.s.EngineOptions()
	opts.Instructions, opts.Guidelines = r.repo.Instructions(), r.repo.Guidelines
	if opts.Secrets, err = r.d.Secrets(); err != nil {
		return nil, err
	}
	opts.Files = r.p.Files(r.head)
	if r.tools != nil {
		opts.Tools = r.tools.Inline
	}
	opts.CrossFile = r.crossFile(ctx)
	opts.OnBatch = func(i, n int, err error) {
		if err != nil {
			r.log.Fail("Batch %d/%d failed: %v", i, n, err)
			return
		}
		r.log.Info("batch %d/%d reviewed", i, n)
	}
	return review.New(model, opts), nil
}

// crossFileOff is the summary's note when cross-file context is off.
const crossFileOff = "Cross-file context was off: no clone of the head commit, so the model saw the changed files only."

// crossFile builds the cross-file context finder over the head commit's
// tree in the host's clone; without one, it says so and returns nil.
func (r *run) crossFile(ctx context.Context) review.CrossFile {
	if r.d.CrossFile == nil {
		return nil
	}
	ts, ok := r.p.(TreeSource)
	if !ok {
		r.log.Info("Cross-file context off: this host gives no clone")
		r.info.Notes = append(r.info.Notes, crossFileOff)
		return nil
	}
	tree, err := ts.Tree(ctx, r.head)
	if err != nil {
		r.log.Info("Cross-file context off: %v", err)
		r.info.Notes = append(r.info.Notes, crossFileOff)
		return nil
	}
	return r.d.CrossFile(tree)
}

// reviewWithin runs the model stage within the run's deadline, less the
// publish reserve (modelStage). When the stage is cut short, the step log
// and the summary say so, and cut says why ("" when it was not).
func (r *run) reviewWithin(ctx context.Context, eng *review.Engine, d *diffparse.Diff) (res *review.Result, cut string, err error) {
	stage, cancel := modelStage(ctx, r.s.RunTimeout)
	defer cancel()
	res, err = eng.Review(stage, r.meta, d)
	if cut = stoppedEarly(stage); cut != "" {
		r.log.Warn("%s: the review is incomplete", upperFirst(cut))
		r.info.Notes = append(r.info.Notes, "⚠️ "+upperFirst(cut)+"; the next run reviews what is missing.")
		if err == nil && len(res.Errors) == 0 {
			res.Errors = append(res.Errors, cut) // a cut review is never complete
		}
	}
	return res, cut, err
}

// logReview says what the model stage did.
func (r *run) logReview(t time.Time, res *review.Result, rerr error) {
	for _, s := range res.Skipped {
		r.log.Debugf("skipped %s: %s", s.Path, s.Reason)
	}
	if len(res.Skipped) > 0 {
		r.log.Info("%d file(s) not sent to the model (listed in the summary)", len(res.Skipped))
	}
	if rerr != nil {
		r.log.Fail("Review failed: %v", rerr)
	} else {
		r.log.OK(t, "Reviewed with %s: %d call(s), %d prompt + %d completion tokens, %d finding(s)",
			orDefault(res.Model), res.Usage.Calls, res.Usage.PromptTokens, res.Usage.CompletionTokens, len(res.Findings)+len(res.Unanchored))
	}
	for _, e := range res.Errors {
		r.log.Warn("%s", e)
	}
	if cf := res.CrossFile; cf != nil {
		if cf.Error != "" {
			r.log.Warn("Cross-file context failed, the review went on without it: %s", cf.Error)
		}
		r.log.Debugf("cross-file context: %d snippet(s), about %d token(s); %d left out for the batches' share of the budget, %d left out by the search's bounds",
			cf.Snippets, cf.Tokens, cf.OverBudget, cf.Bounded)
	}
}

// publish posts the findings and the summary. The reviewed head is
// recorded only when the review is complete, so the next run covers an
// incomplete one again.
func (r *run) publish(ctx context.Context, res *review.Result, prDiff, reviewed *diffparse.Diff, inc review.Increment, complete bool) (*review.Outcome, error) {
	st := r.prior.State
	st.HeadCommit, st.BaseCommit = r.head, r.meta.TargetCommit
	if !complete {
		st.HeadCommit = r.prior.State.HeadCommit
	}
	scope := review.Scope{PRDiff: prDiff, Reviewed: reviewed, Incremental: inc.Diff != nil, Complete: complete, Skipped: res.Skipped}
	t := time.Now()
	tasksAt, _ := r.s.TasksOnSeverity()
	out, err := r.p.Publish(ctx, res, r.info, st, scope, review.Limits{MaxComments: r.s.MaxComments, TasksAt: tasksAt})
	if out == nil {
		out = &review.Outcome{}
	}
	for _, w := range out.Warnings {
		r.log.Warn("%s", w)
	}
	switch {
	case r.s.DryRun:
		r.log.OK(t, "Dry run: %d inline comment(s) and the summary printed above, nothing posted", out.Posted)
	case err != nil:
		r.log.Fail("Publishing incomplete: %d inline comment(s) posted, %d already there, %d failed; summary %s: %v",
			out.Posted, out.Existing, out.Failed, orNotPosted(out.Summary), err)
	default:
		r.log.OK(t, "Published: %d inline comment(s) posted, %d already there, %d moved to the summary; summary %s",
			out.Posted, out.Existing, out.Rejected+out.OverBudget, out.Summary)
	}
	if n := out.Resolved + out.Deleted; n > 0 {
		r.log.Info("%d earlier inline comment(s) no longer apply: %d resolved, %d deleted", n, out.Resolved, out.Deleted)
	}
	if out.Tasks > 0 {
		r.log.Info("%d task(s) created (TASKS_ON=%s)", out.Tasks, r.s.TasksOn)
	}
	return out, err
}

// report publishes the head commit's status report. Its result fails
// exactly when the step fails, is pending (no verdict) when the review is
// incomplete, and passes only for a complete review.
//
// A failure is returned with its stage: the report's kind ("code
// insights"); a host's optional report (a check run) only warns.
func (r *run) report(ctx context.Context, rr runReport, v review.Verdict) (string, error) {
	if !r.s.CodeInsights {
		return "", nil
	}
	t := time.Now()
	failed := r.s.Fails(v) || ((rr.reviewErr != nil || rr.publishErr != nil) && r.s.FailOnError)
	all := withoutTools(append(append([]review.Finding(nil), rr.res.Findings...), rr.res.Unanchored...))
	out, err := r.p.Report(ctx, review.Report{
		Commit: r.head, Findings: all, Diff: rr.prDiff, Failed: failed, Reviewed: rr.what,
		Incomplete: rr.incompleteReason(), NothingToReview: rr.nothingToReview(),
		NoVerdict: rr.reviewErr != nil && len(all) == 0, Tools: r.toolReports(r.tools),
	})
	var optional *review.OptionalError
	switch {
	case errors.As(err, &optional):
		r.log.Warn("%v", err)
		return "", nil
	case err != nil:
		r.log.Fail("%s not published: %v", reportKind(out), err)
		return strings.ToLower(strings.TrimSuffix(reportKind(out), " report")), err
	case out == nil || r.s.DryRun:
		return "", nil
	}
	note := ""
	if out.Overflow > 0 {
		note = fmt.Sprintf(", %d over the report's limit", out.Overflow)
	}
	if out.Tools > 0 {
		note += fmt.Sprintf(", and %d static-analysis tool report(s)", out.Tools)
	}
	r.log.OK(t, "%s %q on %s: %s, %d annotation(s) in %d request(s)%s", out.Kind, out.Name, Short(r.head), out.Result, out.Placed, out.Requests, note)
	return "", nil
}

// reportKind names the report for an error line.
func reportKind(out *review.ReportOutcome) string {
	if out != nil && out.Kind != "" {
		return out.Kind
	}
	return "Report"
}
