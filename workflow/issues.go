package workflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/issuelink"
	"github.com/bitreview/bitreview/review"
)

// Linked issues: the Jira keys and host issue references a pull request
// names are read (Jira through Deps.Jira, a host's own tracker through the
// optional IssueReader), assessed by one model call beside the review, and
// shown in the summary's "Linked issues" table.

// IssueTracker is Jira as the flow uses it (jira.Tracker); nil in Deps
// when Jira is not configured: keys are then listed, not fetched.
type IssueTracker interface {
	Issue(ctx context.Context, key string) (*review.TrackerIssue, error)
	CreateIssue(ctx context.Context, in review.NewTrackerIssue) (*review.TrackerIssue, error)
}

// CommitMessager is what a Source may implement besides: the pull
// request's commit messages, where Jira keys link issues too.
type CommitMessager interface {
	CommitMessages(ctx context.Context) ([]string, error)
}

// IssueReader is what a Source may implement besides: the host's own
// issue tracker (Bitbucket issues, #3). A host without it has no "#N"
// issue references.
type IssueReader interface {
	Issue(ctx context.Context, number int) (*review.TrackerIssue, error)
}

// issuesPromptTokens bounds the assessment's prompt (a quarter of
// MAX_INPUT_TOKENS when that is less): the issues and a view of the change.
const issuesPromptTokens = 24_000

// readIssuesTimeout bounds reading every linked issue, so that a tracker
// that does not answer costs the run at most this much.
const readIssuesTimeout = 30 * time.Second

// linkIssues finds the issues the pull request names and reads them,
// concurrently; what cannot be read says why.
func (r *run) linkIssues(ctx context.Context) []review.LinkedIssue {
	src := issuelink.Sources{Branch: r.meta.SourceBranch, Title: r.meta.Title, Description: r.meta.Description}
	if cm, ok := r.p.(CommitMessager); ok {
		msgs, err := cm.CommitMessages(ctx)
		if err != nil {
			r.log.Warn("Commit messages not read (Jira keys in them are not linked): %v", err)
		}
		src.Commits = msgs
	}
	ir, hostTracker := r.p.(IssueReader)
	var refs []issuelink.Ref
	for _, ref := range issuelink.Find(src) {
		if ref.Kind == issuelink.Jira || hostTracker {
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	t := time.Now()
	ctx, cancel := context.WithTimeout(ctx, readIssuesTimeout)
	defer cancel()
	out := make([]review.LinkedIssue, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() { out[i] = r.readIssue(ctx, ir, ref) })
	}
	wg.Wait()
	read := 0
	for _, l := range out {
		if l.Read() {
			read++
		} else {
			r.log.Warn("Linked issue %s: %s", l.Ref, l.Problem)
		}
	}
	r.log.OK(t, "Linked issues: %s named, %d read", Plural(len(out), "issue", "issues"), read)
	return out
}

// readIssue reads one linked issue.
func (r *run) readIssue(ctx context.Context, ir IssueReader, ref issuelink.Ref) review.LinkedIssue {
	l := review.LinkedIssue{Ref: ref.String(), Tracker: "Jira"}
	var ti *review.TrackerIssue
	var err error
	switch {
	case ref.Kind == issuelink.Bitbucket:
		l.Tracker = "Bitbucket"
		ti, err = ir.Issue(ctx, ref.Number())
	case r.d.Jira == nil:
		l.Problem = "not fetched: Jira is not configured (JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN)"
		return l
	default:
		ti, err = r.d.Jira.Issue(ctx, ref.Key)
	}
	if err != nil {
		l.Problem, l.NotFound = r.issueProblem(l.Tracker, err)
		return l
	}
	l.Title, l.Status, l.Type = ti.Title, ti.Status, ti.Type
	l.Description, l.Criteria = review.SplitCriteria(ti.Text)
	return l
}

// issueProblem says why an issue was not read, for the summary and the
// step log; notFound when the tracker says there is no such issue.
func (r *run) issueProblem(tracker string, err error) (problem string, notFound bool) {
	var te *review.TrackerError
	status := 0
	if errors.As(err, &te) {
		status = te.Status
	}
	fix := "check JIRA_EMAIL and JIRA_API_TOKEN, and that the account can browse the project"
	if tracker != "Jira" {
		fix = r.p.Fix(err)
	}
	switch {
	case errors.Is(err, review.ErrIssueNotFound):
		return fmt.Sprintf("no such issue (%s answered 404; it may also be hidden from the account bitreview uses)", tracker), true
	case status == http.StatusUnauthorized:
		return fmt.Sprintf("not read: %s refused the credentials (HTTP 401); %s", tracker, fix), false
	case status == http.StatusForbidden:
		return fmt.Sprintf("not read: %s denied access (HTTP 403); %s", tracker, fix), false
	case status != 0:
		return fmt.Sprintf("not read: %s answered HTTP %d", tracker, status), false
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timed out"):
		return fmt.Sprintf("not read: %s did not answer in time", tracker), false
	}
	return fmt.Sprintf("not read: %s could not be reached", tracker), false
}

// assessIssues starts the assessment of the linked issues against the
// pull request's diff beside the review, within the model stage, and
// returns the function that waits for it and records it in res.
func (r *run) assessIssues(ctx context.Context, linked []review.LinkedIssue, prDiff *diffparse.Diff) func(res *review.Result) {
	if len(linked) == 0 {
		return func(*review.Result) {}
	}
	done := make(chan struct{})
	var usage review.Usage
	var model string
	var err error
	go func() {
		defer close(done)
		defer func() {
			if recover() != nil {
				err = errors.New("internal error while assessing the linked issues")
			}
		}()
		usage, model, err = r.assess(ctx, linked, prDiff)
	}()
	return func(res *review.Result) {
		<-done
		if err != nil {
			r.log.Warn("Linked issues not assessed: %v", err)
			for i := range linked {
				if linked[i].Read() {
					linked[i].Reason = "not assessed: the model call failed"
				}
			}
		}
		res.AddLinked(linked, usage, model)
	}
}

// assess makes the one model call, every prompt through the secret
// scanner.
func (r *run) assess(ctx context.Context, linked []review.LinkedIssue, prDiff *diffparse.Diff) (review.Usage, string, error) {
	stage, cancel := modelStage(ctx, r.s.RunTimeout)
	defer cancel()
	model, err := r.d.Model(r.s)
	if err != nil {
		return review.Usage{}, "", err
	}
	sc, err := r.d.Secrets()
	if err != nil {
		return review.Usage{}, "", err
	}
	if ts, ok := sc.(review.TextScanner); ok {
		model = review.RedactingModel(model, ts, sc.Scan(prDiff))
	}
	budget := min(issuesPromptTokens, r.s.MaxInputTokens/4)
	return review.AssessIssues(stage, model, r.meta, prDiff, linked, budget)
}
