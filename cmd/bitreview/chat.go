package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
)

// Chat mode: the relay starts the pipe with BITREVIEW_COMMENT_ID when
// someone writes "@bitreview ..." in a pull request comment. `review` and
// `full review` are the normal pipe flow; every other command is handled
// here.

// pausedReason is the summary line of an automatic run while paused.
const pausedReason = "automatic reviews are paused on this pull request (`@bitreview pause`). Comment `@bitreview resume` to restart them, or `@bitreview review` for one review now."

// chatExit turns a chat run's outcome into the exit code: errors follow
// FAIL_ON_ERROR like a review; a reply has no verdict to print.
func (p *pipeRun) chatExit(err error) int {
	if err != nil || reviews(p.cfg.Command()) {
		return p.exitCode(err) // these ran a review: its verdict and FAIL_ON apply
	}
	p.log.ok(p.log.start, "bitreview: comment command %q done", p.cfg.Command())
	return exitOK
}

func (p *pipeRun) runChatSafely(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if p.cfg.Debug {
				p.log.debugf("stack of the internal error:\n%s", debug.Stack())
			}
			err = errCrashed
		}
	}()
	return p.runChat(ctx)
}

// chatRun is the Bitbucket side of one chat command.
type chatRun struct {
	*pipeRun
	client    *bbapi.Client
	pr        bbservice.PR
	me        string
	comment   *bbapi.Comment
	comments  []*bbapi.Comment
	commentID int
}

func (p *pipeRun) runChat(ctx context.Context) error {
	cfg, log := p.cfg, p.log
	prID, _ := cfg.PullRequestID()
	id, err := strconv.Atoi(strings.TrimSpace(cfg.ChatCommentID))
	if err != nil || id < 1 {
		return &configProblem{fmt.Errorf("BITREVIEW_COMMENT_ID: %q is not a comment id", cfg.ChatCommentID)}
	}
	client, err := newBitbucketClient(cfg)
	if err != nil {
		return err
	}
	c := &chatRun{pipeRun: p, client: client, commentID: id,
		pr: bbservice.PR{Workspace: cfg.Workspace, Repo: cfg.RepoSlug, ID: prID}}
	log.info("bitreview %s answering comment %d on %s/%s pull request #%d (command %q)", version, id, c.pr.Workspace, c.pr.Repo, prID, cfg.Command())

	t := time.Now()
	me, _, err := client.CurrentUser(ctx)
	if err != nil {
		return stageError("identify the bot account (GET /user)", err)
	}
	if me.UUID == "" {
		return errors.New("identify the bot account (GET /user): the account has no UUID")
	}
	c.me = me.UUID
	if c.comment, _, err = client.GetPullRequestComment(ctx, c.pr.Workspace, c.pr.Repo, prID, id); err != nil {
		return stageError("read comment", err)
	}
	if c.comments, err = client.ListPullRequestComments(ctx, c.pr.Workspace, c.pr.Repo, prID); err != nil {
		return stageError("list comments", err)
	}
	log.ok(t, "Comment %d read (%d comment(s) on the pull request)", id, len(c.comments))

	switch {
	case c.comment.User != nil && c.comment.User.UUID == c.me:
		log.info("Comment %d is bitreview's own: not answered (no loops)", id)
		return nil
	case c.comment.Deleted:
		log.info("Comment %d was deleted: nothing to answer", id)
		return nil
	}
	prior := bbservice.PriorOf(c.me, c.comments)
	if c.alreadyHandled(prior) {
		return nil
	}
	if !reviews(cfg.Command()) {
		return c.dispatch(ctx)
	}
	// A command that runs a review is recorded in the summary's state
	// before it runs (so that a duplicate started meanwhile stops), or
	// after, when there is no summary yet.
	recorded, err := c.markHandled(ctx, prior)
	if err != nil {
		return err
	}
	if err := c.dispatch(ctx); err != nil || recorded {
		return err
	}
	return c.markHandledAfter(ctx)
}

