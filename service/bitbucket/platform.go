package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"github.com/bitreview/bitreview/service/checkout"
	"io"
	"io/fs"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// API is what a Platform calls on a Bitbucket client (*bbapi.Client).
type API interface {
	PullRequestAPI
	DiffAPI
	CommitAPI
	FileAPI
	CommentAPI
	TaskAPI
	InsightsAPI
	GetPullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*bbapi.Comment, *bbapi.Response, error)
}

// PlatformOptions tune a Platform; cmd sets them from the environment.
type PlatformOptions struct {
	// DryRun, when non-nil, receives what would be written; nothing is.
	DryRun io.Writer
	// CloneDir is the pipeline's checkout (BITBUCKET_CLONE_DIR): files
	// under review are read from its object database first. "" reads them
	// through the API only.
	CloneDir string
	// PipelineCommit is the pipeline's commit (BITBUCKET_COMMIT), the full
	// hash of the pull request's head when the pipeline runs on it.
	PipelineCommit string
	// CodeInsights publishes Report as the Code Insights report
	// "bitreview"; off, Report does nothing.
	CodeInsights bool
	// Insights is the client reports go through: inside Pipelines it may
	// be one behind the auth proxy. nil uses the API client.
	Insights InsightsAPI
	// MaxDiffBytes caps the diff Message reads for the hunk around an
	// inline comment; 0 means no cap.
	MaxDiffBytes int64
}

// Platform is one Bitbucket Cloud pull request for the length of one run:
// the workflow's Platform over bbapi. It keeps what a run learns for the
// later calls (the pull request, the bot's account, the comments Load
// read). Its methods are called one at a time; the FileSources it returns
// may be read concurrently.
type Platform struct {
	api   API
	pr    PR
	opts  PlatformOptions
	pub   *publisher
	prior *earlierRuns
	meta  *review.PullRequest // what PullRequest read
}

// NewPlatform returns the Platform of pull request pr. It does no I/O.
func NewPlatform(api API, pr PR, opts PlatformOptions) *Platform {
	pub := &publisher{api: api, pr: pr, opts: publishOptions{DryRun: opts.DryRun, Limits: review.Limits{TasksAt: review.NoTasks}}}
	return &Platform{api: api, pr: pr, opts: opts, pub: pub}
}

// Describe names the pull request for the step log.
func (p *Platform) Describe() string {
	return fmt.Sprintf("%s/%s pull request #%d", p.pr.Workspace, p.pr.Repo, p.pr.ID)
}

// PullRequest fetches the pull request (fetchPullRequest). Bitbucket names
// its commits by their first 12 characters.
func (p *Platform) PullRequest(ctx context.Context) (review.PullRequest, error) {
	meta, err := fetchPullRequest(ctx, p.api, p.pr)
	if err == nil {
		p.meta = &meta
	}
	return meta, err
}

// Head is the commit a review of meta is recorded on (headCommit): the
// pipeline's full commit when it is the pull request's head, else the
// pull request's short hash.
func (p *Platform) Head(meta review.PullRequest) string {
	return headCommit(p.opts.PipelineCommit, meta.SourceCommit)
}

// BaseFiles reads regular files at the destination commit: each path is
// checked with ?format=meta first (CheckRegular), so a symlink, a
// submodule or a directory is refused (*NotRegularError) and whatever the
// src endpoint makes of a link is never read. A missing file wraps
// fs.ErrNotExist.
func (p *Platform) BaseFiles(meta review.PullRequest) review.FileSource {
	return apiFiles{f: newSrcFiles(p.api, p.pr, meta.TargetCommit), regular: true}
}

// Files reads files of commit for context: the blob the clone tracks at
// commit first (never its working tree, which the pull request shapes),
// then the src endpoint at the same commit. When the clone refuses a path
// (not tracked there, a submodule, under .git/), the API is not asked;
// when it lacks the commit (a short hash, a shallow clone), it is. A
// symlink reads as its target text either way.
func (p *Platform) Files(commit string) review.FileSource {
	return checkout.Files(p.opts.CloneDir, commit, apiFiles{f: newSrcFiles(p.api, p.pr, commit)}, isNotRegular)
}

// Tree is the tracked files of commit in the clone (BITBUCKET_CLONE_DIR), for
// cross-file context: its blobs, never its working tree. It is an error
// when there is no clone or the clone lacks the commit.
func (p *Platform) Tree(ctx context.Context, commit string) (review.Tree, error) {
	return checkout.Tree(ctx, p.opts.CloneDir, commit, "BITBUCKET_CLONE_DIR")
}

// isNotRegular reports the API's refusal of a path (not a regular file),
// which ends a search for its contents.
func isNotRegular(err error) bool {
	var nr *NotRegularError
	return errors.As(err, &nr)
}

// apiFiles reads through the src endpoint; regular refuses anything but
// a regular file first. A 404 wraps fs.ErrNotExist (and the API error).
type apiFiles struct {
	f       *srcFiles
	regular bool
}

func (a apiFiles) ReadFile(ctx context.Context, path string) ([]byte, error) {
	var err error
	if a.regular {
		err = a.f.CheckRegular(ctx, path)
	}
	var data []byte
	if err == nil {
		data, err = a.f.ReadFile(ctx, path)
	}
	if isNotFound(err) {
		return nil, fmt.Errorf("%s: %w (%w)", path, fs.ErrNotExist, err)
	}
	return data, err
}

// Diff reads the pull request's diff, at most maxBytes of it (fetchDiff:
// the files after the cut are named from the diffstat). An error wrapping
// review.ErrDiffTooLarge means Bitbucket could not compute it (555).
func (p *Platform) Diff(ctx context.Context, maxBytes int64) (*diffparse.Diff, diffparse.Read, error) {
	d, read, err := fetchDiff(ctx, p.api, p.pr, maxBytes)
	if errors.Is(err, bbapi.ErrDiffTooLarge) {
		err = fmt.Errorf("%w: %w", review.ErrDiffTooLarge, err)
	}
	return d, read, err
}

// Fix says what to do about an error Bitbucket answered: the scope or
// permission to check, how to identify the bot, how to shrink a diff.
func (p *Platform) Fix(err error) string {
	var ie *IdentityError
	var er *bbapi.ErrorResponse
	switch {
	case errors.As(err, &ie) && ie.Hint != "":
		return ie.Hint
	case errors.As(err, &er) && er.Hint != "":
		return er.Hint
	case errors.Is(err, bbapi.ErrDiffTooLarge):
		return "Bitbucket answered 555: the diff is too large to compute; narrow it with PATH_FILTERS or split the pull request"
	}
	return ""
}

// Increment plans the review of head after last (planReview: incremental
// only when Bitbucket confirms last is an ancestor of head) and reads the
// diff of the new commits, keeping the pull request's files
// (fetchIncrement; an error wrapping diffparse.ErrTruncated when it is
// longer than maxBytes).
func (p *Platform) Increment(ctx context.Context, last, head string, prDiff *diffparse.Diff, maxBytes int64) (review.Increment, error) {
	plan := planReview(ctx, p.api, p.pr, last, head)
	if !plan.Incremental {
		return review.Increment{FallbackReason: plan.FallbackReason}, nil
	}
	raw, err := fetchIncrement(ctx, p.api, p.pr, head, plan.From, prDiff, maxBytes)
	if err != nil {
		return review.Increment{}, err
	}
	d, err := diffparse.Parse(raw)
	if err != nil {
		return review.Increment{}, fmt.Errorf("parse increment: %w", err)
	}
	return review.Increment{Diff: d, From: plan.From}, nil
}
