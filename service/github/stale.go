package github

import (
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// stale applies service/bitbucket's stale-comment policy (see its Scope):
// a comment of ours whose fingerprint this run did not produce is stale
// when its file left the pull request, or the review was complete and
// looked at it again: the whole file (full review), or the very line it is
// anchored to (incremental: a removed line of the increment hashes, with
// the comment's title, to its fingerprint).
func stale(s Scope, t *thread) bool {
	path := t.c.GetPath()
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
	switch {
	case file == nil:
		return false
	case !s.Incremental:
		return true
	case sideOf(t.c) == diffparse.Old:
		return false
	}
	pc, ok := review.ParseComment(t.c.GetBody())
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
