package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
	ghservice "github.com/bitreview/bitreview/service/github"
	"github.com/bitreview/bitreview/settings"
)

const actionHelp = "bitreview commands, as a pull request comment:\n\n" +
	"- `@bitreview review`: review the commits pushed since the last review\n" +
	"- `@bitreview full review`: review the whole pull request again\n" +
	"- `@bitreview help`: this message\n"

// runAction is `bitreview action`: the GitHub Action's entrypoint. It
// reviews the pull request of a pull_request event, or acts on an
// "@bitreview …" comment of an issue_comment / pull_request_review_comment
// event, with the same steps and guarantees as the pipe.
func runAction(ctx context.Context, environ []string, out io.Writer) int {
	warnings := settings.UnknownVariables(environ) // before the inputs are mapped: INPUT_* is GitHub's
	environ = settings.ActionEnviron(environ)
	cfg, cerr := settings.LoadValidated(environ, "action")
	log := newStepLog(out, cfg.Debug)
	for _, w := range warnings {
		log.warn("%s", w)
	}
	gc, gerr := settings.LoadAction(environ)
	if cerr != nil {
		fmt.Fprintf(out, "✖ %s\n", cerr.Error())
	}
	if gerr != nil {
		fmt.Fprintf(out, "✖ %s\n", gerr.Error())
	}
	if cerr != nil || gerr != nil {
		fmt.Fprintln(out, "  See docs/github-action.md.")
		return exitConfig
	}
	if gc.Workspace != "" {
		cfg.CloneDir = gc.Workspace
	}
	ctx, cancel := withRunDeadline(ctx, cfg.RunTimeout)
	defer cancel()
	var q chatQuestion
	ev, number, err := settings.ReadEvent(gc.EventPath)
	if err != nil {
		log.fail("%v", err)
		return exitConfig
	}
	if number == 0 {
		log.info("The %s event is not about a pull request: nothing to do.", orDash(gc.EventName))
		return exitOK
	}
	if ev.Comment != nil {
		cmd, question := settings.ActionRequest(ev.Comment.Body)
		if (cmd == "" && question == "") || strings.HasSuffix(ev.Comment.User.Login, "[bot]") {
			log.info("The comment does not ask bitreview for anything: nothing to do.")
			return exitOK
		}
		cfg.ChatCommand = cmd
		q = chatQuestion{text: question, commentID: ev.Comment.ID, inThread: ev.PullRequest != nil}
	}
	p := &pipeRun{cfg: cfg, log: log, out: out}
	a := &actionRun{pipeRun: p, gc: gc, question: q}
	owner, repo, _ := strings.Cut(gc.Repository, "/")
	a.pr = ghservice.PR{Owner: owner, Repo: repo, Number: number}
	return p.exitCode(a.run(ctx))
}

type actionRun struct {
	*pipeRun
	gc       settings.Action
	pr       ghservice.PR
	api      ghservice.API
	question chatQuestion
}

// chatQuestion is "@bitreview <question>" from a comment; inThread means a
// review comment, answered in its thread.
type chatQuestion struct {
	text      string
	commentID int64
	inThread  bool
}

