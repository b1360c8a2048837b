package main

import (
	"context"
	"fmt"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
)

// A comment is acted on at most once, however often its pipeline is
// started (a relay restart forgets what it started, and a start that
// timed out may have happened): commands that reply (help, pause, a
// question) are recognised by bitreview's reply, which carries the id it
// answers; commands that run a review (review, full review, summary,
// resume) by their id in the summary's hidden state (review.State.Handled).

// reviews reports whether a command runs a review.
func reviews(cmd string) bool {
	switch cmd {
	case "review", "full review", "summary", "resume":
		return true
	}
	return false
}

// alreadyHandled reports (and logs) whether the comment was acted on by an
// earlier run. The verdict is the summary's, for FAIL_ON.
func (c *chatRun) alreadyHandled(prior *bbservice.Prior) bool {
	switch {
	case prior.State.HasHandled(c.commentID):
		c.log.info("Comment %d is recorded in the summary: comment %d was already handled, nothing to do", c.commentID, c.commentID)
	case c.answered():
		c.log.info("Comment %d already has bitreview's reply: comment %d was already handled, no model call, nothing posted", c.commentID, c.commentID)
	default:
		return false
	}
	c.verdict = review.VerdictOf(prior.Open())
	if prior.HasVerdict {
		c.verdict = prior.Verdict
	}
	return true
}

// markHandled records the comment in the state of the summary in prior.
// It reports false when there is no summary to record it in yet.
func (c *chatRun) markHandled(ctx context.Context, prior *bbservice.Prior) (bool, error) {
	if prior.Summary == nil {
		return false, nil
	}
	body, ok := review.WithHandled(prior.Summary.Content.Raw, c.commentID)
	if !ok || body == prior.Summary.Content.Raw {
		return ok, nil
	}
	if c.cfg.DryRun {
		fmt.Fprintf(c.out, "--- would record comment %d as handled in the summary ---\n", c.commentID)
		return true, nil
	}
	t := time.Now()
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}}
	if _, _, err := c.client.UpdatePullRequestComment(ctx, c.pr.Workspace, c.pr.Repo, c.pr.ID, prior.Summary.ID, in); err != nil {
		return false, stageError("record the command in the summary", err)
	}
	c.log.ok(t, "Comment %d recorded as handled in the summary", c.commentID)
	return true, nil
}

// markHandledAfter records the comment once the review has written the
// first summary.
func (c *chatRun) markHandledAfter(ctx context.Context) error {
	all, err := c.client.ListPullRequestComments(ctx, c.pr.Workspace, c.pr.Repo, c.pr.ID)
	if err != nil {
		return stageError("list comments", err)
	}
	recorded, err := c.markHandled(ctx, bbservice.PriorOf(c.me, all))
	if err == nil && !recorded && !c.cfg.DryRun {
		c.log.warn("Comment %d could not be recorded as handled (no summary): a replayed trigger would run it again", c.commentID)
	}
	return err
}
