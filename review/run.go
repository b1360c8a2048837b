package review

import (
	"errors"

	"github.com/bitreview/bitreview/diffparse"
)

// The types below describe one run on a code host in terms every host
// shares. The workflow package drives a run through them; the host
// adapters (service/bitbucket, service/github) translate them to their
// APIs. They carry no host's types, so that a third host plugs in by
// implementing the workflow's Platform and nothing else.

// Prior is what earlier runs left on a pull request, as the bot sees it:
// only comments the bot's own account wrote count, whatever markers
// another comment carries.
type Prior struct {
	// Me identifies the bot account (a Bitbucket UUID, a GitHub login).
	Me string
	// HasSummary is true when an earlier run posted a summary.
	HasSummary bool
	// State is the summary's hidden state (reviewed head, paused, handled
	// command comments); HasState is false without a summary or with one
	// written before states were recorded.
	State    State
	HasState bool
	// Verdict is the summary's verdict; HasVerdict is false for skipped
	// runs and for summaries written before verdicts were recorded.
	Verdict    Verdict
	HasVerdict bool
	// Open are the findings of the bot's inline comments that are still
	// open (not resolved, not outdated by a newer run).
	Open []Finding
}

// Reviewed reports whether head is the commit whose review the summary
// records as complete.
func (p *Prior) Reviewed(head string) bool {
	return p != nil && p.HasState && SameCommit(p.State.HeadCommit, head)
}

// CurrentVerdict is the verdict of the reviewed head: the one recorded in
// the summary, or else the open findings'.
func (p *Prior) CurrentVerdict() Verdict {
	if p.HasVerdict {
		return p.Verdict
	}
	return VerdictOf(p.Open)
}

// Recorded is what a summary comment records for later runs: its hidden
// state and verdict. An adapter's record of earlier runs embeds it.
type Recorded struct {
	// State is the summary's hidden state; HasState is false without a
	// summary or with one written before states were recorded.
	State    State
	HasState bool
	// Verdict is the summary's verdict; HasVerdict is false for skipped
	// runs and for summaries written before verdicts were recorded.
	Verdict    Verdict
	HasVerdict bool
}

// RecordedIn reads what a summary body records ("" for no summary).
func RecordedIn(body string) Recorded {
	var r Recorded
	r.State, r.HasState = ParseState(body)
	r.Verdict, r.HasVerdict = ParseVerdict(body)
	return r
}

// Prior is the Prior of the bot account me, whose summary records r
// (hasSummary false when there is none) and whose inline comments still
// open hold the findings open.
func (r Recorded) Prior(me string, hasSummary bool, open []Finding) *Prior {
	return &Prior{
		Me: me, HasSummary: hasSummary,
		State: r.State, HasState: r.HasState, Verdict: r.Verdict, HasVerdict: r.HasVerdict,
		Open: open,
	}
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
	return len(a) >= 7 && b[:len(a)] == a
}

// Increment is the plan of a review after an earlier one (the workflow's
// Source.Increment returns it).
type Increment struct {
	// Diff is the diff of the new commits, nil for a full review.
	Diff *diffparse.Diff
	From string // the last reviewed commit, when Diff is set
	// FallbackReason says why a review that could have been incremental
	// is full (force-push, rebase, unknown commit); "" otherwise.
	FallbackReason string
}

// Scope is what one run looked at, so that a host can tell which earlier
// inline comments no longer apply (each adapter documents its policy).
type Scope struct {
	// PRDiff is the pull request's whole diff at the reviewed head.
	PRDiff *diffparse.Diff
	// Reviewed is what the model saw: PRDiff for a full review, the
	// increment since the last reviewed commit for an incremental one.
	Reviewed    *diffparse.Diff
	Incremental bool
	// Complete is false when part of the review failed; then only comments
	// on files that left the pull request are stale.
	Complete bool
	// Skipped are files the review did not send to the model.
	Skipped []Skipped
}

// Limits are the publishing limits of a run, as the repository's
// configuration leaves them (MAX_COMMENTS, TASKS_ON).
type Limits struct {
	// MaxComments caps the bot's open inline comments, counting those
	// earlier runs left open; 0 means no cap.
	MaxComments int
	// TasksAt creates a pull-request task under each inline comment whose
	// finding is at least this severe, where the host has tasks; negative
	// means none.
	TasksAt Severity
}