func (a *actionRun) run(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	client, err := ghservice.NewClient(&http.Client{Timeout: 60 * time.Second}, a.gc.APIURL, a.gc.Token, "bitreview/"+version)
	if err != nil {
		return &configProblem{err}
	}
	a.api = ghservice.FromClient(client)
	pr := a.pr
	log.info("bitreview %s reviewing %s/%s pull request #%d", version, pr.Owner, pr.Repo, pr.Number)
	t := time.Now()
	meta, err := ghservice.FetchPullRequest(ctx, a.api.Pulls, pr)
	if err != nil {
		return ghStage("fetch pull request", err)
	}
	log.ok(t, "Pull request #%d fetched: %q (%s → %s)", meta.ID, log.field(meta.Title, 80), log.field(meta.SourceBranch, 80), log.field(meta.TargetBranch, 80))

	t = time.Now()
	rs := settings.LoadRepo(ctx, ghSettings(ghservice.NewFiles(a.api.Repos, pr, meta.TargetCommit), meta), cfg.ConfigFile)
	cfg = cfg.Apply(rs)
	a.cfg = cfg
	for _, w := range rs.Warnings {
		log.warn("%s", w)
	}
	log.ok(t, "Configuration: %s", rs.Source)

	var dry io.Writer
	if cfg.DryRun {
		dry = a.out
	}
	head := meta.SourceCommit
	pub := ghservice.NewPublisher(a.api, pr, ghservice.Options{DryRun: dry, MaxComments: cfg.MaxComments, Head: head})
	prior, err := pub.Load(ctx)
	if err != nil {
		return ghStage("read earlier reviews", err)
	}
	info := review.SummaryInfo{Version: version, Notes: rs.Notes()}
	switch {
	case cfg.ChatCommand == "help":
		return a.postHelp(ctx)
	case a.question.text != "":
		return a.answerQuestion(ctx, meta, a.question.text, a.question.commentID, a.question.inThread)
	}
	if reason := rs.SkipReason(meta, cfg.ChatCommand); reason != "" {
		if _, err := pub.PublishSkipped(ctx, prior, reason, info); err != nil {
			return ghStage("publish", err)
		}
		log.ok(t, "Not reviewed: %s", reason)
		return nil
	}
	full := !cfg.Incremental || cfg.FullReviewAsked()
	if !full && prior.Reviewed(head) {
		a.verdict = review.VerdictOf(prior.Open())
		if prior.HasVerdict {
			a.verdict = prior.Verdict
		}
		log.ok(t, "Already reviewed %s: no model call, nothing written", short(head))
		return nil
	}

	t = time.Now()
	prDiff, diffRead, fromFiles, err := ghservice.FetchDiff(ctx, a.api, pr, int64(cfg.MaxDiffBytes))
	if err != nil {
		return ghStage("fetch diff", err)
	}
	diffCap := diffCut{read: diffRead, limit: cfg.MaxDiffBytes}
	added, removed := prDiff.Stats()
	log.ok(t, "Diff fetched: %d %s, +%d −%d lines, %s", len(prDiff.Files), plural(len(prDiff.Files), "file", "files"), added, removed, byteSize(int(diffRead.Bytes)))
	if note := diffCap.note(); note != "" {
		log.warn("%s", diffCap.logLine())
		info.Notes = append(info.Notes, note)
	}
	if fromFiles {
		note := "GitHub refused the whole diff as too large; it was rebuilt from the files endpoint (files without a patch are listed as skipped)."
		log.info("%s", note)
		info.Notes = append(info.Notes, note)
	}
	if note := settings.ConfigEditNote(prDiff, cfg.ConfigFile, meta.TargetBranch); note != "" {
		info.Notes = append(info.Notes, note)
	}

	plan := ghservice.Plan{}
	if !full {
		plan = ghservice.PlanReview(ctx, a.api.Repos, pr, prior.State.HeadCommit, head)
	} else if cfg.FullReviewAsked() {
		info.Notes = append(info.Notes, "Full review, as requested.")
	}
	var increment *diffparse.Diff
	if plan.Incremental {
		increment, err = ghservice.FetchIncrement(ctx, a.api.Raw, pr, plan.From, head, prDiff, int64(cfg.MaxDiffBytes))
		switch {
		case errors.Is(err, diffparse.ErrTruncated):
			plan = ghservice.Plan{FallbackReason: diffCap.incrementReason()}
		case err != nil:
			return ghStage("fetch increment", err)
		}
	}
	if plan.FallbackReason != "" {
		log.warn("Full review instead of incremental: %s", plan.FallbackReason)
		info.Notes = append(info.Notes, "Full review instead of incremental: "+plan.FallbackReason+".")
	}
	reviewed := prDiff
	info.Range = shortRange(meta.TargetCommit, head)
	if plan.Incremental {
		reviewed = increment
		info.Range = short(plan.From) + ".." + short(head) + " (incremental)"
		log.info("Incremental review of %s..%s: %d file(s)", short(plan.From), short(head), len(reviewed.Files))
	}

	eng, err := newEngine(cfg, rs, head, ghservice.NewFiles(a.api.Repos, pr, head), log)
	if err != nil {
		return err
	}
	t = time.Now()
	res, _, rerr := a.reviewWithin(ctx, eng, meta, reviewed, &info)
	if plan.Incremental {
		review.Reanchor(res, reviewed, prDiff)
	}
	review.AddBuiltinChecks(res, prDiff)
	diffCap.markSkipped(res)
	a.unreviewed = res.OverBudget()
	res.CostUSD = cfg.CostOf(res)
	if rerr != nil {
		log.fail("Review failed: %v", rerr)
	} else {
		log.ok(t, "Reviewed with %s: %d call(s), %d finding(s)", orDefault(res.Model), res.Usage.Calls, len(res.Findings)+len(res.Unanchored))
	}
	for _, e := range res.Errors {
		log.warn("%s", e)
	}
	complete := rerr == nil && len(res.Errors) == 0
	st := review.State{HeadCommit: head, BaseCommit: meta.TargetCommit}
	if !complete {
		st.HeadCommit = prior.State.HeadCommit
	}
	t = time.Now()
	outcome, perr := pub.Publish(ctx, prior, res, info, st, ghservice.Scope{PRDiff: prDiff, Reviewed: reviewed, Incremental: plan.Incremental, Complete: complete, Skipped: res.Skipped})
	a.verdict = outcome.Verdict
	for _, w := range outcome.Warnings {
		log.warn("%s", w)
	}
	if perr == nil {
		log.ok(t, "Published: %d inline comment(s) posted, %d already there, %d moved to the summary, %d stale removed; summary %s",
			outcome.Posted, outcome.Existing, outcome.Rejected+outcome.OverBudget, outcome.Deleted, outcome.Summary)
	}
	if a.gc.CheckRun && !cfg.DryRun {
		a.publishCheck(ctx, head, res, rerr != nil || perr != nil)
	}
	switch {
	case rerr != nil:
		return rerr
	case perr != nil:
		return ghStage("publish", perr)
	}
	return nil
}

