package review

import "github.com/bitreview/bitreview/diffparse"

// Stale reports whether an inline comment the bot posted on an earlier
// run, whose fingerprint fp this run did not produce again, no longer
// applies. path and side are its anchor (side is diffparse.New only for a
// comment on a new-side line) and body its text, whose title the
// fingerprint hashes. The policy, the same on every host: the comment is
// stale when
//
//   - its file is no longer part of the pull request's diff (any run); or
//   - the review was complete, full, and its file was reviewed (sent to the
//     model, not skipped): the whole file was looked at again and the
//     finding did not come back; or
//   - the review was complete, incremental, and the new commits changed or
//     removed the very line it is anchored to: some removed line of the
//     increment hashes, with the comment's title, to fp. A comment on code
//     the new commits did not touch stays open, since the model did not
//     look at that code again.
//
// What a host does with a stale comment (delete, resolve, keep) is its
// adapter's policy.
func (s Scope) Stale(path string, side diffparse.Side, body, fp string) bool {
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
	case side != diffparse.New:
		return false // only leaving the diff makes it stale
	}
	pc, ok := ParseComment(body)
	if !ok {
		return false
	}
	probe := Finding{Path: path, Side: diffparse.New, Title: pc.Title}
	for _, h := range file.Hunks {
		for _, l := range h.Lines {
			if l.Kind == diffparse.Removed && Fingerprint(probe, l.Text) == fp {
				return true
			}
		}
	}
	return false
}
