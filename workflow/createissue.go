package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bitreview/bitreview/issuelink"
	"github.com/bitreview/bitreview/review"
)

// IssueCreator is what a Platform may implement besides: filing an issue
// in the host's own tracker (Bitbucket: write:issue:bitbucket), for
// `@bitreview create issue` when Jira is not configured.
type IssueCreator interface {
	CreateIssue(ctx context.Context, in review.NewTrackerIssue) (*review.TrackerIssue, error)
}

// createIssue files the finding of the bitreview inline comment that
// a.m replies to: in Jira when it is configured (JIRA_PROJECT, else the
// project of the pull request's first linked key), else in the host's
// tracker; then replies with the issue's link. The comment is recorded as
// handled in the summary before anything is filed, and the reply names
// it, so a redelivered trigger files nothing twice.
func (a *answer) createIssue(ctx context.Context, prior *review.Prior) error {
	in, ok := review.IssueForFinding(a.m.Root, a.m.Inline, a.p.Describe())
	if !ok {
		return a.reply(ctx, review.RenderFixedReply("`@bitreview create issue` works in a reply to one of bitreview's inline comments: it files that comment's finding as an issue.", int(a.id)))
	}
	st := prior.State
	st.AddHandled(int(a.id))
	if err := a.p.SaveState(ctx, st, review.SummaryInfo{Version: a.d.Version}); err != nil {
		return a.stage("record the command in the summary", err)
	}
	t := time.Now()
	create, tracker, refusal := a.issueTarget(ctx, &in)
	if create == nil {
		return a.reply(ctx, review.RenderFixedReply(refusal, int(a.id)))
	}
	var created *review.TrackerIssue
	var err error
	if a.s.DryRun {
		a.log.Info("Dry run: would create an issue in %s: %q", tracker, in.Title)
		created = &review.TrackerIssue{Key: "DRY-RUN", URL: "https://example.invalid/dry-run"}
	} else {
		created, err = create(ctx, in)
	}
	if err != nil {
		a.log.Fail("Issue not created in %s: %v", tracker, err)
		why, _ := a.issueProblem(map[bool]string{true: "Jira", false: "Bitbucket"}[tracker == "Jira"], err)
		why = strings.TrimPrefix(why, "not read: ")
		return a.reply(ctx, review.RenderFixedReply(fmt.Sprintf("No issue created in %s (%s). Comment `@bitreview create issue` again to retry.", tracker, why), int(a.id)))
	}
	if !a.s.DryRun {
		a.log.OK(t, "Issue %s created in %s", created.Key, tracker)
	}
	return a.reply(ctx, review.RenderFixedReply(fmt.Sprintf("Created issue [%s](%s) for this finding.", issueLabel(tracker, created.Key), created.URL), int(a.id)))
}

// issueTarget picks where the issue goes: Jira when configured (the
// project set in in), else the host's tracker; without either, or without
// a Jira project, create is nil and refusal says why.
func (a *answer) issueTarget(ctx context.Context, in *review.NewTrackerIssue) (create func(context.Context, review.NewTrackerIssue) (*review.TrackerIssue, error), tracker, refusal string) {
	creator, hostTracker := a.p.(IssueCreator)
	switch {
	case a.d.Jira != nil:
		if in.Project = a.jiraProject(ctx); in.Project == "" {
			return nil, "", "No issue created: set `JIRA_PROJECT` to the Jira project for new issues, or name an issue of that project (such as `ABC-123`) in the branch, title or description."
		}
		return a.d.Jira.CreateIssue, "Jira", ""
	case hostTracker:
		return creator.CreateIssue, "the repository's issue tracker", ""
	}
	return nil, "", "No issue created: configure Jira (`JIRA_BASE_URL`, `JIRA_EMAIL`, `JIRA_API_TOKEN`) for bitreview to file issues on this host."
}

// jiraProject is where a new Jira issue goes: JIRA_PROJECT, else the
// project of the first Jira key the pull request names.
func (a *answer) jiraProject(ctx context.Context) string {
	if a.s.JiraProject != "" {
		return a.s.JiraProject
	}
	meta, err := a.p.PullRequest(ctx)
	if err != nil {
		return ""
	}
	for _, ref := range issuelink.Find(issuelink.Sources{Branch: meta.SourceBranch, Title: meta.Title, Description: review.StripDescriptionSummary(meta.Description)}) {
		if p := ref.Project(); p != "" {
			return p
		}
	}
	return ""
}

// issueLabel names a created issue: "ABC-123", or "#4" in a host's
// tracker.
func issueLabel(tracker, key string) string {
	if tracker == "Jira" {
		return key
	}
	return "#" + key
}