// dispatch acts on the comment's command.
func (c *chatRun) dispatch(ctx context.Context) error {
	p := c.pipeRun
	switch p.cfg.Command() {
	case "review", "full review":
		return p.run(ctx)
	case "help":
		return c.replyOnce(ctx, review.RenderFixedReply(review.ChatHelp, c.commentID))
	case "pause":
		return c.setPaused(ctx, true)
	case "resume":
		if err := c.setPaused(ctx, false); err != nil {
			return err
		}
		p.cfg.ChatCommand = "resume"
		return p.run(ctx)
	case "summary":
		// The summary is brought up to date by the normal flow: an
		// incremental review of what is new (nothing when the head was
		// already reviewed).
		return p.run(ctx)
	}
	return c.answer(ctx)
}

// answered reports whether bitreview already replied to the comment.
func (c *chatRun) answered() bool {
	for _, o := range c.comments {
		if o.Deleted || o.User == nil || o.User.UUID != c.me {
			continue
		}
		if id, ok := review.RepliesTo(o.Content.Raw); ok && id == c.commentID {
			return true
		}
	}
	return false
}

// replyOnce posts body, rendered by review.RenderReply (model text) or
// review.RenderFixedReply (our own), as a reply unless one is there.
func (c *chatRun) replyOnce(ctx context.Context, body string) error {
	if c.answered() {
		c.log.info("Comment %d already has bitreview's reply: nothing posted", c.commentID)
		return nil
	}
	if c.cfg.DryRun {
		fmt.Fprintf(c.out, "--- would reply to comment %d ---\n%s\n", c.commentID, body)
		return nil
	}
	t := time.Now()
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}, Parent: &bbapi.Ref{ID: c.commentID}}
	r, _, err := c.client.CreatePullRequestComment(ctx, c.pr.Workspace, c.pr.Repo, c.pr.ID, in)
	if err != nil {
		return stageError("post reply", err)
	}
	c.log.ok(t, "Replied to comment %d (comment %d)", c.commentID, r.ID)
	return nil
}

// setPaused records the pause flag in the summary's state marker.
func (c *chatRun) setPaused(ctx context.Context, paused bool) error {
	t := time.Now()
	pub := bbservice.NewPublisher(c.client, c.pr, bbservice.Options{})
	prior, err := pub.Load(ctx)
	if err != nil {
		return stageError("read earlier reviews", err)
	}
	word := map[bool]string{true: "paused", false: "resumed"}[paused]
	switch {
	case prior.State.Paused == paused && (paused || prior.Summary != nil):
		c.log.ok(t, "Automatic reviews already %s: summary unchanged", word)
	case prior.Summary != nil:
		body, ok := review.WithPaused(prior.Summary.Content.Raw, paused)
		if !ok {
			prior.State.Paused = paused
			if _, err := pub.PublishSkipped(ctx, prior, pausedReason, review.SummaryInfo{Version: version}); err != nil {
				return stageError("update summary", err)
			}
		} else if c.cfg.DryRun {
			fmt.Fprintf(c.out, "--- would update the summary ---\n%s\n", body)
		} else if _, _, err := c.client.UpdatePullRequestComment(ctx, c.pr.Workspace, c.pr.Repo, c.pr.ID, prior.Summary.ID,
			&bbapi.NewComment{Content: bbapi.Content{Raw: body}}); err != nil {
			return stageError("update summary", err)
		}
		c.log.ok(t, "Automatic reviews %s (recorded in the summary comment)", word)
	case paused:
		prior.State.Paused = true
		if _, err := pub.PublishSkipped(ctx, prior, pausedReason, review.SummaryInfo{Version: version}); err != nil {
			return stageError("post summary", err)
		}
		c.log.ok(t, "Automatic reviews paused (recorded in a new summary comment)")
	}
	if paused {
		return c.replyOnce(ctx, review.RenderFixedReply("Automatic reviews are paused on this pull request. Comment `@bitreview resume` to restart them.", c.commentID))
	}
	return nil
}