// ghSettings reads the config file and its guidelines at the base commit
// through the contents endpoint; a guideline must be a regular file there
// (GitHub would follow a symlink to the file it points to).
func ghSettings(base *ghservice.Files, meta review.PullRequest) settings.RepoSource {
	src := settings.OnBranch(fileFunc(base.ReadRegularFile), meta.TargetBranch, meta.TargetCommit)
	src.Config = base
	return src
}

// publishCheck adds the check run. Its failure is a warning: the review
// itself is on the pull request, and the token may lack checks: write.
func (a *actionRun) publishCheck(ctx context.Context, head string, res *review.Result, incomplete bool) {
	all := append(append([]review.Finding(nil), res.Findings...), res.Unanchored...)
	failed := a.failsOn(a.verdict) || (incomplete && a.cfg.FailOnError)
	summary := fmt.Sprintf("%d finding(s); the summary comment on the pull request has the details.", len(all))
	n, err := ghservice.PublishCheck(ctx, a.api.Checks, a.pr, ghservice.CheckInput{Head: head, Findings: all, Failed: failed, Summary: summary})
	if err != nil {
		a.log.warn("check run not published: %v (grant permissions: checks: write, or set CHECK_RUN=false)", err)
		return
	}
	a.log.info("Check run %q on %s in %d request(s)", ghservice.CheckName, short(head), n)
}

func (a *actionRun) postHelp(ctx context.Context) error {
	if a.cfg.DryRun {
		fmt.Fprintf(a.out, "--- would post ---\n%s\n", actionHelp)
		return nil
	}
	if _, _, err := a.api.Issues.CreateComment(ctx, a.pr.Owner, a.pr.Repo, a.pr.Number, ghComment(actionHelp)); err != nil {
		return ghStage("post help", err)
	}
	a.log.info("Help posted")
	return nil
}

// ghStage wraps err with its stage and the fix GitHub's answer suggests.
func ghStage(stage string, err error) error {
	if h := ghservice.Hint(err); h != "" {
		return fmt.Errorf("%s: %w\n  fix: %s", stage, err, h)
	}
	return fmt.Errorf("%s: %w", stage, err)
}
