package github

import (
	"context"
	"fmt"

	"github.com/bitreview/bitreview/review"
)

// Report publishes r as the completed check run "bitreview" on the head
// commit, one annotation per finding that has a place on it (see
// annotations): failure when the step fails, neutral when the review is
// incomplete or has findings, success otherwise. With check runs off it
// does nothing and returns nil, nil. An error (the token may lack checks:
// write) leaves the review on the pull request: the flow logs it as a
// warning.
func (p *Platform) Report(ctx context.Context, r review.Report) (*review.ReportOutcome, error) {
	if !p.opts.CheckRun {
		return nil, nil
	}
	if r.Commit == "" {
		r.Commit = p.pub.opts.Head
	}
	anns := annotations(r.Findings, r.Diff)
	run := checkRun{head: r.Commit, conclusion: conclusionOf(r), title: checkTitle(r), annotations: anns}
	run.summary = r.Details()
	if n := len(r.Findings) - len(anns); n > 0 {
		run.summary += fmt.Sprintf(" %d finding(s) are not on a line of the diff and have no annotation.", n)
	}
	run.summary += " The summary comment on the pull request has the details."
	out := &review.ReportOutcome{Kind: "Check run", Name: checkName, Result: run.conclusion, Placed: len(anns)}
	if p.opts.DryRun != nil {
		out.Requests = max(1, (len(anns)+annotationsPerRequest-1)/annotationsPerRequest)
		fmt.Fprintf(p.opts.DryRun, "--- would publish check run %q on %s: %s, %d annotation(s) in %d request(s) ---\n%s\n",
			checkName, short(r.Commit), run.conclusion, len(anns), out.Requests, run.summary)
		return out, nil
	}
	n, err := postCheck(ctx, p.api.Checks, p.pr, run)
	out.Requests = n
	if err != nil {
		// The review itself is on the pull request; a check run needs
		// checks: write, which a fork's token lacks.
		return out, &review.OptionalError{Err: fmt.Errorf("check run not published: %w (grant permissions: checks: write, or set CHECK_RUN=false)", err)}
	}
	return out, nil
}

// conclusionOf is failure when the step fails; an incomplete review never
// passes, and findings below FAIL_ON are neutral.
func conclusionOf(r review.Report) string {
	switch {
	case r.Failed:
		return "failure"
	case r.Incomplete != "", len(r.Findings) > 0:
		return "neutral"
	}
	return "success"
}

func checkTitle(r review.Report) string {
	switch {
	case r.Incomplete != "":
		return "Review incomplete"
	case len(r.Findings) > 0:
		return fmt.Sprintf("%d finding(s)", len(r.Findings))
	case r.NothingToReview != "", r.NoVerdict:
		return "Nothing reviewed"
	}
	return "No findings"
}
