package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// Tracker is a Client as the review flow uses it: issues in review's
// terms, a 404 as review.ErrIssueNotFound, any other failure as a
// *review.TrackerError.
type Tracker struct{ c *Client }

// NewTracker wraps c.
func NewTracker(c *Client) *Tracker { return &Tracker{c: c} }

// issueType is the type `create issue` files: every Jira Cloud project
// template (Scrum, Kanban, business) has Task.
const issueType = "Task"

// Issue reads issue key (GetIssue), its description as plain text.
func (t *Tracker) Issue(ctx context.Context, key string) (*review.TrackerIssue, error) {
	i, err := t.c.GetIssue(ctx, key)
	if err != nil {
		return nil, trackerError(err)
	}
	return &review.TrackerIssue{
		Key: i.Key, Title: i.Fields.Summary, Status: i.Fields.Status.Name, Type: i.Fields.IssueType.Name,
		Text: Text(i.Fields.Description), URL: t.c.BrowseURL(i.Key),
	}, nil
}

// CreateIssue files in as a Task of in.Project (CreateIssue): the body's
// paragraphs become ADF paragraphs, the review comment a link.
func (t *Tracker) CreateIssue(ctx context.Context, in review.NewTrackerIssue) (*review.TrackerIssue, error) {
	var paras []Paragraph
	for _, p := range strings.Split(in.Body, "\n\n") {
		if strings.HasPrefix(p, "Review comment: ") && in.Link != "" {
			paras = append(paras, Paragraph{Text: "Review comment", URL: in.Link})
			continue
		}
		paras = append(paras, Paragraph{Text: p})
	}
	c, err := t.c.CreateIssue(ctx, NewIssue{Project: in.Project, Type: issueType, Summary: in.Title, Description: Doc(paras...)})
	if err != nil {
		return nil, trackerError(err)
	}
	return &review.TrackerIssue{Key: c.Key, Title: in.Title, URL: t.c.BrowseURL(c.Key)}, nil
}

func trackerError(err error) error {
	if StatusOf(err) == http.StatusNotFound {
		return fmt.Errorf("%w: %w", review.ErrIssueNotFound, err)
	}
	var e *Error
	if errors.As(err, &e) {
		return &review.TrackerError{Status: e.StatusCode, Err: err}
	}
	return &review.TrackerError{Err: err}
}
