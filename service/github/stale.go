package github

import "github.com/bitreview/bitreview/review"

// stale applies the host-neutral stale-comment policy (review.Scope.Stale)
// to one of our review comments: its file left the pull request, or a
// complete review looked at it again (the whole file, or for an
// incremental one the very line it is anchored to).
func stale(s review.Scope, t *thread) bool {
	return s.Stale(t.c.GetPath(), sideOf(t.c), t.c.GetBody(), t.fp)
}
