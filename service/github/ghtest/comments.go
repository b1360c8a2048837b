package ghtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// userOf is the author of a comment by login: GitHub Apps and the
// workflow's GITHUB_TOKEN write as "…[bot]" accounts of type Bot.
func userOf(login string) User {
	if strings.HasSuffix(login, "[bot]") {
		return User{Login: login, Type: "Bot"}
	}
	return User{Login: login, Type: "User"}
}

// AddReviewComment stores a top-level review comment by login on line of
// path (side "RIGHT" or "LEFT"), anchored as the API requires.
func (s *Server) AddReviewComment(login, path, side string, line int, body string) (*Comment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := draft{Path: path, Side: side, Line: line, Body: body, CommitID: s.pr.HeadSHA}
	if p := s.anchorProblem(d); p != "" {
		return nil, fmt.Errorf("ghtest: %s", p)
	}
	c := s.newReviewComment(d, login)
	s.reviewCs = append(s.reviewCs, c)
	cp := *c
	return &cp, nil
}

// getComment answers GET …/comments/{id} from list: 404 for a comment
// that is not (or no longer) there.
func (s *Server) getComment(w http.ResponseWriter, r *http.Request, list *[]*Comment) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range *list {
		if c.ID == id {
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", nil)
}

// diffHunk renders the hunk d is anchored in as GitHub's diff_hunk: the
// header and the lines up to the commented one. The caller holds s.mu.
func (s *Server) diffHunk(d draft) string {
	side := diffparse.New
	if d.Side == "LEFT" {
		side = diffparse.Old
	}
	f := s.diff.File(d.Path)
	if f == nil {
		return ""
	}
	h := f.HunkAt(side, d.Line)
	if h == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@", h.OldStart, h.OldCount, h.NewStart, h.NewCount)
	if h.Section != "" {
		b.WriteString(" " + h.Section)
	}
	for _, l := range h.Lines {
		b.WriteString("\n" + string(byte(l.Kind)) + l.Text)
		if (side == diffparse.Old && l.Old == d.Line) || (side == diffparse.New && l.New == d.Line) {
			break
		}
	}
	return b.String()
}
