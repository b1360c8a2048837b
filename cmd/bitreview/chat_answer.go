package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	"github.com/bitreview/bitreview/settings"
)

// Bounds on what a question sends to the model: the newest thread
// comments, each cut, so a long thread cannot blow the budget.
const (
	maxThreadComments = 20
	maxThreadChars    = 2000
)

// answer replies to a question with the model's answer, or posts nothing.
func (c *chatRun) answer(ctx context.Context) error {
	log := c.log
	q := review.Question{Language: c.cfg.ReviewLanguage, Text: questionText(c.comment.Content.Raw)}
	root := threadRoot(c.comment, c.comments)
	q.Thread = c.thread(root)
	if meta, err := bbservice.FetchPullRequest(ctx, c.client, c.pr); err == nil {
		q.Title = meta.Title
	}
	var d *diffparse.Diff
	if in := root.Inline; in != nil && in.Path != "" {
		q.Path = in.Path
		t := time.Now()
		var err error
		d, _, err = bbservice.FetchDiff(ctx, c.client, c.pr, int64(c.cfg.MaxDiffBytes))
		if err != nil {
			log.warn("The diff could not be read (%v): answering without the code around the comment", err)
		} else {
			q.Line, q.Hunk = hunkAround(d, in)
			log.ok(t, "Code around %s line %d read", q.Path, q.Line)
		}
	}
	req := review.QuestionRequest(q)
	n, err := redactRequest(&req, d, q)
	if err != nil {
		return err
	}
	if n > 0 {
		log.warn("%d possible secret(s) in the thread or the code were redacted before the model call", n)
	}
	model, err := newModel(c.cfg)
	if err != nil {
		return &configProblem{err}
	}
	sc, err := redact.New()
	if err != nil {
		return err
	}
	t := time.Now()
	// The title and anything else in the prompt are scanned as it leaves.
	resp, err := review.RedactingModel(model, sc, nil).Generate(ctx, req)
	if err != nil {
		log.fail("The model did not answer: %v (nothing posted)", err)
		return fmt.Errorf("answer the question: %w", err)
	}
	text, err := review.ParseQuestionAnswer(resp.Text)
	if err != nil {
		log.fail("The model's reply was empty or unusable (nothing posted)")
		return fmt.Errorf("answer the question: %w", err)
	}
	log.ok(t, "Answered with %s: %d prompt + %d completion tokens", orDefault(resp.Model), resp.PromptTokens, resp.CompletionTokens)
	return c.replyOnce(ctx, review.RenderReply(text, c.commentID))
}

// questionText is the comment without its "@bitreview" mention, as the
// shared parser reads it (the whole comment when it reads no question
// there: the relay may have matched the account form "@{id}"); the
// question is always re-read from Bitbucket, never taken from the command
// variable.
func questionText(raw string) string {
	if m, ok := settings.CommandParser().Parse(raw); ok && m.Command == command.Ask {
		return m.Question
	}
	return strings.TrimSpace(raw)
}

// threadRoot follows parent links to the comment that started the thread.
func threadRoot(c *bbapi.Comment, all []*bbapi.Comment) *bbapi.Comment {
	byID := make(map[int]*bbapi.Comment, len(all))
	for _, o := range all {
		byID[o.ID] = o
	}
	for i := 0; c.Parent != nil && i < 100; i++ {
		p, ok := byID[c.Parent.ID]
		if !ok {
			break
		}
		c = p
	}
	return c
}

// thread lists the root and its replies, oldest first, without the
// question itself and without deleted comments, the newest ones kept.
func (c *chatRun) thread(root *bbapi.Comment) []review.ThreadComment {
	var in []*bbapi.Comment
	for _, o := range c.comments {
		if o.ID != c.commentID && !o.Deleted && threadRoot(o, c.comments).ID == root.ID {
			in = append(in, o)
		}
	}
	if root.ID != c.commentID && !containsID(in, root.ID) && !root.Deleted {
		in = append(in, root)
	}
	sort.Slice(in, func(i, j int) bool { return in[i].ID < in[j].ID })
	if len(in) > maxThreadComments {
		in = in[len(in)-maxThreadComments:]
	}
	out := make([]review.ThreadComment, 0, len(in))
	for _, o := range in {
		author := "unknown"
		if o.User != nil && o.User.DisplayName != "" {
			author = o.User.DisplayName
		}
		text := o.Content.Raw
		if r := []rune(text); len(r) > maxThreadChars {
			text = string(r[:maxThreadChars]) + " [cut]"
		}
		out = append(out, review.ThreadComment{Author: author, Text: text, Bot: o.User != nil && o.User.UUID == c.me})
	}
	return out
}

func containsID(cs []*bbapi.Comment, id int) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

// hunkAround renders the hunk of the diff holding an inline anchor.
func hunkAround(d *diffparse.Diff, in *bbapi.Inline) (int, string) {
	f := d.File(in.Path)
	side, line := diffparse.New, 0
	switch {
	case in.To != nil:
		line = *in.To
	case in.From != nil:
		side, line = diffparse.Old, *in.From
	}
	if f == nil || line == 0 {
		return line, ""
	}
	h := f.HunkAt(side, line)
	if h == nil {
		return line, ""
	}
	var b strings.Builder
	if h.Render(&b) != nil {
		return line, ""
	}
	return line, b.String()
}

// redactRequest replaces every secret the scanner finds in the diff, the
// thread and the question with a placeholder before the prompt leaves.
func redactRequest(req *review.Request, d *diffparse.Diff, q review.Question) (int, error) {
	sc, err := redact.New()
	if err != nil {
		return 0, err
	}
	var found []review.Secret
	if d != nil {
		found = sc.Scan(d)
	}
	found = append(found, sc.ScanText("hunk", q.Hunk)...)
	found = append(found, sc.ScanText("question", q.Text)...)
	for _, t := range q.Thread {
		found = append(found, sc.ScanText("thread", t.Text)...)
	}
	n := 0
	for _, s := range found {
		if s.Value != "" && strings.Contains(req.Prompt, s.Value) {
			req.Prompt = strings.ReplaceAll(req.Prompt, s.Value, "[REDACTED]")
			n++
		}
	}
	return n, nil
}
