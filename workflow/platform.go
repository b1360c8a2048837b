// Package workflow is bitreview's one review flow, the same for every code
// host: read the pull request and the repository's configuration, decide
// whether to review (ignored, draft, paused, already reviewed), read the
// diff or only what is new since the last review, review it, publish the
// findings and the summary, report on the head commit, and map the outcome
// to the step's exit code. Chat commands ("@bitreview …") are the other
// entry.
//
// It talks to a host only through Platform. The adapters in
// service/bitbucket and service/github implement it; a third host (GitLab,
// Bitbucket Data Center) plugs in by implementing it too, with no change
// here. The package reads no environment and prints only through its Log.
package workflow

import (
	"context"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Platform is one pull request on one code host, for the length of one
// run. An adapter may keep what Load read for the later calls of the same
// run (the comments it will edit, the bot's identity).
type Platform interface {
	Source
	Publisher
	Conversation
}

// Source reads the pull request, its diff and its files.
type Source interface {
	// Describe names the pull request for the step log, such as
	// "acme/api pull request #7".
	Describe() string
	// PullRequest fetches the pull request's title, description,
	// branches and commits.
	PullRequest(ctx context.Context) (review.PullRequest, error)
	// Head is the commit a review of meta is recorded on: the full hash
	// when the host knows it.
	Head(meta review.PullRequest) string
	// BaseFiles reads files of the destination commit (the repository
	// configuration and its guidelines). It reads only regular files that
	// are tracked there: a symlink, a directory or a submodule is refused.
	BaseFiles(meta review.PullRequest) review.FileSource
	// Files reads files of commit for context (a symlink reads as its
	// target text, never followed).
	Files(commit string) review.FileSource
	// Diff reads the pull request's diff, at most maxBytes of it; the
	// files after the cut are in the diff as not read.
	Diff(ctx context.Context, maxBytes int64) (*diffparse.Diff, diffparse.Read, error)
	// Fix says what to do about an error this host answered (the scope or
	// permission to check), "" when it has no advice.
	Fix(err error) string
	// Increment plans the review of head after last, the last commit
	// whose review completed: incremental only when last is an ancestor
	// of head; then it reads the diff of the new commits (at most
	// maxBytes; diffparse.ErrTruncated when longer).
	Increment(ctx context.Context, last, head string, prDiff *diffparse.Diff, maxBytes int64) (Increment, error)
}

// Increment is the plan of a review after an earlier one. It is defined
// in review, so that an adapter implements Source without importing this
// package (adapters and workflow do not import each other).
type Increment = review.Increment

// Publisher writes a review on the pull request, finding again what
// earlier runs wrote by the bot's identity and hidden markers, so that
// nothing is posted twice.
type Publisher interface {
	// Load reads what earlier runs left. Publish, PublishSkipped and
	// SaveState work on top of what it read.
	Load(ctx context.Context) (*review.Prior, error)
	// Publish posts res: new inline comments within lim, stale ones
	// retired, the summary created or edited in place.
	Publish(ctx context.Context, res *review.Result, info review.SummaryInfo, st review.State, scope review.Scope, lim review.Limits) (*review.Outcome, error)
	// PublishSkipped posts or edits the summary to say why nothing was
	// reviewed, keeping the recorded state.
	PublishSkipped(ctx context.Context, reason string, info review.SummaryInfo) (*review.Outcome, error)
	// SaveState records st in the summary's hidden state, posting a
	// summary when there is none.
	SaveState(ctx context.Context, st review.State, info review.SummaryInfo) error
	// Report publishes the head commit's status report (Code Insights,
	// check run).
	Report(ctx context.Context, r review.Report) (*review.ReportOutcome, error)
}

// Conversation reads a comment and answers it.
type Conversation interface {
	// Message reads the comment id with its thread and anchor. (A host
	// with several kinds of comments learns which one from its adapter's
	// options, such as the event that started the run.)
	Message(ctx context.Context, id int64) (*review.Message, error)
	// Reply answers m in its thread (a review thread, or the
	// conversation).
	Reply(ctx context.Context, m *review.Message, body string) error
}

// DiffNoter is what a Source may implement besides: notes on how Diff
// read the diff that the summary and the step log should carry (GitHub
// refuses a diff over 300 files or 20,000 lines, and the adapter rebuilds
// it from the files endpoint, whose files without a patch are listed as
// skipped). The flow asks after Diff; a Source without it has none.
type DiffNoter interface {
	DiffNotes() []string
}

// TreeSource is what a Source may implement besides: the tracked files
// of a commit from a local clone of the repository (the pipeline's
// checkout, the action's workspace), for cross-file context. It reads the
// commit's blobs, never the working tree. An error means no clone holds
// the commit; the review then goes on without cross-file context and the
// summary says so.
type TreeSource interface {
	Tree(ctx context.Context, commit string) (review.Tree, error)
}
