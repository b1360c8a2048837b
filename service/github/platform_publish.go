package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/review"
)

// Load identifies the bot and reads what earlier runs left (publisher.Load),
// keeping it for Publish, PublishSkipped and SaveState.
func (p *Platform) Load(ctx context.Context) (*review.Prior, error) {
	prior, err := p.pub.Load(ctx)
	if err != nil {
		return nil, err
	}
	p.prior, p.pub.opts.Login = prior, prior.Me
	return &review.Prior{
		Me: prior.Me, HasSummary: prior.Summary != nil,
		State: prior.State, HasState: prior.HasState,
		Verdict: prior.Verdict, HasVerdict: prior.HasVerdict,
		Open: prior.Open(),
	}, nil
}

// loaded returns what Load read, loading it first when the flow has not.
func (p *Platform) loaded(ctx context.Context) (*earlierRuns, error) {
	if p.prior == nil {
		if _, err := p.Load(ctx); err != nil {
			return nil, err
		}
	}
	return p.prior, nil
}

// Publish posts res (publisher.Publish, within lim's MaxComments) on the
// head commit PullRequest read, or reads it first.
func (p *Platform) Publish(ctx context.Context, res *review.Result, info review.SummaryInfo, st review.State, scope review.Scope, lim review.Limits) (*review.Outcome, error) {
	prior, err := p.loaded(ctx)
	if err != nil {
		return &review.Outcome{}, err
	}
	p.pub.opts.Limits = lim
	if p.pub.opts.Head == "" {
		if _, err := p.PullRequest(ctx); err != nil {
			return &review.Outcome{}, err
		}
	}
	return p.pub.Publish(ctx, prior, res, info, st, scope)
}

// PublishSkipped posts or edits the summary to say why nothing was
// reviewed, keeping the recorded state.
func (p *Platform) PublishSkipped(ctx context.Context, reason string, info review.SummaryInfo) (*review.Outcome, error) {
	prior, err := p.loaded(ctx)
	if err != nil {
		return &review.Outcome{}, err
	}
	return p.pub.PublishSkipped(ctx, prior, reason, info)
}

// SaveState records st (the pause flag, the command comments acted on) in
// the summary's hidden state, editing it in place (review.WithState), or
// posts a summary that says why nothing was reviewed when there is none.
func (p *Platform) SaveState(ctx context.Context, st review.State, info review.SummaryInfo) error {
	prior, err := p.loaded(ctx)
	if err != nil {
		return err
	}
	out := &review.Outcome{}
	body := review.RenderStateSummary(st, info)
	if prior.Summary != nil {
		body, _ = review.WithState(prior.Summary.GetBody(), st)
	}
	if err := p.pub.upsertSummary(ctx, prior, body, out); err != nil {
		return fmt.Errorf("post summary: %w", err)
	}
	return nil
}

// ghComment is an issue comment to post.
func ghComment(body string) *gh.IssueComment { return &gh.IssueComment{Body: gh.String(body)} }
