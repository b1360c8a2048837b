package github

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// actionsBot is the author GitHub gives everything written with a
// workflow's GITHUB_TOKEN, which may not read GET /user.
const actionsBot = "github-actions[bot]"

// earlierRuns is what earlier runs left on the pull request, as seen by
// the bot.
type earlierRuns struct {
	Me         string // the bot's login
	review     []*gh.PullRequestComment
	mine       []*gh.PullRequestComment
	issue      []*gh.IssueComment // ours only
	Summary    *gh.IssueComment   // our newest summary, nil on the first run
	State      review.State
	HasState   bool
	Verdict    review.Verdict
	HasVerdict bool
}

// Load identifies the bot and lists every review comment and issue comment
// of the pull request (all pages). An installation token (GITHUB_TOKEN)
// answers GET /user with 403 "Resource not accessible by integration"; its
// comments are written by github-actions[bot], so that login is ours.
func (p *publisher) Load(ctx context.Context) (*earlierRuns, error) {
	me, err := p.identity(ctx)
	if err != nil {
		return nil, err
	}
	pr := &earlierRuns{Me: me}
	if pr.review, err = listReviewComments(ctx, p.api.Pulls, p.pr); err != nil {
		return nil, err
	}
	all, err := listIssueComments(ctx, p.api.Issues, p.pr)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.GetUser().GetLogin() == me {
			pr.issue = append(pr.issue, c)
		}
	}
	for _, c := range pr.review {
		if c.GetUser().GetLogin() == me {
			pr.mine = append(pr.mine, c)
		}
	}
	var newest *gh.IssueComment
	for _, c := range pr.summaries() {
		if newest == nil || c.GetID() > newest.GetID() {
			newest = c
		}
	}
	pr.setSummary(newest)
	return pr, nil
}

// setSummary makes c (nil for none) the summary and reads its state and
// verdict.
func (pr *earlierRuns) setSummary(c *gh.IssueComment) {
	pr.Summary = c
	pr.State, pr.HasState = review.ParseState(c.GetBody())
	pr.Verdict, pr.HasVerdict = review.ParseVerdict(c.GetBody())
}

// listIssueComments lists the conversation, all pages, oldest first.
func listIssueComments(ctx context.Context, api IssuesAPI, pr PR) ([]*gh.IssueComment, error) {
	all, err := listAll(func(lo gh.ListOptions) ([]*gh.IssueComment, *gh.Response, error) {
		return api.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, &gh.IssueListCommentsOptions{ListOptions: lo})
	})
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return all, nil
}

// listReviewComments lists the review comments, all pages, oldest first.
func listReviewComments(ctx context.Context, api PullsAPI, pr PR) ([]*gh.PullRequestComment, error) {
	all, err := listAll(func(lo gh.ListOptions) ([]*gh.PullRequestComment, *gh.Response, error) {
		return api.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, &gh.PullRequestListCommentsOptions{ListOptions: lo})
	})
	if err != nil {
		return nil, fmt.Errorf("list review comments: %w", err)
	}
	return all, nil
}

// listAll reads every page of a comment listing, 100 a page, and sorts
// the comments by id (oldest first).
func listAll[C interface{ GetID() int64 }](page func(gh.ListOptions) ([]C, *gh.Response, error)) ([]C, error) {
	var all []C
	lo := gh.ListOptions{PerPage: 100}
	for {
		cs, resp, err := page(lo)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", max(lo.Page, 1), err)
		}
		all = append(all, cs...)
		if lo.Page = resp.NextPage; lo.Page == 0 {
			slices.SortStableFunc(all, func(a, b C) int { return cmp.Compare(a.GetID(), b.GetID()) })
			return all, nil
		}
	}
}

// forget drops our issue comment id (a deleted duplicate summary).
func (pr *earlierRuns) forget(id int64) {
	pr.issue = slices.DeleteFunc(pr.issue, func(c *gh.IssueComment) bool { return c.GetID() == id })
}

func (p *publisher) identity(ctx context.Context) (string, error) {
	if p.opts.Login != "" {
		return p.opts.Login, nil
	}
	u, _, err := p.api.Users.Get(ctx, "")
	switch {
	case statusOf(err) == http.StatusForbidden && strings.Contains(err.Error(), "not accessible by integration"):
		return actionsBot, nil
	case err != nil:
		return "", fmt.Errorf("identify the bot account (GET /user): %w", err)
	case u.GetLogin() == "":
		return "", fmt.Errorf("identify the bot account (GET /user): no login")
	}
	return u.GetLogin(), nil
}

func (pr *earlierRuns) summaries() []*gh.IssueComment {
	var out []*gh.IssueComment
	for _, c := range pr.issue {
		if review.IsSummary(c.GetBody()) {
			out = append(out, c)
		}
	}
	return out
}

// Reviewed reports whether head is the commit whose review the summary
// records as complete.
func (pr *earlierRuns) Reviewed(head string) bool {
	return pr != nil && pr.HasState && sameCommit(pr.State.HeadCommit, head)
}

// thread is one of our top-level inline comments with a fingerprint.
type thread struct {
	c       *gh.PullRequestComment
	fp      string
	replies int
}

func (pr *earlierRuns) threads() []*thread {
	replies := map[int64]int{}
	for _, c := range pr.review {
		if id := c.GetInReplyTo(); id != 0 {
			replies[id]++
		}
	}
	var out []*thread
	for _, c := range pr.mine {
		if c.GetInReplyTo() != 0 {
			continue
		}
		if fp, ok := review.FingerprintOf(c.GetBody()); ok {
			out = append(out, &thread{c: c, fp: fp, replies: replies[c.GetID()]})
		}
	}
	return out
}

// Open returns the findings of our inline comments, as posted.
func (pr *earlierRuns) Open() []review.Finding {
	var out []review.Finding
	for _, t := range pr.threads() {
		if f, ok := findingOf(t); ok {
			out = append(out, f)
		}
	}
	return out
}

func sideOf(c *gh.PullRequestComment) diffparse.Side {
	if c.GetSide() == "LEFT" {
		return diffparse.Old
	}
	return diffparse.New
}

func findingOf(t *thread) (review.Finding, bool) {
	pc, ok := review.ParseComment(t.c.GetBody())
	if !ok {
		return review.Finding{}, false
	}
	return review.Finding{
		Path: t.c.GetPath(), Side: sideOf(t.c), Line: t.c.GetLine(), Severity: pc.Severity, Category: pc.Category,
		Title: pc.Title, Body: pc.Body, Fingerprint: t.fp,
	}, true
}
