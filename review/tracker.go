package review

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Issue trackers, as the workflow sees them: Jira, and a host's own
// tracker (Bitbucket issues). Hosts and the Jira client translate to and
// from these types.

// TrackerIssue is an issue a tracker answered or created. Everything but
// Key and URL was written by others.
type TrackerIssue struct {
	Key    string // "ABC-123", or "3" in a host's own tracker
	Title  string
	Status string
	Type   string
	Text   string // the description, as plain text or Markdown
	URL    string // its web page
}

// ErrIssueNotFound is what a tracker's "no such issue" (404) wraps: the
// reference is named in the summary, never guessed at.
var ErrIssueNotFound = errors.New("no such issue")

// TrackerError is a tracker that refused (Status is its HTTP status) or
// did not answer (Status 0): the summary says which and why.
type TrackerError struct {
	Status int
	Err    error
}

func (e *TrackerError) Error() string { return e.Err.Error() }

// Unwrap returns the tracker's error.
func (e *TrackerError) Unwrap() error { return e.Err }

// NewTrackerIssue is an issue to file for a finding.
type NewTrackerIssue struct {
	// Project is the Jira project key ("" in a host's own tracker).
	Project string
	Title   string // one line
	Body    string // Markdown: the finding, the place, the pull request
	Finding ParsedComment
	Path    string
	Line    int
	// Link is the web address of the review comment the issue is filed
	// from.
	Link string
}

// RootComment is the comment that started a thread, in full.
type RootComment struct {
	ID   int64
	Body string
	Bot  bool   // written by bitreview
	URL  string // its web address, "" when the host gives none
}

// maxIssueSummary bounds an issue's one-line title (Jira allows 255).
const maxIssueSummary = 200

// IssueForFinding builds the issue `@bitreview create issue` files from
// the bitreview inline comment root anchored at a (nil: a file-level or
// unknown place) on pull request pr ("acme/shop pull request #7"). ok is
// false when root is not an inline comment of bitreview's that holds a
// finding.
func IssueForFinding(root *RootComment, a *Anchor, pr string) (NewTrackerIssue, bool) {
	if root == nil || !root.Bot {
		return NewTrackerIssue{}, false
	}
	if _, hasFP := FingerprintOf(root.Body); !hasFP {
		return NewTrackerIssue{}, false
	}
	f, ok := ParseComment(root.Body)
	if !ok {
		return NewTrackerIssue{}, false
	}
	in := NewTrackerIssue{Finding: f, Link: root.URL, Title: cutRunes(oneLine(f.Title), maxIssueSummary)}
	var b strings.Builder
	fmt.Fprintf(&b, "%s finding from bitreview's review of %s.\n\n", capitalise(f.Severity.String()), pr)
	if f.Body != "" {
		b.WriteString(f.Body + "\n\n")
	}
	if a != nil && a.Path != "" {
		in.Path, in.Line = a.Path, a.Line
		where := "`" + a.Path + "`"
		if a.Line > 0 {
			where += " line " + strconv.Itoa(a.Line)
		}
		b.WriteString("Where: " + where + "\n\n")
	}
	if root.URL != "" {
		b.WriteString("Review comment: " + root.URL + "\n")
	}
	in.Body = strings.TrimSpace(b.String())
	return in, true
}
