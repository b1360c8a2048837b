package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/bitreview/bitreview/command"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// Answer acts on the "@bitreview …" comment id, as the one command parser
// read it (cmd): help, pause, create issue and a question are replies; review, full
// review, summary and resume run a review. A comment is acted on at most
// once, however often its run is started (a relay restart forgets what it
// started, a job is re-run): commands that reply are recognised by
// bitreview's reply, which names the comment it answers; commands that
// review by the comment's id in the summary's hidden state.
func Answer(ctx context.Context, p Platform, s settings.Settings, d Deps, id int64, cmd command.Command) (out Outcome) {
	defer recoverRun(&out, d.Log, s)
	a := &answer{run: run{p: p, s: s, d: d, log: d.Log}, id: id, cmd: cmd}
	out = a.answer(ctx)
	if !out.Reviewed { // a reply: the settings as given decide the exit code
		out.settings = a.s
	}
	return out
}

type answer struct {
	run
	id  int64
	cmd command.Command
	m   *review.Message
}

func (a *answer) answer(ctx context.Context) Outcome {
	log := a.log
	log.Info("bitreview %s answering comment %d on %s (command %q)", a.d.Version, a.id, a.p.Describe(), a.cmd)
	t := time.Now()
	m, err := a.p.Message(ctx, a.id)
	if err != nil {
		return Outcome{Err: a.stage("read comment", err)}
	}
	a.m = m
	log.OK(t, "Comment %d read", a.id)
	switch {
	case m.Mine:
		log.Info("Comment %d is bitreview's own: not answered (no loops)", a.id)
		return Outcome{}
	case m.Deleted:
		log.Info("Comment %d was deleted: nothing to answer", a.id)
		return Outcome{}
	}
	prior, err := a.p.Load(ctx)
	if err != nil {
		return Outcome{Err: a.stage("read earlier reviews", err)}
	}
	if a.handled(prior) {
		return Outcome{Verdict: prior.CurrentVerdict(), Reviewed: reviews(a.cmd), settings: a.s}
	}
	switch a.cmd {
	case command.Help:
		return Outcome{Err: a.reply(ctx, review.RenderFixedReply(review.ChatHelp, int(a.id)))}
	case command.Pause:
		return Outcome{Err: a.pause(ctx, prior, true)}
	case command.CreateIssue:
		return Outcome{Err: a.createIssue(ctx, prior)}
	case command.Resume:
		if err := a.pause(ctx, prior, false); err != nil {
			return Outcome{Err: err}
		}
	case command.Review, command.FullReview, command.Summary:
		if err := a.markHandled(ctx, prior); err != nil {
			return Outcome{Err: err}
		}
	default:
		return Outcome{Err: a.ask(ctx)}
	}
	// review, full review, summary and resume run the review flow, as an
	// explicit request (it goes ahead while paused). summary brings the
	// summary up to date: an incremental review of what is new.
	a.s.ChatCommand = string(a.cmd)
	return Run(ctx, a.p, a.s, a.d)
}

// reviews reports whether a command runs a review (its verdict and FAIL_ON
// apply to the exit code).
func reviews(c command.Command) bool {
	switch c {
	case command.Review, command.FullReview, command.Summary, command.Resume:
		return true
	}
	return false
}

// handled reports (and logs) whether an earlier run acted on the comment.
func (a *answer) handled(prior *review.Prior) bool {
	switch {
	case prior.State.HasHandled(int(a.id)):
		a.log.Info("Comment %d is recorded in the summary: comment %d was already handled, nothing to do", a.id, a.id)
	case a.m.Replied:
		a.log.Info("Comment %d already has bitreview's reply: comment %d was already handled, no model call, nothing posted", a.id, a.id)
	default:
		return false
	}
	return true
}

// reply posts body as bitreview's answer to the comment.
func (a *answer) reply(ctx context.Context, body string) error {
	t := time.Now()
	if err := a.p.Reply(ctx, a.m, body); err != nil {
		return a.stage("post reply", err)
	}
	if !a.s.DryRun {
		a.log.OK(t, "Replied to comment %d", a.id)
	}
	return nil
}

// markHandled records the comment in the summary's state before the
// review runs, so a replayed trigger finds it there.
func (a *answer) markHandled(ctx context.Context, prior *review.Prior) error {
	st := prior.State
	st.AddHandled(int(a.id))
	if err := a.p.SaveState(ctx, st, review.SummaryInfo{Version: a.d.Version}); err != nil {
		return a.stage("record the command in the summary", err)
	}
	a.log.Info("Comment %d recorded as handled in the summary", a.id)
	return nil
}

// pause records the pause flag (and the comment) in the summary's state;
// a pause is confirmed by a reply.
func (a *answer) pause(ctx context.Context, prior *review.Prior, paused bool) error {
	t := time.Now()
	word := map[bool]string{true: "paused", false: "resumed"}[paused]
	st := prior.State
	st.Paused = paused
	st.AddHandled(int(a.id))
	if err := a.p.SaveState(ctx, st, review.SummaryInfo{Version: a.d.Version}); err != nil {
		return a.stage("update summary", err)
	}
	a.log.OK(t, "Automatic reviews %s (recorded in the summary comment)", word)
	if !paused {
		return nil
	}
	return a.reply(ctx, review.RenderFixedReply("Automatic reviews are paused on this pull request. Comment `@bitreview resume` to restart them.", int(a.id)))
}

// ask answers a question with one model call, with the thread and the hunk
// it is attached to; every prompt goes through the secret scanner.
func (a *answer) ask(ctx context.Context) error {
	mention, ok := a.d.Commands.Parse(a.m.Body)
	if !ok || mention.Command != command.Ask {
		a.log.Info("Comment %d no longer asks bitreview a question: nothing to answer", a.id)
		return nil
	}
	q := review.Question{Language: a.s.ReviewLanguage, Text: mention.Question, Thread: a.m.Thread, Hunk: a.m.Hunk}
	if in := a.m.Inline; in != nil {
		q.Path, q.Line = in.Path, in.Line
	}
	if meta, err := a.p.PullRequest(ctx); err == nil {
		q.Title = meta.Title
	}
	model, err := a.d.Model(a.s)
	if err != nil {
		return &ConfigError{Err: err}
	}
	sc, err := a.d.Secrets()
	if err != nil {
		return err
	}
	if ts, ok := sc.(review.TextScanner); ok {
		model = review.RedactingModel(model, ts, nil)
	}
	t := time.Now()
	resp, err := model.Generate(ctx, review.QuestionRequest(q))
	if err != nil {
		a.log.Fail("The model did not answer: %v (nothing posted)", err)
		return fmt.Errorf("answer the question: %w", err)
	}
	text, err := review.ParseQuestionAnswer(resp.Text)
	if err != nil {
		a.log.Fail("The model's reply was empty or unusable (nothing posted)")
		return fmt.Errorf("answer the question: %w", err)
	}
	a.log.OK(t, "Answered with %s: %d prompt + %d completion tokens", orDefault(resp.Model), resp.PromptTokens, resp.CompletionTokens)
	return a.reply(ctx, review.RenderReply(text, int(a.id)))
}
