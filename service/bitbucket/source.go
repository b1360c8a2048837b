package bitbucket

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// PullRequestAPI is what reading a pull request needs.
type PullRequestAPI interface {
	GetPullRequest(ctx context.Context, workspace, repo string, id int) (*bbapi.PullRequest, *bbapi.Response, error)
	GetPullRequestDiff(ctx context.Context, workspace, repo string, id int, w io.Writer) (*bbapi.Response, error)
}

// FetchPullRequest reads the PR's metadata.
func FetchPullRequest(ctx context.Context, api PullRequestAPI, pr PR) (review.PullRequest, error) {
	p, _, err := api.GetPullRequest(ctx, pr.Workspace, pr.Repo, pr.ID)
	if err != nil {
		return review.PullRequest{}, err // the caller names the stage
	}
	desc := p.Description
	if desc == "" {
		desc = p.Summary.Raw
	}
	return review.PullRequest{
		ID: p.ID, Title: p.Title, Description: desc, Author: p.Author.DisplayName,
		SourceBranch: p.Source.Branch.Name, TargetBranch: p.Destination.Branch.Name,
		SourceCommit: p.Source.Commit.Hash, TargetCommit: p.Destination.Commit.Hash,
		Draft: p.Draft,
	}, nil
}

// FetchDiff reads the PR's diff (Bitbucket answers with a redirect to the
// three-dot diff between source and merge base).
func FetchDiff(ctx context.Context, api PullRequestAPI, pr PR) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := api.GetPullRequestDiff(ctx, pr.Workspace, pr.Repo, pr.ID, &buf); err != nil {
		return nil, fmt.Errorf("fetch diff: %w", err)
	}
	return buf.Bytes(), nil
}