// NoTasks is a TasksAt that creates no task.
const NoTasks Severity = -1

// Outcome counts what publishing a review did on a host.
type Outcome struct {
	Posted     int // inline comments created now
	Existing   int // inline comments already present from an earlier run
	Carried    int // of Existing: open findings this run did not look at again
	Rejected   int // anchors the host refused; moved to the summary
	OverBudget int // findings not posted inline because of MaxComments
	Failed     int // inline comments that could not be posted
	Dismissed  int // findings found again whose thread a person resolved
	Resolved   int // stale comments resolved (they had replies)
	Deleted    int // stale comments deleted (nobody replied)
	Kept       int // stale comments with replies the host cannot resolve, left open
	Tasks      int // tasks created under inline comments
	// Summary is "created", "updated", "unchanged" or "dry-run".
	Summary string
	// Verdict covers every finding of this head: new, existing and
	// summary-only.
	Verdict Verdict
	// Warnings are problems that did not stop publishing.
	Warnings []string
}

// Report is what a host's status report on the head commit says (Code
// Insights on Bitbucket, a check run on GitHub).
type Report struct {
	Commit string
	// Findings are every finding of the commit: inline, summary-only and
	// carried from earlier runs.
	Findings []Finding
	// Diff is the pull request's diff: a finding is placed on a file and
	// line only where the diff can take a comment (DiffPath); any other is
	// reported without a place.
	Diff *diffparse.Diff
	// Failed is true exactly when the step fails (FAIL_ON reached, or an
	// incomplete review with FAIL_ON_ERROR).
	Failed bool
	// Incomplete says why the findings are no verdict on the whole change;
	// "" for a complete review. An incomplete report never passes.
	Incomplete string
	// NothingToReview says why there was nothing to review, "" otherwise.
	NothingToReview string
	// Reviewed says what was reviewed ("Full review of abc..def.").
	Reviewed string
	// NoVerdict leaves the findings count out (nothing was reviewed).
	NoVerdict bool
	// Tools are the static-analysis tools' own reports (LINT_REPORTS),
	// their findings kept out of Findings.
	Tools []ToolReport
}

// ReportOutcome says what publishing a Report did.
type ReportOutcome struct {
	Kind     string // "Code Insights report", "Check run"
	Name     string // "bitreview"
	Result   string // PASSED, FAILED, PENDING; success, failure, neutral
	Placed   int    // findings sent with a place
	Overflow int    // findings over the host's limit, counted in the text
	Requests int
	Tools    int // the static-analysis tools' own reports published beside it
}

// Message is a comment someone wrote on a pull request, with what a reply
// needs.
type Message struct {
	// ID is the host's comment id.
	ID      int64
	Author  string
	Body    string // raw Markdown
	Mine    bool   // written by the bot account
	Deleted bool
	// Inline is where the thread is anchored, nil for a conversation
	// comment. Hunk is that hunk rendered, when the host could read it.
	Inline *Anchor
	Hunk   string
	// Thread is the rest of the thread, oldest first, the newest kept.
	Thread []ThreadComment
	// Replied is true when the bot already answered this comment.
	Replied bool
	// Root is the comment that started the thread, in full, when this
	// comment is a reply; nil otherwise.
	Root *RootComment
}

// Anchor is a place in a pull request's diff.
type Anchor struct {
	Path string
	Side diffparse.Side
	Line int
}

// ErrDiffTooLarge is what a host's diff read wraps when the host could not
// compute the diff because it is too large (Bitbucket's 555): the run then
// says so on the pull request instead of failing silently.
var ErrDiffTooLarge = errors.New("the host could not compute the diff: it is too large")

// OptionalError is the failure of something a run can do without (a
// GitHub check run when the token lacks checks: write): the flow logs it
// as a warning, and it never makes a run incomplete.
type OptionalError struct{ Err error }

func (e *OptionalError) Error() string { return e.Err.Error() }

// Unwrap returns the failure.
func (e *OptionalError) Unwrap() error { return e.Err }
