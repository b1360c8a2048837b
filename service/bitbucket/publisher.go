// Package bitbucket connects the review core to Bitbucket Cloud through
// bbapi: it reads the pull request and its diff (whole, or the increment
// since the last reviewed commit), and publishes a review as inline
// comments, one summary comment that later runs edit in place, optional
// pull-request tasks and a Code Insights report. Platform is all of it
// behind the workflow's Platform interface, with the comments a chat
// command answers.
//
// Every write is idempotent across runs: comments carry hidden markers
// (review/markers.go) and are matched by marker and by the bot's own
// account UUID, so a human's comment that copies a marker is never touched.
// Nothing here approves, merges or requests changes.
package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// CommentAPI is what publishing comments needs from a Bitbucket client.
type CommentAPI interface {
	CurrentUser(ctx context.Context) (*bbapi.Account, *bbapi.Response, error)
	ListPullRequestComments(ctx context.Context, workspace, repo string, id int) ([]*bbapi.Comment, error)
	CreatePullRequestComment(ctx context.Context, workspace, repo string, id int, in *bbapi.NewComment) (*bbapi.Comment, *bbapi.Response, error)
	UpdatePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int, in *bbapi.NewComment) (*bbapi.Comment, *bbapi.Response, error)
	DeletePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*bbapi.Response, error)
	ResolvePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*bbapi.Response, error)
}

// TaskAPI is what pull-request tasks need. It is optional: a client that
// does not implement it gets no tasks.
type TaskAPI interface {
	ListPullRequestTasks(ctx context.Context, workspace, repo string, id int) ([]*bbapi.Task, error)
	CreatePullRequestTask(ctx context.Context, workspace, repo string, id int, in *bbapi.NewTask) (*bbapi.Task, *bbapi.Response, error)
	UpdatePullRequestTask(ctx context.Context, workspace, repo string, id, taskID int, in *bbapi.TaskUpdate) (*bbapi.Task, *bbapi.Response, error)
}

// PR names one pull request.
type PR struct {
	Workspace, Repo string
	ID              int
}

// publishOptions tune a publisher.
type publishOptions struct {
	// DryRun, when non-nil, receives what would be written; nothing is.
	DryRun io.Writer
	// Limits cap our open inline comments (counting those earlier runs
	// left open) and say which get a pull-request task.
	review.Limits
	// Me is the bot's account UUID when known; "" asks GET /user once.
	Me string
}

// publisher posts a review to one pull request.
type publisher struct {
	api  CommentAPI
	pr   PR
	opts publishOptions
}

// Publish posts res to the pull request, on top of what prior found:
//
//  1. earlier inline comments whose finding no longer applies are deleted
//     or resolved (see isStale for the policy); those this run did not look
//     at again stay open and are carried into res.Findings, so that the
//     summary, the verdict and Code Insights describe the whole pull
//     request;
//  2. new findings are posted inline, within MaxComments counting the
//     comments already open; the rest move to the summary;
//  3. tasks are created under comments at or above TasksAt (once);
//  4. the summary is created, or edited in place when it changed.
//
// st.HeadCommit is recorded only when the review and the posting are
// complete (complete reports the former); otherwise the summary keeps the
// earlier reviewed commit, so the next run covers this one again. The
// outcome's Kept stays zero: Bitbucket resolves a stale thread with
// replies.
func (p *publisher) Publish(ctx context.Context, prior *earlierRuns, res *review.Result, info review.SummaryInfo, st review.State, scope review.Scope) (*review.Outcome, error) {
	out := &review.Outcome{}
	// 1. Earlier comments: still produced, stale, or carried.
	l := p.sortEarlier(ctx, prior, res, scope, out)
	// 2. New inline comments, within the budget.
	kept, failures, err := p.postNew(ctx, prior.Me, res, l, out)
	if err != nil {
		return out, err
	}
	out.Existing += len(l.carried)
	res.Findings = append(kept, l.carried...)
	out.Verdict = review.VerdictOf(res.Findings, res.Unanchored)

	// 3. Tasks.
	if p.opts.TasksAt >= 0 {
		p.ensureTasks(ctx, prior.Me, res.Findings, l.posted, l.stale, out)
	}

	// 4. Summary.
	st.Handled = prior.State.Handled // the commands acted on stay recorded
	st.Posted = nil
	for _, f := range res.Findings {
		st.Posted = append(st.Posted, f.Fingerprint)
	}
	if out.Failed > 0 {
		st.HeadCommit = prior.State.HeadCommit // not done: the next run tries again
	}
	info.Posted = out.Posted + out.Existing
	info.Notes = append(info.Notes, publishNotes(out)...)
	body := review.RenderSummary(res, info, st) + review.VerdictMarker(out.Verdict) + "\n"
	if err := p.upsertSummary(ctx, prior, body, out); err != nil {
		return out, fmt.Errorf("post summary: %w", err)
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("post comments: %d of %d failed, first: %s", out.Failed, len(kept)+out.Failed, failures[0])
	}
	return out, nil
}

