package bitbucket

import (
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Scope is what one run looked at, for deciding which earlier inline
// comments no longer apply.
type Scope struct {
	// PRDiff is the pull request's whole diff at the reviewed head.
	PRDiff *diffparse.Diff
	// Reviewed is what the model saw: PRDiff for a full review, the
	// increment since the last reviewed commit for an incremental one.
	Reviewed    *diffparse.Diff
	Incremental bool
	// Complete is false when part of the review failed; then only comments
	// on files that left the pull request are treated as stale.
	Complete bool
	// Skipped are files the review did not send to the model.
	Skipped []review.Skipped
}

// Stale-comment policy. An inline comment of ours (top level, with a
// fingerprint, not resolved) whose fingerprint this run did not produce is
// stale when
//
//   - its file is no longer part of the pull request's diff (any run); or
//   - the review was complete, full, and its file was reviewed (sent to the
//     model, not skipped): the whole file was looked at again and the
//     finding did not come back; or
//   - the review was complete, incremental, and the new commits changed or
//     removed the very line it is anchored to: some removed line of the
//     increment hashes, with the comment's title, to its fingerprint. A
//     comment on code the new commits did not touch stays open, since the
//     model did not look at that code again.
//
// A stale comment nobody replied to is deleted; one with replies (a
// discussion) is resolved instead, never deleted, and so can be reopened. A
// thread someone already resolved is left alone, and its fingerprint still
// counts as posted, so a finding a human dismissed is never re-posted.
func (s Scope) stale(t *thread) bool {
	path := t.c.Inline.Path
	if s.PRDiff != nil && s.PRDiff.File(path) == nil {
		return true
	}
	if !s.Complete || s.Reviewed == nil {
		return false
	}
	for _, sk := range s.Skipped {
		if sk.Path == path {
			return false
		}
	}
	file := s.Reviewed.File(path)
	if file == nil {
		return false
	}
	if !s.Incremental {
		return true
	}
	if t.c.Inline.To == nil {
		return false // an old-side anchor: only leaving the diff makes it stale
	}
	pc, ok := review.ParseComment(t.c.Content.Raw)
	if !ok {
		return false
	}
	probe := review.Finding{Path: path, Side: diffparse.New, Title: pc.Title}
	for _, h := range file.Hunks {
		for _, l := range h.Lines {
			if l.Kind == diffparse.Removed && review.Fingerprint(probe, l.Text) == t.fp {
				return true
			}
		}
	}
	return false
}
