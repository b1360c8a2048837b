package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

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

// Prior is what earlier runs left on the pull request, as seen by the bot:
// its identity, every comment, its own live comments, its summary and the
// state and verdict recorded there.
type Prior struct {
	Me       string // the bot's account UUID
	all      []*bbapi.Comment
	mine     []*bbapi.Comment
	Summary  *bbapi.Comment // our newest summary, nil on the first run
	State    review.State
	HasState bool
	Verdict  review.Verdict
	// HasVerdict is false for summaries written before verdicts were
	// recorded, and for skipped runs.
	HasVerdict bool
}

// Load identifies the bot (GET /user, once per run) and lists every
// comment of the pull request (all pages). Only comments whose author is
// the bot count as ours, whatever markers other comments carry.
func (p *Publisher) Load(ctx context.Context) (*Prior, error) {
	me, _, err := p.api.CurrentUser(ctx)
	if err != nil {
		return nil, identityError(err)
	}
	if me.UUID == "" {
		return nil, &IdentityError{Err: errors.New("the account has no UUID"), Hint: "use a repository access token or an Atlassian API token"}
	}
	all, err := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return PriorOf(me.UUID, all), nil
}

// PriorOf is the Prior of a pull request whose comments (all of them) the
// caller has listed already, as the bot account me sees them.
func PriorOf(me string, all []*bbapi.Comment) *Prior {
	pr := &Prior{Me: me, all: all, mine: ownComments(all, me)}
	pr.Summary = newestSummary(pr.mine)
	if pr.Summary != nil {
		pr.State, pr.HasState = review.ParseState(pr.Summary.Content.Raw)
		pr.Verdict, pr.HasVerdict = review.ParseVerdict(pr.Summary.Content.Raw)
	}
	return pr
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
func (pr *Prior) Reviewed(head string) bool {
	return pr != nil && pr.HasState && SameCommit(pr.State.HeadCommit, head)
}

// SameCommit reports whether two hashes name the same commit: equal, or one
// a prefix of the other with at least 7 characters (Bitbucket puts 12-hex
// hashes in pull requests and full ones elsewhere).
func SameCommit(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 7 && strings.HasPrefix(b, a)
}

// HeadCommit picks the commit a report and the state are recorded on: the
// pipeline's full BITBUCKET_COMMIT when it is the pull request's source
// commit (whose hash the PR gives in short form), else the PR's own hash.
func HeadCommit(pipelineCommit, prSource string) string {
	if SameCommit(pipelineCommit, prSource) && len(pipelineCommit) > len(prSource) {
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
func (pr *Prior) threads() []*thread {
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
func (pr *Prior) Open() []review.Finding {
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
