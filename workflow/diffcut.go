package workflow

import (
	"fmt"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// diffCut is what a run says about a diff read up to MAX_DIFF_BYTES.
type diffCut struct {
	read  diffparse.Read
	limit int
}

// reason is the Skipped reason of a file after the cut. It starts with
// "over MAX_", so the file counts as left out for a budget and the run
// never reads as a clean pass.
func (c diffCut) reason() string {
	return fmt.Sprintf("over MAX_DIFF_BYTES (%s): not read", ByteSize(c.limit))
}

// upTo names where reading stopped.
func (c diffCut) upTo() string {
	if c.read.LastRead == "" {
		return "before the first file ended"
	}
	return "up to " + c.read.LastRead
}

// note is the summary line about a cut diff, "" for a whole one.
func (c diffCut) note() string {
	if !c.read.Cut {
		return ""
	}
	return fmt.Sprintf("The pull request's diff is longer than MAX_DIFF_BYTES (%s): only its first %s were read, %s; the files after it are listed under Not reviewed.",
		ByteSize(c.limit), ByteSize(c.limit), c.upTo())
}

// incrementReason is why an incremental review became a full one when the
// diff of the new commits is longer than MAX_DIFF_BYTES.
func (c diffCut) incrementReason() string {
	return fmt.Sprintf("the diff of the new commits is longer than MAX_DIFF_BYTES (%s)", ByteSize(c.limit))
}

// logLine is the step log's warning about a cut diff.
func (c diffCut) logLine() string {
	s := fmt.Sprintf("The diff is longer than MAX_DIFF_BYTES (%s): read %s; the files after it are not reviewed", ByteSize(c.limit), c.upTo())
	if c.read.ListErr != nil {
		s += fmt.Sprintf(" and could not be listed (%v)", c.read.ListErr)
	}
	return s
}

// markSkipped gives the files that were not read their reason (and a note
// in the walkthrough, where they show +0 −0), and adds one entry for them
// when they could not be listed.
func (c diffCut) markSkipped(res *review.Result) {
	if !c.read.Cut {
		return
	}
	notRead := map[string]bool{}
	for i := range res.Skipped {
		if res.Skipped[i].Reason == string(diffparse.ClassNotRead) {
			res.Skipped[i].Reason = c.reason()
			notRead[res.Skipped[i].Path] = true
		}
	}
	for i := range res.Files {
		if notRead[res.Files[i].Path] {
			res.Files[i].Note = "not read (over MAX_DIFF_BYTES)"
		}
	}
	if c.read.ListErr != nil {
		who := "(every file)"
		if c.read.LastRead != "" {
			who = "(the files after " + c.read.LastRead + ")"
		}
		res.Skipped = append(res.Skipped, review.Skipped{Path: who, Reason: c.reason() + "; they could not be listed"})
	}
}
