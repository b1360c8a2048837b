package bitbucket

import (
	"context"
	"fmt"

	"github.com/bitreview/bitreview/review"
)

// Report publishes r as the Code Insights report "bitreview" on r.Commit,
// or on the head (Head) when it is "", reading the pull request when the
// flow has not (Insights.Publish: FAILED when the step fails, PENDING when
// the review is incomplete, PASSED otherwise; a finding is placed on a
// file only where the diff has it). It goes through PlatformOptions.Insights
// when set (the Pipelines auth proxy). With Code Insights off it does
// nothing and returns nil, nil. An error leaves the review on the pull
// request: the flow logs it as a warning.
func (p *Platform) Report(ctx context.Context, r review.Report) (*review.ReportOutcome, error) {
	if !p.opts.CodeInsights {
		return nil, nil
	}
	if r.Commit == "" {
		if p.meta == nil {
			if _, err := p.PullRequest(ctx); err != nil {
				return nil, fmt.Errorf("fetch pull request: %w", err)
			}
		}
		r.Commit = p.Head(*p.meta)
	}
	var api InsightsAPI = p.api
	if p.opts.Insights != nil {
		api = p.opts.Insights
	}
	out, err := NewInsights(api, p.pr.Workspace, p.pr.Repo, p.opts.DryRun).Publish(ctx, r)
	return &review.ReportOutcome{Kind: "Code Insights report", Name: reportID, Result: out.Result, Placed: out.Placed, Overflow: out.Overflow, Requests: out.Requests}, err
}
