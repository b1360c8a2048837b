// Package bitbucket connects the review core to Bitbucket Cloud through
// bbapi: it reads the pull request and its diff (whole, or the increment
// since the last reviewed commit), and publishes a review as inline
// comments, one summary comment that later runs edit in place, optional
// pull-request tasks and a Code Insights report.
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
	"strings"

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

// Options tune a Publisher.
type Options struct {
	// DryRun, when non-nil, receives what would be written; nothing is.
	DryRun io.Writer
	// MaxComments caps our open inline comments on the pull request,
	// counting those earlier runs left open; 0 means no cap.
	MaxComments int
	// TasksAt creates a pull-request task under each inline comment whose
	// finding is at least this severe; negative means no tasks.
	TasksAt review.Severity
}

// Publisher posts a review to one pull request.
type Publisher struct {
	api  CommentAPI
	pr   PR
	opts Options
}

// NewPublisher returns a publisher. It does no I/O.
func NewPublisher(api CommentAPI, pr PR, opts Options) *Publisher {
	return &Publisher{api: api, pr: pr, opts: opts}
}

// Outcome counts what a publish did.
type Outcome struct {
	Posted       int // inline comments created now
	Existing     int // inline comments already present from an earlier run
	Carried      int // of Existing: open findings earlier runs posted that this run did not look at again
	Rejected     int // anchors Bitbucket refused; moved to the summary
	OverBudget   int // findings not posted inline because of MaxComments
	Failed       int // inline comments that could not be posted
	Dismissed    int // findings found again whose comment thread is resolved; not repeated
	Resolved     int // stale comments resolved (they had replies)
	Deleted      int // stale comments deleted (nobody replied)
	TasksCreated int
	// Summary is "created", "updated", "unchanged" or "dry-run".
	Summary   string
	SummaryID int
	// Verdict covers every finding of this head: new, existing and
	// summary-only.
	Verdict review.Verdict
	// Warnings are problems that did not stop the publish (a stale comment
	// that could not be resolved, a task that could not be created).
	Warnings []string
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
// earlier reviewed commit, so the next run covers this one again.
func (p *Publisher) Publish(ctx context.Context, prior *Prior, res *review.Result, info review.SummaryInfo, st review.State, scope Scope) (*Outcome, error) {
	out := &Outcome{}
	produced := map[string]bool{}
	for _, f := range append(append([]review.Finding(nil), res.Findings...), res.Unanchored...) {
		if f.Fingerprint != "" {
			produced[f.Fingerprint] = true
		}
	}

	// 1. Earlier comments: still produced, stale, or carried.
	posted := map[string]int{} // fingerprint → comment id (0 in a dry run)
	dismissed := map[string]bool{}
	open := 0
	var stale []*thread
	var carried []review.Finding
	for _, t := range prior.threads() {
		posted[t.fp] = t.c.ID
		switch {
		case t.c.Resolution != nil:
			// Resolved by someone (or by us): not open, never re-posted,
			// and not counted against the pull request any more.
			dismissed[t.fp] = true
		case produced[t.fp]:
			open++
		case isStale(scope, t):
			stale = append(stale, t)
		default:
			open++
			if f, ok := findingOf(t); ok {
				carried = append(carried, f)
			}
		}
	}
	for _, t := range stale {
		p.retire(ctx, t, out)
	}
	out.Carried = len(carried)

	// 2. New inline comments, within the budget.
	var kept []review.Finding
	var failures []string
	for _, f := range res.Findings {
		if dismissed[f.Fingerprint] {
			out.Dismissed++
			continue
		}
		if _, ok := posted[f.Fingerprint]; ok {
			out.Existing++
			kept = append(kept, f)
			continue
		}
		if p.opts.MaxComments > 0 && open >= p.opts.MaxComments {
			out.OverBudget++
			f.Unanchored = fmt.Sprintf("over the limit of %d open inline comments (MAX_COMMENTS)", p.opts.MaxComments)
			res.Unanchored = append(res.Unanchored, f)
			continue
		}
		id, err := p.postInline(ctx, f, prior.Me)
		switch {
		case err == nil:
			out.Posted++
			open++
			posted[f.Fingerprint] = id
			kept = append(kept, f)
		case isRejectedAnchor(err):
			out.Rejected++
			f.Unanchored = "Bitbucket refused the line anchor"
			res.Unanchored = append(res.Unanchored, f)
		default:
			if ctx.Err() != nil {
				return out, fmt.Errorf("post comments: %w", err)
			}
			out.Failed++
			failures = append(failures, fmt.Sprintf("%s:%d: %v", f.Path, f.Line, err))
			f.Unanchored = "posting failed"
			res.Unanchored = append(res.Unanchored, f)
		}
	}
	out.Existing += len(carried)
	res.Findings = append(kept, carried...)
	out.Verdict = review.VerdictOf(res.Findings, res.Unanchored)

	// 3. Tasks.
	if p.opts.TasksAt >= 0 {
		p.ensureTasks(ctx, prior.Me, res.Findings, posted, stale, out)
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
	if out.Failed > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("⚠️ Publishing incomplete: %d inline comment(s) could not be posted; they are listed above and the next run will try again.", out.Failed))
	}
	if len(carried) > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d finding(s) from earlier commits are still open as inline comments.", len(carried)))
	}
	if out.Dismissed > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d finding(s) found again were resolved in an earlier thread and are not repeated.", out.Dismissed))
	}
	if n := out.Resolved + out.Deleted; n > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d earlier inline comment(s) no longer apply and were resolved or removed.", n))
	}
	body := review.RenderSummary(res, info, st) + review.VerdictMarker(out.Verdict) + "\n"
	if err := p.upsertSummary(ctx, prior, body, out); err != nil {
		return out, fmt.Errorf("post summary: %w", err)
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("post comments: %d of %d failed, first: %s", out.Failed, len(kept)+out.Failed, failures[0])
	}
	return out, nil
}

