package github

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/review"
)

// publishOptions tune a publisher.
type publishOptions struct {
	// DryRun, when non-nil, receives what would be written; nothing is.
	DryRun io.Writer
	// Limits cap our open inline comments, counting earlier ones
	// (GitHub has no tasks: TasksAt is not used).
	review.Limits
	// Head is the commit the comments are anchored on (commit_id).
	Head string
	// Login is the bot's login when known; "" asks GET /user.
	Login string
}

// publisher posts a review to one pull request.
type publisher struct {
	api  API
	pr   PR
	opts publishOptions
}

// Publish posts res on top of prior, with the Bitbucket publisher's
// policy: stale comments of ours are deleted (or, with replies, left: the
// REST API cannot resolve threads), those not looked at again are carried;
// new findings go into one pull-request review (event COMMENT) within
// MaxComments; then the summary is created or edited in place. The state
// records head only when the review and the posting are complete. The
// outcome's Dismissed, Resolved and Tasks stay zero: GitHub's REST API
// resolves no threads and has no tasks.
func (p *publisher) Publish(ctx context.Context, prior *earlierRuns, res *review.Result, info review.SummaryInfo, st review.State, scope review.Scope) (*review.Outcome, error) {
	out := &review.Outcome{}
	produced := map[string]bool{}
	for _, f := range append(append([]review.Finding(nil), res.Findings...), res.Unanchored...) {
		produced[f.Fingerprint] = f.Fingerprint != ""
	}
	posted := map[string]bool{}
	open := 0
	var carried []review.Finding
	for _, t := range prior.threads() {
		posted[t.fp] = true
		switch {
		case produced[t.fp]:
			open++
		case stale(scope, t):
			p.retire(ctx, t, out)
		default:
			open++
			if f, ok := findingOf(t); ok {
				carried = append(carried, f)
			}
		}
	}
	out.Carried = len(carried)

	var kept, fresh []review.Finding
	for _, f := range res.Findings {
		switch {
		case posted[f.Fingerprint]:
			out.Existing++
			kept = append(kept, f)
		case p.opts.MaxComments > 0 && open >= p.opts.MaxComments:
			out.OverBudget++
			f.Unanchored = fmt.Sprintf("over the limit of %d open inline comments (MAX_COMMENTS)", p.opts.MaxComments)
			res.Unanchored = append(res.Unanchored, f)
		default:
			open++
			fresh = append(fresh, f)
		}
	}
	ok, failures, err := p.postReview(ctx, prior, fresh, out)
	if err != nil {
		return out, err
	}
	for _, f := range fresh {
		switch reason := ok[f.Fingerprint]; reason {
		case "":
			kept = append(kept, f)
		default:
			f.Unanchored = reason
			res.Unanchored = append(res.Unanchored, f)
		}
	}
	out.Existing += len(carried)
	res.Findings = append(kept, carried...)
	out.Verdict = review.VerdictOf(res.Findings, res.Unanchored)

	st.Posted = nil
	for _, f := range res.Findings {
		st.Posted = append(st.Posted, f.Fingerprint)
	}
	if out.Failed > 0 {
		st.HeadCommit = prior.State.HeadCommit
		info.Notes = append(info.Notes, fmt.Sprintf("⚠️ Publishing incomplete: %d inline comment(s) could not be posted; they are listed above and the next run will try again.", out.Failed))
	}
	info.Posted = out.Posted + out.Existing
	if len(carried) > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d finding(s) from earlier commits are still open as inline comments.", len(carried)))
	}
	if out.Deleted > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d earlier inline comment(s) no longer apply and were removed.", out.Deleted))
	}
	body := review.RenderSummary(res, info, st) + review.VerdictMarker(out.Verdict) + "\n"
	if err := p.upsertSummary(ctx, prior, body, out); err != nil {
		return out, fmt.Errorf("post summary: %w", err)
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("post comments: %d failed, first: %s", out.Failed, failures[0])
	}
	return out, nil
}

// PublishSkipped writes the one-line summary of a run that reviewed
// nothing on purpose; the earlier state is kept.
func (p *publisher) PublishSkipped(ctx context.Context, prior *earlierRuns, reason string, info review.SummaryInfo) (*review.Outcome, error) {
	out := &review.Outcome{}
	if err := p.upsertSummary(ctx, prior, review.RenderSkipped(reason, info, prior.State), out); err != nil {
		return out, fmt.Errorf("post summary: %w", err)
	}
	return out, nil
}

// retire deletes a stale comment nobody replied to. One with replies is a
// discussion: it stays (GitHub resolves threads only through GraphQL).
func (p *publisher) retire(ctx context.Context, t *thread, out *review.Outcome) {
	if t.replies > 0 {
		out.Kept++
		return
	}
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would delete stale inline comment %d on %s ---\n", t.c.GetID(), t.c.GetPath())
		return
	}
	_, err := p.api.Pulls.DeleteComment(ctx, p.pr.Owner, p.pr.Repo, t.c.GetID())
	if err == nil || statusOf(err) == http.StatusNotFound {
		out.Deleted++
		return
	}
	out.Warnings = append(out.Warnings, fmt.Sprintf("could not delete stale comment %d: %v", t.c.GetID(), err))
}

// upsertSummary edits our newest summary (or creates one) and deletes our
// older duplicates. An unchanged body is not written. A create that failed
// without a clear answer is checked by listing before it is believed.
// prior then holds the summary as written, for later writes of the run.
func (p *publisher) upsertSummary(ctx context.Context, prior *earlierRuns, body string, out *review.Outcome) error {
	if p.opts.DryRun != nil {
		out.Summary = "dry-run"
		fmt.Fprintf(p.opts.DryRun, "--- would post summary comment ---\n%s\n", body)
		return nil
	}
	in := &gh.IssueComment{Body: gh.String(body)}
	newest := prior.Summary
	if newest == nil {
		c, _, err := p.api.Issues.CreateComment(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, in)
		if err != nil {
			if c = p.findSummary(ctx, prior.Me, body); c == nil || ctx.Err() != nil {
				return err
			}
		}
		out.Summary = "created"
		prior.issue = append(prior.issue, c)
		prior.setSummary(c)
		return nil
	}
	for _, c := range prior.summaries() {
		if c.GetID() != newest.GetID() {
			if _, err := p.api.Issues.DeleteComment(ctx, p.pr.Owner, p.pr.Repo, c.GetID()); err != nil && statusOf(err) != http.StatusNotFound {
				return fmt.Errorf("delete duplicate summary %d: %w", c.GetID(), err)
			}
			prior.forget(c.GetID())
		}
	}
	if strings.TrimSpace(newest.GetBody()) == strings.TrimSpace(body) {
		out.Summary = "unchanged"
		return nil
	}
	if _, _, err := p.api.Issues.EditComment(ctx, p.pr.Owner, p.pr.Repo, newest.GetID(), in); err != nil {
		return err
	}
	out.Summary = "updated"
	newest.Body = gh.String(body)
	prior.setSummary(newest)
	return nil
}

func (p *publisher) findSummary(ctx context.Context, me, body string) *gh.IssueComment {
	cs, err := listIssueComments(ctx, p.api.Issues, p.pr)
	if err != nil {
		return nil
	}
	for _, c := range cs {
		if c.GetUser().GetLogin() == me && strings.TrimSpace(c.GetBody()) == strings.TrimSpace(body) {
			return c
		}
	}
	return nil
}
