package bitbucket

import (
	"context"
	"fmt"

	"github.com/bitreview/bitreview/review"
)

// Load identifies the bot and reads what earlier runs left (publisher.Load),
// keeping it for Publish, PublishSkipped and SaveState.
func (p *Platform) Load(ctx context.Context) (*review.Prior, error) {
	p.prior = nil
	prior, err := p.loaded(ctx)
	if err != nil {
		return nil, err
	}
	return prior.Recorded.Prior(prior.Me, prior.Summary != nil, prior.Open()), nil
}

// loaded returns what Load read, reading it first when the flow has not.
func (p *Platform) loaded(ctx context.Context) (*earlierRuns, error) {
	if p.prior != nil {
		return p.prior, nil
	}
	prior, err := p.pub.Load(ctx)
	p.prior = prior // nil after an error: the next call reads again
	return prior, err
}

// Publish posts res (publisher.Publish: stale comments deleted or
// resolved, new ones within lim's MaxComments, tasks at lim's TasksAt, the
// summary). Bitbucket
// anchors inline comments on the pull request's diff, not on a commit, so
// Publish needs nothing PullRequest reads.
func (p *Platform) Publish(ctx context.Context, res *review.Result, info review.SummaryInfo, st review.State, scope review.Scope, lim review.Limits) (*review.Outcome, error) {
	prior, err := p.loaded(ctx)
	if err != nil {
		return &review.Outcome{}, err
	}
	p.pub.opts.Limits = lim
	out, err := p.pub.Publish(ctx, prior, res, info, st, scope)
	return out, err
}

// PublishSkipped posts or edits the summary to say why nothing was
// reviewed, keeping the recorded state.
func (p *Platform) PublishSkipped(ctx context.Context, reason string, info review.SummaryInfo) (*review.Outcome, error) {
	prior, err := p.loaded(ctx)
	if err != nil {
		return &review.Outcome{}, err
	}
	out, err := p.pub.PublishSkipped(ctx, prior, reason, info)
	return out, err
}

// SaveState records st (the pause flag, the command comments acted on) in
// the summary's hidden state, editing it in place (review.WithState), or
// posts a summary that says why nothing was reviewed when there is none
// (review.RenderStateSummary). A dry run prints it instead.
func (p *Platform) SaveState(ctx context.Context, st review.State, info review.SummaryInfo) error {
	prior, err := p.loaded(ctx)
	if err != nil {
		return err
	}
	body := review.RenderStateSummary(st, info)
	if prior.Summary != nil {
		body, _ = review.WithState(prior.Summary.Content.Raw, st)
	}
	if err := p.pub.upsertSummary(ctx, prior, body, &review.Outcome{}); err != nil {
		return fmt.Errorf("post summary: %w", err)
	}
	return nil
}
