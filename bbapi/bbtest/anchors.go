package bbtest

import (
	"fmt"

	"github.com/bitreview/bitreview/diffparse"
)

// RejectedAnchor is an inline comment the fake refused because its anchor
// does not fit the pull request's current diff. This is a legitimate 400
// the client must handle (move the finding into the summary), not a
// violation.
type RejectedAnchor struct {
	Method        string
	PullRequestID int
	Inline        Inline
	Reason        string
}

// RejectedAnchors returns the rejected anchors so far, oldest first.
func (s *Server) RejectedAnchors() []RejectedAnchor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RejectedAnchor(nil), s.rejected...)
}

// checkAnchor applies Bitbucket's inline rules (bitbucket-cloud.md §4) to
// the pull request's current diff and returns why in is refused, or "":
//
//   - path must name a file of the diff: its new path, or the old path of a
//     deleted file (a renamed file is addressed by its new path);
//   - path alone is a file-level comment;
//   - to is a new-side line inside a hunk (added or context), from an
//     old-side line inside a hunk (removed or context);
//   - start_to needs to, start_to ≤ to, both in the same hunk (likewise
//     start_from and from); when both to and from are given they must be in
//     the same hunk (the fake's choice; unverified on the live API).
//
// Line numbers below 1 and non-integers never get here: they break the
// document's schema and are violations.
func checkAnchor(ps *prState, in Inline) string {
	if in.Path == "" {
		return "inline.path is empty"
	}
	if ps.parseErr != nil {
		return "the pull request's diff could not be parsed: " + ps.parseErr.Error()
	}
	f := ps.parsed.File(in.Path)
	if f == nil {
		return fmt.Sprintf("%s is not part of the pull request's diff", in.Path)
	}
	if f.Path() != in.Path {
		return fmt.Sprintf("%s was renamed to %s; anchor to the new path", in.Path, f.Path())
	}
	if in.StartTo != 0 && in.To == 0 {
		return "inline.start_to is set without inline.to"
	}
	if in.StartFrom != 0 && in.From == 0 {
		return "inline.start_from is set without inline.from"
	}
	hTo, reason := checkSide(f, diffparse.New, "to", in.StartTo, in.To)
	if reason != "" {
		return reason
	}
	hFrom, reason := checkSide(f, diffparse.Old, "from", in.StartFrom, in.From)
	if reason != "" {
		return reason
	}
	if hTo != nil && hFrom != nil && hTo != hFrom {
		return fmt.Sprintf("inline.from %d and inline.to %d are in different hunks of %s", in.From, in.To, in.Path)
	}
	return ""
}

// checkSide checks one side's end line and optional start line; it returns
// the hunk holding them.
func checkSide(f *diffparse.File, side diffparse.Side, name string, start, end int) (*diffparse.Hunk, string) {
	if end == 0 {
		return nil, ""
	}
	h, _ := f.LineAt(side, end)
	if h == nil {
		return nil, fmt.Sprintf("line %d (inline.%s, %s side) of %s is outside every hunk of the diff", end, name, side, f.Path())
	}
	if start == 0 {
		return h, ""
	}
	if start > end {
		return nil, fmt.Sprintf("inverted range: inline.start_%s %d > inline.%s %d", name, start, name, end)
	}
	hs, _ := f.LineAt(side, start)
	if hs == nil {
		return nil, fmt.Sprintf("line %d (inline.start_%s, %s side) of %s is outside every hunk of the diff", start, name, side, f.Path())
	}
	if hs != h {
		return nil, fmt.Sprintf("range %d-%d (%s side) of %s spans more than one hunk", start, end, side, f.Path())
	}
	return h, ""
}
