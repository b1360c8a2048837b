package bitbucket

import (
	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// isStale applies review.Scope.Stale to one of our inline comments. A stale
// comment nobody replied to is deleted; one with replies (a discussion) is
// resolved instead, never deleted, and so can be reopened. A thread
// someone already resolved is left alone, and its fingerprint still counts
// as posted, so a finding a human dismissed is never re-posted.
func isStale(s review.Scope, t *thread) bool {
	return s.Stale(t.c.Inline.Path, inlineSide(t.c.Inline), t.c.Content.Raw, t.fp)
}

// inlineSide is diffparse.New for a comment on a new-side line, Old for
// one on an old-side line or on the whole file.
func inlineSide(in *bbapi.Inline) diffparse.Side {
	if in.To != nil {
		return diffparse.New
	}
	return diffparse.Old
}
