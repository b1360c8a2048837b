package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/review"
)

// Message reads comment id, of the kind PlatformOptions.CommentKind names,
// with what an answer needs: a conversation comment's thread is the
// conversation; a review comment's is its review thread, with the anchor
// and GitHub's diff_hunk (the hunk up to the commented line). The thread
// leaves the comment itself out and is bounded (review.TrimThread). Mine
// is true for the bot's own comments and for any other bot account (no
// loops between bots); Replied when a comment of the bot carries the
// reply marker for id. A comment that is gone (404) comes back Deleted.
func (p *Platform) Message(ctx context.Context, id int64) (*review.Message, error) {
	me, err := p.identity(ctx)
	if err != nil {
		return nil, err
	}
	if p.opts.CommentKind == ReviewComment {
		return p.reviewMessage(ctx, id, me)
	}
	c, _, err := p.api.Issues.GetComment(ctx, p.pr.Owner, p.pr.Repo, id)
	switch {
	case StatusOf(err) == http.StatusNotFound:
		return &review.Message{ID: id, Deleted: true}, nil
	case err != nil:
		return nil, fmt.Errorf("read comment %d: %w", id, err)
	}
	all, err := listIssueComments(ctx, p.api.Issues, p.pr)
	if err != nil {
		return nil, err
	}
	m := &review.Message{ID: id, Author: c.GetUser().GetLogin(), Body: c.GetBody(), Mine: isBot(c.GetUser(), me)}
	var thread []review.ThreadComment
	for _, o := range all {
		if o.GetID() == id {
			continue
		}
		m.Replied = m.Replied || answers(o.GetUser(), o.GetBody(), me, id)
		thread = append(thread, threadComment(o.GetUser(), o.GetBody(), me))
	}
	m.Thread = review.TrimThread(thread)
	return m, nil
}

// reviewMessage is Message for a review comment.
func (p *Platform) reviewMessage(ctx context.Context, id int64, me string) (*review.Message, error) {
	c, _, err := p.api.Pulls.GetComment(ctx, p.pr.Owner, p.pr.Repo, id)
	switch {
	case StatusOf(err) == http.StatusNotFound:
		return &review.Message{ID: id, Deleted: true}, nil
	case err != nil:
		return nil, fmt.Errorf("read review comment %d: %w", id, err)
	}
	all, err := listReviewComments(ctx, p.api.Pulls, p.pr)
	if err != nil {
		return nil, err
	}
	root := c.GetInReplyTo()
	if root == 0 {
		root = id
	}
	p.roots[id] = root
	line := c.GetLine()
	if line == 0 {
		line = c.GetOriginalLine() // an outdated comment
	}
	m := &review.Message{
		ID: id, Author: c.GetUser().GetLogin(), Body: c.GetBody(), Mine: isBot(c.GetUser(), me),
		Inline: &review.Anchor{Path: c.GetPath(), Side: sideOf(c), Line: line}, Hunk: c.GetDiffHunk(),
	}
	var thread []review.ThreadComment
	for _, o := range all {
		if o.GetID() == id {
			continue
		}
		m.Replied = m.Replied || answers(o.GetUser(), o.GetBody(), me, id)
		if o.GetID() == root || o.GetInReplyTo() == root {
			thread = append(thread, threadComment(o.GetUser(), o.GetBody(), me))
		}
	}
	m.Thread = review.TrimThread(thread)
	return m, nil
}

// Reply posts body, rendered by the caller (review.RenderReply or
// RenderFixedReply, whose marker names m.ID), in the review thread of a
// review comment (as a reply to the thread's first comment: GitHub takes
// no replies to replies) or in the conversation. A comment already
// answered (m.Replied) gets nothing more.
func (p *Platform) Reply(ctx context.Context, m *review.Message, body string) error {
	if m.Replied {
		return nil
	}
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would reply to comment %d ---\n%s\n", m.ID, body)
		return nil
	}
	var err error
	if p.opts.CommentKind == ReviewComment {
		root := p.roots[m.ID]
		if root == 0 {
			root = m.ID
		}
		_, _, err = p.api.Pulls.CreateCommentInReplyTo(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, body, root)
	} else {
		_, _, err = p.api.Issues.CreateComment(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, ghComment(body))
	}
	if err != nil {
		return fmt.Errorf("reply to comment %d: %w", m.ID, err)
	}
	return nil
}

// identity is the bot's login, asked once a run.
func (p *Platform) identity(ctx context.Context) (string, error) {
	me, err := p.pub.identity(ctx)
	if err == nil {
		p.pub.opts.Login = me
	}
	return me, err
}

// isBot reports a comment by the bot, or by any GitHub App or other bot
// account.
func isBot(u *gh.User, me string) bool {
	return u.GetLogin() == me || u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}

// answers reports a comment of the bot's that replies to comment id.
func answers(u *gh.User, body, me string, id int64) bool {
	to, ok := review.RepliesTo(body)
	return ok && int64(to) == id && u.GetLogin() == me
}

func threadComment(u *gh.User, body, me string) review.ThreadComment {
	author := u.GetLogin()
	if author == "" {
		author = "unknown"
	}
	return review.ThreadComment{Author: author, Text: body, Bot: u.GetLogin() == me}
}
