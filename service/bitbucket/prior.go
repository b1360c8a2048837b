package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// IdentityError is returned when the bot's own account cannot be learned.
// Without it bitreview cannot tell its comments from a human's that copy
// its markers, so it refuses to edit anything rather than guess.
type IdentityError struct {
	Err  error
	Hint string
}

func (e *IdentityError) Error() string {
	return "identify the bot account (GET /user): " + e.Err.Error()
}

// Unwrap returns the API error.
func (e *IdentityError) Unwrap() error { return e.Err }

// earlierRuns is what earlier runs left on the pull request, as seen by
// the bot: its identity, every comment, its own live comments, its summary
// and what the summary records (the state and the verdict).
type earlierRuns struct {
	Me      string         // the bot's account UUID
	Summary *bbapi.Comment // our newest summary, nil on the first run
	review.Recorded
	all, mine []*bbapi.Comment
}

// Load identifies the bot (GET /user, once per publisher) and lists every
// comment of the pull request (all pages). Only comments whose author is
// the bot count as ours, whatever markers other comments carry.
func (p *publisher) Load(ctx context.Context) (*earlierRuns, error) {
	me, err := p.identity(ctx)
	if err != nil {
		return nil, err
	}
	all, err := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return priorOf(me, all), nil
}

// identity is the bot's account UUID: publishOptions.Me, or else GET /user, whose
// answer is kept for the publisher's later calls.
func (p *publisher) identity(ctx context.Context) (string, error) {
	if p.opts.Me != "" {
		return p.opts.Me, nil
	}
	me, _, err := p.api.CurrentUser(ctx)
	if err != nil {
		return "", identityError(err)
	}
	if me.UUID == "" {
		return "", &IdentityError{Err: errors.New("the account has no UUID"), Hint: "use a repository access token or an Atlassian API token"}
	}
	p.opts.Me = me.UUID
	return me.UUID, nil
}

// priorOf is the earlierRuns of a pull request whose comments (all of them) the
// caller has listed already, as the bot account me sees them.
func priorOf(me string, all []*bbapi.Comment) *earlierRuns {
	pr := &earlierRuns{Me: me, all: all, mine: ownComments(all, me)}
	pr.setSummary(newestSummary(pr.mine))
	return pr
}

// setSummary makes c (nil for none) the summary and reads what it
// records.
func (pr *earlierRuns) setSummary(c *bbapi.Comment) {
	pr.Summary, pr.Recorded = c, review.Recorded{}
	if c != nil {
		pr.Recorded = review.RecordedIn(c.Content.Raw)
	}
}

// added records a comment the bot has just written.
func (pr *earlierRuns) added(c *bbapi.Comment) {
	pr.all = append(pr.all, c)
	pr.mine = append(pr.mine, c)
}

// forget drops a comment of ours the bot has just deleted.
func (pr *earlierRuns) forget(id int) {
	pr.mine = slices.DeleteFunc(pr.mine, func(c *bbapi.Comment) bool { return c.ID == id })
}

func identityError(err error) error {
	ie := &IdentityError{Err: err}
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) && (er.StatusCode == http.StatusForbidden || er.StatusCode == http.StatusUnauthorized) {
		ie.Hint = "bitreview reads its own account once per run so that it only ever edits or deletes its own comments. " +
			"Give an Atlassian API token the read:user:bitbucket scope as well; a repository, project or workspace access token " +
			"normally answers GET /user with its own bot account (if yours does not, use an API token of a dedicated service account)"
		if er.StatusCode == http.StatusUnauthorized && er.Hint != "" {
			ie.Hint = er.Hint
		}
	} else if errors.As(err, &er) {
		ie.Hint = er.Hint
	}
	return ie
}

// Reviewed reports whether head is the commit whose review the summary
// records as complete.
func (pr *earlierRuns) Reviewed(head string) bool {
	return pr != nil && pr.HasState && review.SameCommit(pr.State.HeadCommit, head)
}

// headCommit picks the commit a report and the state are recorded on: the
// pipeline's full BITBUCKET_COMMIT when it is the pull request's source
// commit (whose hash the PR gives in short form), else the PR's own hash.
func headCommit(pipelineCommit, prSource string) string {
	if review.SameCommit(pipelineCommit, prSource) && len(pipelineCommit) > len(prSource) {
		return pipelineCommit
	}
	return prSource
}

// ownComments keeps the live comments written by the bot's account. A
// comment by anyone else is never ours, whatever markers it carries.
func ownComments(cs []*bbapi.Comment, me string) []*bbapi.Comment {
	var out []*bbapi.Comment
	for _, c := range cs {
		if c.Deleted || c.User == nil || me == "" || c.User.UUID != me {
			continue
		}
		out = append(out, c)
	}
	return out
}

func summaries(mine []*bbapi.Comment) []*bbapi.Comment {
	var out []*bbapi.Comment
	for _, c := range mine {
		if c.Inline == nil && c.Parent == nil && review.IsSummary(c.Content.Raw) {
			out = append(out, c)
		}
	}
	return out
}

func newestSummary(mine []*bbapi.Comment) *bbapi.Comment {
	var newest *bbapi.Comment
	for _, c := range summaries(mine) {
		if newest == nil || c.ID > newest.ID {
			newest = c
		}
	}
	return newest
}

// thread is one of our inline comments that carries a fingerprint.
type thread struct {
	c       *bbapi.Comment
	fp      string
	replies int // live replies, by anyone
}

// threads returns our top-level inline comments with a fingerprint, with
// their reply counts.
func (pr *earlierRuns) threads() []*thread {
	replies := map[int]int{}
	for _, c := range pr.all {
		if c.Parent != nil && !c.Deleted {
			replies[c.Parent.ID]++
		}
	}
	var out []*thread
	for _, c := range pr.mine {
		if c.Inline == nil || c.Parent != nil {
			continue
		}
		if fp, ok := review.FingerprintOf(c.Content.Raw); ok {
			out = append(out, &thread{c: c, fp: fp, replies: replies[c.ID]})
		}
	}
	return out
}

// Open returns the findings of our inline comments that are still open
// (not resolved), as earlier runs posted them.
func (pr *earlierRuns) Open() []review.Finding {
	var out []review.Finding
	for _, t := range pr.threads() {
		if t.c.Resolution != nil {
			continue
		}
		if f, ok := findingOf(t); ok {
			out = append(out, f)
		}
	}
	return out
}
