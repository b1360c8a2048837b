package workflow

import (
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// runReport is what a review run tells the host's report about itself.
type runReport struct {
	res        *review.Result
	prDiff     *diffparse.Diff // annotations stay on its paths
	reviewed   *diffparse.Diff // what went to the review (the increment, or prDiff)
	what       string          // "Full review of …."
	reviewErr  error           // the model never answered
	publishErr error           // the comments or the summary could not all be posted
	cut        string          // why the model stage stopped early, or ""
	unreviewed int             // files left out for a budget
}

// incompleteReason says why the review is no verdict on the whole change,
// "" when it is one.
func (rr runReport) incompleteReason() string {
	var why []string
	if rr.cut != "" {
		why = append(why, rr.cut)
	}
	switch {
	case rr.reviewErr != nil:
		first := rr.reviewErr.Error()
		if len(rr.res.Errors) > 0 {
			first = rr.res.Errors[0]
		}
		why = append(why, "the model did not answer: "+OneLine(first, 300)+"; nothing was reviewed")
	case len(rr.res.Errors) > 0 && rr.res.Errors[0] != rr.cut:
		why = append(why, fmt.Sprintf("%d part(s) of the review failed, first: %s (all are listed in the summary)",
			len(rr.res.Errors), OneLine(rr.res.Errors[0], 300)))
	}
	if rr.unreviewed > 0 {
		why = append(why, fmt.Sprintf("%d file(s) were not reviewed (over a budget; listed in the summary)", rr.unreviewed))
	}
	if rr.publishErr != nil {
		why = append(why, "not every comment could be posted on the pull request (the step log says why; the next run tries again)")
	}
	return strings.Join(why, "; ")
}

// nothingToReview says why a complete review had nothing to look at (no
// files, or no file the model needed to see), "" otherwise.
func (rr runReport) nothingToReview() string {
	if rr.reviewErr != nil || len(rr.res.Errors) > 0 || rr.unreviewed > 0 || rr.res.Usage.Calls > 0 {
		return ""
	}
	if rr.reviewed == nil || len(rr.reviewed.Files) == 0 {
		return "the diff has no files"
	}
	return "no changed file needed the model (the summary says why for each file)"
}
