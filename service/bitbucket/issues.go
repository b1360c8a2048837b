package bitbucket

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// IssueAPI is what linked issues, `create issue` and the description's
// summary need on top of API. *bbapi.Client has it; an API without it
// makes these operations fail with errNoIssueAPI.
type IssueAPI interface {
	GetIssue(ctx context.Context, workspace, repo string, id int) (*bbapi.Issue, *bbapi.Response, error)
	CreateIssue(ctx context.Context, workspace, repo string, in *bbapi.NewIssue) (*bbapi.Issue, *bbapi.Response, error)
	ListPullRequestCommits(ctx context.Context, workspace, repo string, id, limit int) ([]*bbapi.PRCommit, error)
	UpdatePullRequest(ctx context.Context, workspace, repo string, id int, in *bbapi.PullRequestUpdate) (*bbapi.PullRequest, *bbapi.Response, error)
}

var errNoIssueAPI = errors.New("this Bitbucket client cannot read issues, commits or edit pull requests")

// maxCommitMessages bounds the commit messages read for Jira keys.
const maxCommitMessages = 250

func (p *Platform) issueAPI() (IssueAPI, error) {
	if api, ok := p.api.(IssueAPI); ok {
		return api, nil
	}
	return nil, errNoIssueAPI
}

// CommitMessages lists the pull request's commit messages, newest first,
// at most maxCommitMessages (GET …/pullrequests/{id}/commits).
func (p *Platform) CommitMessages(ctx context.Context) ([]string, error) {
	api, err := p.issueAPI()
	if err != nil {
		return nil, err
	}
	commits, err := api.ListPullRequestCommits(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, maxCommitMessages)
	if err != nil {
		return nil, fmt.Errorf("list commits: %w", err)
	}
	out := make([]string, 0, len(commits))
	for _, c := range commits {
		out = append(out, c.Message)
	}
	return out, nil
}

// Issue reads issue number of the repository's issue tracker (scope
// read:issue:bitbucket). A 404, also a repository without a tracker, wraps
// review.ErrIssueNotFound; any other failure is a *review.TrackerError.
func (p *Platform) Issue(ctx context.Context, number int) (*review.TrackerIssue, error) {
	api, err := p.issueAPI()
	if err != nil {
		return nil, err
	}
	i, _, err := api.GetIssue(ctx, p.pr.Workspace, p.pr.Repo, number)
	if err != nil {
		return nil, trackerError(err)
	}
	return &review.TrackerIssue{Key: strconv.Itoa(i.ID), Title: i.Title, Status: i.State, Type: i.Kind, Text: i.Content.Raw, URL: i.Links.HTML.Href}, nil
}

// CreateIssue files in as a task in the repository's issue tracker
// (scope write:issue:bitbucket). A dry run prints it instead.
func (p *Platform) CreateIssue(ctx context.Context, in review.NewTrackerIssue) (*review.TrackerIssue, error) {
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would create an issue in %s/%s ---\n%s\n\n%s\n", p.pr.Workspace, p.pr.Repo, in.Title, in.Body)
		return &review.TrackerIssue{Key: "0", Title: in.Title, URL: "(dry run)"}, nil
	}
	api, err := p.issueAPI()
	if err != nil {
		return nil, err
	}
	body := in.Body
	if in.Link != "" {
		body = replaceLast(body, "Review comment: "+in.Link, "[Review comment]("+in.Link+")")
	}
	i, _, err := api.CreateIssue(ctx, p.pr.Workspace, p.pr.Repo, &bbapi.NewIssue{Title: in.Title, Content: &bbapi.Content{Raw: body}, Kind: "task"})
	if err != nil {
		return nil, trackerError(err)
	}
	return &review.TrackerIssue{Key: strconv.Itoa(i.ID), Title: i.Title, URL: i.Links.HTML.Href}, nil
}

// SetDescription replaces the pull request's description (PUT
// …/pullrequests/{id}, write:pullrequest). Bitbucket needs the title in
// every edit and may drop reviewers an edit leaves out, so both are read
// right before and sent back unchanged. A dry run prints the description.
func (p *Platform) SetDescription(ctx context.Context, description string) error {
	if p.opts.DryRun != nil {
		fmt.Fprintf(p.opts.DryRun, "--- would set the description of pull request #%d ---\n%s\n", p.pr.ID, description)
		return nil
	}
	api, err := p.issueAPI()
	if err != nil {
		return err
	}
	cur, _, err := p.api.GetPullRequest(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		return fmt.Errorf("read the pull request: %w", err)
	}
	reviewers := make([]bbapi.AccountRef, 0, len(cur.Reviewers))
	for _, r := range cur.Reviewers {
		reviewers = append(reviewers, bbapi.AccountRef{UUID: r.UUID})
	}
	upd := &bbapi.PullRequestUpdate{Title: cur.Title, Description: description, Reviewers: reviewers}
	if _, _, err := api.UpdatePullRequest(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, upd); err != nil {
		return fmt.Errorf("update the description: %w", err)
	}
	return nil
}

// trackerError maps a Bitbucket failure to the review flow's terms.
func trackerError(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w: %w", review.ErrIssueNotFound, err)
	}
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) {
		return &review.TrackerError{Status: er.StatusCode, Err: err}
	}
	return &review.TrackerError{Err: err}
}

func replaceLast(s, old, repl string) string {
	for i := len(s) - len(old); i >= 0; i-- {
		if s[i:i+len(old)] == old {
			return s[:i] + repl + s[i+len(old):]
		}
	}
	return s
}