// PublishSkipped writes the one-line summary of a run that reviewed nothing
// on purpose (draft, "@bitreview ignore"). The earlier state is kept, and
// nothing else is touched.
func (p *Publisher) PublishSkipped(ctx context.Context, prior *Prior, reason string, info review.SummaryInfo) (*Outcome, error) {
	out := &Outcome{}
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
func (p *Publisher) postInline(ctx context.Context, f review.Finding, me string) (int, error) {
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
func (p *Publisher) retire(ctx context.Context, t *thread, out *Outcome) {
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

// upsertSummary edits our newest summary comment (or creates one), and
// deletes older duplicates of ours. An unchanged body is not written.
func (p *Publisher) upsertSummary(ctx context.Context, prior *Prior, body string, out *Outcome) error {
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}}
	if p.opts.DryRun != nil {
		out.Summary = "dry-run"
		fmt.Fprintf(p.opts.DryRun, "--- would post summary comment ---\n%s\n", body)
		return nil
	}
	newest := prior.Summary
	if newest == nil {
		c, _, err := p.api.CreatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in)
		if err != nil {
			// The summary may have been stored although the answer was
			// lost: look before the next run creates a second one.
			if ctx.Err() == nil && !isRejectedAnchor(err) {
				if cs, lerr := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID); lerr == nil {
					if s := newestSummary(ownComments(cs, prior.Me)); s != nil && strings.TrimSpace(s.Content.Raw) == strings.TrimSpace(body) {
						out.Summary, out.SummaryID = "created", s.ID
						return nil
					}
				}
			}
			return err
		}
		out.Summary, out.SummaryID = "created", c.ID
		return nil
	}
	for _, c := range summaries(prior.mine) {
		if c.ID != newest.ID {
			if _, err := p.api.DeletePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, c.ID); err != nil {
				return fmt.Errorf("delete duplicate summary %d: %w", c.ID, err)
			}
		}
	}
	out.SummaryID = newest.ID
	if strings.TrimSpace(newest.Content.Raw) == strings.TrimSpace(body) {
		out.Summary = "unchanged"
		return nil
	}
	if _, _, err := p.api.UpdatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, newest.ID, in); err != nil {
		return err
	}
	out.Summary = "updated"
	return nil
}

func isRejectedAnchor(err error) bool {
	var er *bbapi.ErrorResponse
	return errors.As(err, &er) && (er.StatusCode == http.StatusBadRequest || er.StatusCode == http.StatusUnprocessableEntity)
}