// publishNotes are the summary's lines on what publishing did besides
// posting: failures, comments carried, dismissed or retired.
func publishNotes(out *review.Outcome) []string {
	var notes []string
	if out.Failed > 0 {
		notes = append(notes, fmt.Sprintf("⚠️ Publishing incomplete: %d inline comment(s) could not be posted; they are listed above and the next run will try again.", out.Failed))
	}
	if out.Carried > 0 {
		notes = append(notes, fmt.Sprintf("%d finding(s) from earlier commits are still open as inline comments.", out.Carried))
	}
	if out.Dismissed > 0 {
		notes = append(notes, fmt.Sprintf("%d finding(s) found again were resolved in an earlier thread and are not repeated.", out.Dismissed))
	}
	if n := out.Resolved + out.Deleted; n > 0 {
		notes = append(notes, fmt.Sprintf("%d earlier inline comment(s) no longer apply and were resolved or removed.", n))
	}
	return notes
}

// PublishSkipped writes the one-line summary of a run that reviewed nothing
// on purpose (draft, "@bitreview ignore"). The earlier state is kept, and
// nothing else is touched.
func (p *publisher) PublishSkipped(ctx context.Context, prior *earlierRuns, reason string, info review.SummaryInfo) (*review.Outcome, error) {
	out := &review.Outcome{}
	body := review.RenderSkipped(reason, info, prior.State)
	if err := p.upsertSummary(ctx, prior, body, out); err != nil {
		return out, fmt.Errorf("post summary: %w", err)
	}
	return out, nil
}

// postInline creates one inline comment and returns its id. A create that
// fails without a clear answer (timeout, 5xx, reset) may still have been
// stored, so the comments are listed again and the fingerprint looked for
// before the failure is believed; such POSTs are never blindly repeated
// (bbapi repeats only a POST refused with 429, which was not processed).
func (p *publisher) postInline(ctx context.Context, f review.Finding, me string) (int, error) {
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: review.RenderComment(f)}, Inline: inlineFor(f)}
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would post inline comment on %s (%s line %d) ---\n%s\n", f.Path, f.Side, f.Line, in.Content.Raw)
		return 0, nil
	}
	c, _, err := p.api.CreatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in)
	if err == nil {
		return c.ID, nil
	}
	if isRejectedAnchor(err) || ctx.Err() != nil {
		return 0, err
	}
	comments, lerr := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if lerr == nil {
		for _, c := range ownComments(comments, me) {
			if fp, ok := review.FingerprintOf(c.Content.Raw); ok && fp == f.Fingerprint && c.Inline != nil {
				return c.ID, nil
			}
		}
	}
	return 0, err
}

// retire deletes a stale comment nobody replied to, or resolves one with
// replies (409, already resolved, is fine). Failures are warnings.
func (p *publisher) retire(ctx context.Context, t *thread, out *review.Outcome) {
	if p.opts.DryRun != nil {
		verb := "resolve"
		if t.replies == 0 {
			verb = "delete"
		}
		fmt.Fprintf(p.opts.DryRun, "--- would %s stale inline comment %d on %s ---\n", verb, t.c.ID, t.c.Inline.Path)
		return
	}
	if t.replies == 0 {
		_, err := p.api.DeletePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, t.c.ID)
		var er *bbapi.ErrorResponse
		if err == nil || (errors.As(err, &er) && er.StatusCode == http.StatusNotFound) {
			out.Deleted++
			return
		}
		out.Warnings = append(out.Warnings, fmt.Sprintf("could not delete stale comment %d: %v", t.c.ID, err))
		return
	}
	if _, err := p.api.ResolvePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, t.c.ID); err != nil {
		out.Warnings = append(out.Warnings, fmt.Sprintf("could not resolve stale comment %d: %v", t.c.ID, err))
		return
	}
	out.Resolved++
}

func isRejectedAnchor(err error) bool {
	var er *bbapi.ErrorResponse
	return errors.As(err, &er) && (er.StatusCode == http.StatusBadRequest || er.StatusCode == http.StatusUnprocessableEntity)
}
