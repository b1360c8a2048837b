package github

import (
	"context"
	"errors"
	"fmt"
	"github.com/bitreview/bitreview/service/checkout"
	"io"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// CommentKind says which kind of comment a Message id names; GitHub keeps
// the two kinds apart, with ids of their own.
type CommentKind int

// The kinds of pull request comments.
const (
	// IssueComment is a comment in the pull request's conversation (the
	// issue_comment event).
	IssueComment CommentKind = iota
	// ReviewComment is a comment in a review thread on the diff (the
	// pull_request_review_comment event).
	ReviewComment
)

// PlatformOptions tune a Platform; cmd sets them from the environment and
// the event.
type PlatformOptions struct {
	// DryRun, when non-nil, receives what would be written; nothing is.
	DryRun io.Writer
	// Login is the bot's login when known; "" asks GET /user.
	Login string
	// CloneDir is the workspace checkout (GITHUB_WORKSPACE): files under
	// review are read from its object database first. "" reads them
	// through the API only.
	CloneDir string
	// CheckRun publishes Report as the check run "bitreview".
	CheckRun bool
	// CommentKind is the kind of comment Message reads.
	CommentKind CommentKind
}

// Platform is one GitHub pull request for the length of one run: the
// workflow's Platform over go-github. It keeps what a run learns for the
// later calls (the head commit, the bot's login, the comments Load read).
// Its methods are called one at a time; the FileSources it returns may be
// read concurrently.
type Platform struct {
	api       API
	pr        PR
	opts      PlatformOptions
	pub       *publisher
	prior     *earlierRuns
	fromFiles bool
	// roots maps a review comment read by Message to its thread's first
	// comment, which a reply must name.
	roots map[int64]int64
}

// NewPlatform returns the Platform of pull request pr. It does no I/O.
func NewPlatform(api API, pr PR, opts PlatformOptions) *Platform {
	pub := &publisher{api: api, pr: pr, opts: publishOptions{DryRun: opts.DryRun, Login: opts.Login}}
	return &Platform{api: api, pr: pr, opts: opts, pub: pub, roots: map[int64]int64{}}
}

// Describe names the pull request for the step log.
func (p *Platform) Describe() string {
	return fmt.Sprintf("%s/%s pull request #%d", p.pr.Owner, p.pr.Repo, p.pr.Number)
}

// PullRequest fetches the pull request; its head commit is the one the
// review's comments are anchored on.
func (p *Platform) PullRequest(ctx context.Context) (review.PullRequest, error) {
	meta, err := fetchPullRequest(ctx, p.api.Pulls, p.pr)
	if err == nil {
		p.pub.opts.Head = meta.SourceCommit
	}
	return meta, err
}

// Fix says what to do about an error GitHub answered (hint).
func (p *Platform) Fix(err error) string { return hint(err) }

// Head is the pull request's head commit: GitHub names it in full.
func (p *Platform) Head(meta review.PullRequest) string { return meta.SourceCommit }

// BaseFiles reads regular files tracked at the base commit through the
// contents endpoint (contentFiles.ReadRegularFile): symlinks, whatever GitHub
// makes of them, submodules and directories are refused.
func (p *Platform) BaseFiles(meta review.PullRequest) review.FileSource {
	return regularFiles{newContentFiles(p.api.Repos, p.pr, meta.TargetCommit)}
}

type regularFiles struct{ f *contentFiles }

func (r regularFiles) ReadFile(ctx context.Context, path string) ([]byte, error) {
	return r.f.ReadRegularFile(ctx, path)
}

// Files reads files of commit for context: the blob the workspace clone
// tracks at commit first (never its working tree, which the pull request
// shapes), then the contents endpoint at the same commit. When the clone
// refuses a path (not tracked there, a submodule, under .git/), the API is
// not asked; when it lacks the commit, it is. A symlink reads as its
// target text either way.
func (p *Platform) Files(commit string) review.FileSource {
	return checkout.Files(p.opts.CloneDir, commit, newContentFiles(p.api.Repos, p.pr, commit), isNotRegular)
}

// Tree is the tracked files of commit in the clone (GITHUB_WORKSPACE), for
// cross-file context: its blobs, never its working tree. It is an error
// when there is no clone or the clone lacks the commit.
func (p *Platform) Tree(ctx context.Context, commit string) (review.Tree, error) {
	return checkout.Tree(ctx, p.opts.CloneDir, commit, "GITHUB_WORKSPACE")
}

// isNotRegular reports the API's refusal of a path (not a regular file),
// which ends a search for its contents.
func isNotRegular(err error) bool {
	var nr *NotRegularError
	return errors.As(err, &nr)
}

// Diff reads the pull request's diff, at most maxBytes of it (fetchDiff).
func (p *Platform) Diff(ctx context.Context, maxBytes int64) (*diffparse.Diff, diffparse.Read, error) {
	d, read, fromFiles, err := fetchDiff(ctx, p.api, p.pr, maxBytes)
	p.fromFiles = fromFiles
	return d, read, err
}

// DiffNotes says how the last Diff was read, for the summary and the log.
func (p *Platform) DiffNotes() []string {
	if !p.fromFiles {
		return nil
	}
	return []string{"GitHub refused the whole diff as too large; it was rebuilt from the files endpoint (files without a patch are listed as skipped)."}
}

// Increment plans the review of head after last (planReview) and reads
// the diff of the new commits (fetchIncrement; an error wrapping
// diffparse.ErrTruncated when it is longer than maxBytes).
func (p *Platform) Increment(ctx context.Context, last, head string, prDiff *diffparse.Diff, maxBytes int64) (review.Increment, error) {
	plan := planReview(ctx, p.api.Repos, p.pr, last, head)
	if !plan.Incremental {
		return review.Increment{FallbackReason: plan.FallbackReason}, nil
	}
	d, err := fetchIncrement(ctx, p.api.Raw, p.pr, plan.From, head, prDiff, maxBytes)
	if err != nil {
		return review.Increment{}, err
	}
	return review.Increment{Diff: d, From: plan.From}, nil
}
