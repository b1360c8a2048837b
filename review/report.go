package review

import (
	"fmt"
	"strings"
)

// Details is the report's text, the same on every host: what was
// reviewed, why the review is incomplete, and the verdict ("1 finding(s),
// the worst medium.") or why there is none. An incomplete review never
// says "No findings." alone.
func (r Report) Details() string {
	v := VerdictOf(r.Findings)
	s := r.Reviewed
	if r.Incomplete != "" {
		s += " Review incomplete: " + sentence(r.Incomplete)
	}
	switch {
	case r.NoVerdict:
	case v.Findings > 0:
		s += fmt.Sprintf(" %d finding(s), the worst %s.", v.Findings, v.Worst)
	case r.NothingToReview != "":
		s += " Nothing to review: " + sentence(r.NothingToReview)
	case r.Incomplete != "":
		s += " No findings in what was reviewed."
	default:
		s += " No findings."
	}
	return strings.TrimSpace(s)
}

// sentence ends s with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
