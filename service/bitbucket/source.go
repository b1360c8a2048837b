package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// PullRequestAPI is what reading a pull request needs.
type PullRequestAPI interface {
	GetPullRequest(ctx context.Context, workspace, repo string, id int) (*bbapi.PullRequest, *bbapi.Response, error)
}

// DiffAPI is what reading a pull request's diff needs.
type DiffAPI interface {
	GetPullRequestDiff(ctx context.Context, workspace, repo string, id int, w io.Writer) (*bbapi.Response, error)
	ListPullRequestDiffStat(ctx context.Context, workspace, repo string, id int) ([]*bbapi.DiffStat, error)
}

// fetchPullRequest reads the PR's metadata.
func fetchPullRequest(ctx context.Context, api PullRequestAPI, pr PR) (review.PullRequest, error) {
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

// fetchDiff reads the PR's diff (Bitbucket answers with a redirect to the
// three-dot diff between source and merge base), parsing it as it
// arrives. It reads at most limit bytes (no limit when limit ≤ 0): a
// longer diff keeps the files complete within the limit, the download
// stops there, and read.Cut is true. The files after the cut are then named
// from the diffstat and added to the diff as NotRead files, so that they
// stay part of the pull request (their earlier comments are not stale) and
// are listed as not reviewed; if the diffstat fails, read.ListErr says why.
func fetchDiff(ctx context.Context, api DiffAPI, pr PR, limit int64) (d *diffparse.Diff, read diffparse.Read, err error) {
	d, read, err = diffparse.ParseFrom(func(w io.Writer) error {
		_, err := api.GetPullRequestDiff(ctx, pr.Workspace, pr.Repo, pr.ID, w)
		return err
	}, diffparse.ReadOptions{MaxBytes: limit})
	var pe *diffparse.ParseError
	switch {
	case errors.As(err, &pe):
		return nil, read, fmt.Errorf("parse: %w", err)
	case err != nil || !read.Cut:
		return d, read, err
	}
	stats, err := api.ListPullRequestDiffStat(ctx, pr.Workspace, pr.Repo, pr.ID)
	if err != nil {
		read.ListErr = fmt.Errorf("list the pull request's files: %w", err)
		return d, read, nil
	}
	return diffparse.NewDiff(append(d.Files, notRead(d, stats)...)), read, nil
}

// notRead returns a NotRead file for each diffstat entry that d lacks.
func notRead(d *diffparse.Diff, stats []*bbapi.DiffStat) []*diffparse.File {
	listed := make([]review.ListedFile, 0, len(stats))
	for _, st := range stats {
		l := review.ListedFile{Status: st.Status}
		if st.Old != nil {
			l.OldPath = st.Old.Path
		}
		if st.New != nil {
			l.NewPath = st.New.Path
		}
		listed = append(listed, l)
	}
	return review.NotRead(d, listed)
}
