package bitbucket

import (
	"context"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// upsertSummary edits our newest summary comment (or creates one), and
// deletes older duplicates of ours. An unchanged body is not written.
// prior then holds the summary as written, so that a later write of the
// same run (Publish after SaveState, or the other way round) edits it
// instead of posting a second one.
func (p *publisher) upsertSummary(ctx context.Context, prior *earlierRuns, body string, out *review.Outcome) error {
	if p.opts.DryRun != nil {
		out.Summary = "dry-run"
		fmt.Fprintf(p.opts.DryRun, "--- would post summary comment ---\n%s\n", body)
		return nil
	}
	newest := prior.Summary
	if newest == nil {
		c, err := p.createSummary(ctx, prior.Me, body)
		if err != nil {
			return err
		}
		out.Summary = "created"
		prior.added(c)
		prior.setSummary(c)
		return nil
	}
	for _, c := range summaries(prior.mine) {
		if c.ID != newest.ID {
			if _, err := p.api.DeletePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, c.ID); err != nil {
				return fmt.Errorf("delete duplicate summary %d: %w", c.ID, err)
			}
			prior.forget(c.ID)
		}
	}
	if sameBody(newest.Content.Raw, body) {
		out.Summary = "unchanged"
		return nil
	}
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}}
	if _, _, err := p.api.UpdatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, newest.ID, in); err != nil {
		return err
	}
	out.Summary = "updated"
	newest.Content.Raw = body
	prior.setSummary(newest)
	return nil
}

// createSummary posts body as a new summary. The summary may have been
// stored although the answer was lost (a timeout, a 5xx): the comments are
// listed again before the failure is believed, so that the next run does
// not create a second one.
func (p *publisher) createSummary(ctx context.Context, me, body string) (*bbapi.Comment, error) {
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}}
	c, _, err := p.api.CreatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in)
	if err == nil || ctx.Err() != nil || isRejectedAnchor(err) {
		return c, err
	}
	if cs, lerr := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID); lerr == nil {
		if s := newestSummary(ownComments(cs, me)); s != nil && sameBody(s.Content.Raw, body) {
			return s, nil
		}
	}
	return nil, err
}

// sameBody compares comment bodies as Bitbucket stores them (it trims
// them).
func sameBody(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }
