package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// reviewWithin runs the model stage of a review within the run's
// deadline, less the publish reserve (modelStage). When the stage is cut
// short, the step log and the summary say so, and cut says why ("" when
// it was not).
func (p *pipeRun) reviewWithin(ctx context.Context, eng *review.Engine, meta review.PullRequest, d *diffparse.Diff, info *review.SummaryInfo) (res *review.Result, cut string, err error) {
	stage, cancel := modelStage(ctx, p.cfg.RunTimeout)
	defer cancel()
	res, err = eng.Review(stage, meta, d)
	if cut = stoppedEarly(stage); cut != "" {
		p.log.warn("%s: the review is incomplete", upperFirst(cut))
		info.Notes = append(info.Notes, "⚠️ "+upperFirst(cut)+"; the next run reviews what is missing.")
		if err == nil && len(res.Errors) == 0 {
			res.Errors = append(res.Errors, cut) // a cut review is never complete
		}
	}
	return res, cut, err
}

// runReport is what a review run tells Code Insights about itself.
type runReport struct {
	res        *review.Result
	prDiff     *diffparse.Diff // annotations stay on its paths
	reviewed   *diffparse.Diff // what went to the review (the increment, or prDiff)
	what       string          // "Full review of …."
	reviewErr  error           // the model never answered
	publishErr error           // the comments or the summary could not all be posted
	cut        string          // why the model stage stopped early, or ""
}

// incompleteReason says why the review is no verdict on the whole change,
// "" when it is one.
func (p *pipeRun) incompleteReason(rr runReport) string {
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
		why = append(why, "the model did not answer: "+oneLine(first, 300)+"; nothing was reviewed")
	case len(rr.res.Errors) > 0 && rr.res.Errors[0] != rr.cut:
		why = append(why, fmt.Sprintf("%d part(s) of the review failed, first: %s (all are listed in the summary)",
			len(rr.res.Errors), oneLine(rr.res.Errors[0], 300)))
	}
	if p.unreviewed > 0 {
		why = append(why, fmt.Sprintf("%d file(s) were not reviewed (over a budget; listed in the summary)", p.unreviewed))
	}
	if rr.publishErr != nil {
		why = append(why, "not every comment could be posted on the pull request (the step log says why; the next run tries again)")
	}
	return strings.Join(why, "; ")
}

// nothingToReview says why a complete review had nothing to look at (no
// files, or no file the model needed to see), "" otherwise.
func (p *pipeRun) nothingToReview(rr runReport) string {
	if rr.reviewErr != nil || len(rr.res.Errors) > 0 || p.unreviewed > 0 || rr.res.Usage.Calls > 0 {
		return ""
	}
	if rr.reviewed == nil || len(rr.reviewed.Files) == 0 {
		return "the diff has no files"
	}
	return "no changed file needed the model (the summary says why for each file)"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
