package bitbucket

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// Message reads comment id with what an answer needs. Its thread is the
// thread's first comment (found through parent links) and that comment's
// replies, oldest first, without id itself and without deleted comments,
// bounded by review.TrimThread. For an inline thread it adds the anchor
// (to: the new side, from: the old side) and the hunk around it, from the
// pull request's diff, which is read only then (at most MaxDiffBytes; a
// diff that cannot be read leaves Hunk empty). Mine is true for the bot's
// own comment; Replied when a live comment of the bot's carries the reply
// marker for id. A comment that is gone (404) or deleted comes back
// Deleted. Root is the thread's first comment, in full, for a reply.
func (p *Platform) Message(ctx context.Context, id int64) (*review.Message, error) {
	me, err := p.pub.identity(ctx)
	if err != nil {
		return nil, err
	}
	c, _, err := p.api.GetPullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, int(id))
	switch {
	case isNotFound(err), err == nil && c.Deleted:
		return &review.Message{ID: id, Deleted: true}, nil
	case err != nil:
		return nil, fmt.Errorf("read comment %d: %w", id, err)
	}
	all, err := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	m := &review.Message{ID: id, Author: author(c.User), Body: c.Content.Raw, Mine: isAccount(c.User, me)}
	t := newThreads(all)
	root := t.root(c)
	for _, o := range t.sorted {
		if o.Deleted || o.ID == c.ID {
			continue
		}
		bot := isAccount(o.User, me)
		m.Replied = m.Replied || (bot && repliesTo(o, c.ID))
		if t.root(o).ID == root.ID {
			m.Thread = append(m.Thread, review.ThreadComment{Author: author(o.User), Text: o.Content.Raw, Bot: bot})
		}
	}
	m.Thread = review.TrimThread(m.Thread)
	if root.ID != c.ID {
		m.Root = &review.RootComment{ID: int64(root.ID), Body: root.Content.Raw, Bot: isAccount(root.User, me), URL: root.Links.HTML.Href}
	}
	if in := root.Inline; in != nil && in.Path != "" {
		m.Inline = anchorOf(in)
		m.Hunk = p.hunk(ctx, *m.Inline)
	}
	return m, nil
}

// Reply posts body, rendered by the caller (review.RenderReply or
// RenderFixedReply, whose marker names m.ID), as a reply to comment m.ID.
// A comment already answered (m.Replied) gets nothing more.
func (p *Platform) Reply(ctx context.Context, m *review.Message, body string) error {
	if m.Replied {
		return nil
	}
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would reply to comment %d ---\n%s\n", m.ID, body)
		return nil
	}
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}, Parent: &bbapi.Ref{ID: int(m.ID)}}
	if _, _, err := p.api.CreatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in); err != nil {
		return fmt.Errorf("reply to comment %d: %w", m.ID, err)
	}
	return nil
}

// maxThreadDepth bounds the parent links followed to a thread's first
// comment: a loop in them ends there.
const maxThreadDepth = 100

// threads finds the first comment of a comment's thread through parent
// links.
type threads struct {
	byID   map[int]*bbapi.Comment
	sorted []*bbapi.Comment // by id: oldest first
}

func newThreads(all []*bbapi.Comment) threads {
	t := threads{byID: make(map[int]*bbapi.Comment, len(all)), sorted: slices.Clone(all)}
	slices.SortFunc(t.sorted, func(a, b *bbapi.Comment) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range all {
		t.byID[c.ID] = c
	}
	return t
}

// root follows c's parent links to the comment that started its thread.
func (t threads) root(c *bbapi.Comment) *bbapi.Comment {
	for range maxThreadDepth {
		parent, ok := (*bbapi.Comment)(nil), false
		if c.Parent != nil {
			parent, ok = t.byID[c.Parent.ID]
		}
		if !ok {
			break
		}
		c = parent
	}
	return c
}

// hunk renders the hunk of the pull request's diff that holds a, or ""
// when the diff cannot be read or does not hold it.
func (p *Platform) hunk(ctx context.Context, a review.Anchor) string {
	d, _, err := fetchDiff(ctx, p.api, p.pr, p.opts.MaxDiffBytes)
	if err != nil {
		return ""
	}
	f := d.File(a.Path)
	if f == nil {
		return ""
	}
	h := f.HunkAt(a.Side, a.Line)
	var b strings.Builder
	if h == nil || h.Render(&b) != nil {
		return ""
	}
	return b.String()
}

// anchorOf is where an inline comment is: its new-side line, else its
// old-side line, else the whole file (line 0).
func anchorOf(in *bbapi.Inline) *review.Anchor {
	a := &review.Anchor{Path: in.Path, Side: inlineSide(in)}
	switch {
	case in.To != nil:
		a.Line = *in.To
	case in.From != nil:
		a.Line = *in.From
	}
	return a
}

// isAccount reports whether u is the account with UUID me.
func isAccount(u *bbapi.Account, me string) bool { return u != nil && me != "" && u.UUID == me }

// author names a comment's author as the thread shows it.
func author(u *bbapi.Account) string {
	if u == nil || u.DisplayName == "" {
		return "unknown"
	}
	return u.DisplayName
}

// repliesTo reports a comment that carries the reply marker for id.
func repliesTo(c *bbapi.Comment, id int) bool {
	to, ok := review.RepliesTo(c.Content.Raw)
	return ok && to == id
}
