package ghtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bitreview/bitreview/diffparse"
)

type draft struct {
	Path      string `json:"path"`
	Body      string `json:"body"`
	Line      int    `json:"line"`
	Side      string `json:"side"`
	StartLine int    `json:"start_line"`
	StartSide string `json:"start_side"`
	Position  int    `json:"position"`
	CommitID  string `json:"commit_id"`
	InReplyTo int64  `json:"in_reply_to"`
}

// anchorProblem says why GitHub would refuse a review comment, or "". Both
// ends of a range must be lines of one hunk on their side: context or
// added lines on RIGHT, context or removed lines on LEFT.
func (s *Server) anchorProblem(d draft) string {
	if d.Position != 0 {
		return "position is deprecated; bitreview must send line and side"
	}
	if d.Body == "" || d.Path == "" || d.Line <= 0 {
		return "path, body and line are required"
	}
	f := s.diff.File(d.Path)
	if f == nil {
		return "Path could not be resolved"
	}
	side := map[string]diffparse.Side{"RIGHT": diffparse.New, "LEFT": diffparse.Old}
	sd, ok := side[d.Side]
	if !ok {
		return "side must be LEFT or RIGHT"
	}
	h := f.HunkAt(sd, d.Line)
	if h == nil || !f.Commentable(sd, d.Line) {
		return "pull_request_review_thread.line must be part of the diff"
	}
	if d.StartLine == 0 {
		return ""
	}
	ss, ok := side[d.StartSide]
	if d.StartSide == "" {
		ss, ok = sd, true
	}
	if !ok || d.StartLine >= d.Line && ss == sd {
		return "pull_request_review_thread.start_line must precede line"
	}
	if f.HunkAt(ss, d.StartLine) != h || !f.Commentable(ss, d.StartLine) {
		return "pull_request_review_thread.start_line must be part of the same hunk as the line"
	}
	return ""
}

func (s *Server) newReviewComment(d draft, login string) *Comment {
	return &Comment{ID: s.id(), Body: d.Body, User: userOf(login), Path: d.Path, Line: d.Line,
		Side: d.Side, StartLine: d.StartLine, StartSide: d.StartSide, CommitID: s.pr.HeadSHA, DiffHunk: s.diffHunk(d)}
}

func (s *Server) createReviewComment(w http.ResponseWriter, r *http.Request, who tokenInfo) {
	var d draft
	if err := json.NewDecoder(r.Body).Decode(&d); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkPR(w, r) {
		return
	}
	if d.InReplyTo != 0 {
		s.reply(w, d, who.login)
		return
	}
	if d.CommitID != s.pr.HeadSHA {
		writeError(w, http.StatusUnprocessableEntity, "commit_id is not the pull request's head", nil)
		return
	}
	if p := s.anchorProblem(d); p != "" {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed", []map[string]string{{"message": p}})
		return
	}
	c := s.newReviewComment(d, who.login)
	s.reviewCs = append(s.reviewCs, c)
	writeJSON(w, http.StatusCreated, c)
}

// createReview stores a review with its comments, or refuses it whole when
// one comment is not anchored inside the diff, as GitHub does.
func (s *Server) createReview(w http.ResponseWriter, r *http.Request, who tokenInfo) {
	var in struct {
		CommitID string  `json:"commit_id"`
		Body     string  `json:"body"`
		Event    string  `json:"event"`
		Comments []draft `json:"comments"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkPR(w, r) {
		return
	}
	if in.Event != "COMMENT" {
		// bitreview never approves or requests changes.
		writeError(w, http.StatusUnprocessableEntity, "fake: only COMMENT reviews are expected, got "+in.Event, nil)
		return
	}
	if in.CommitID != s.pr.HeadSHA {
		writeError(w, http.StatusUnprocessableEntity, "commit_id is not the pull request's head", nil)
		return
	}
	for _, d := range in.Comments {
		if p := s.anchorProblem(d); p != "" {
			writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", []map[string]string{{"message": p}})
			return
		}
	}
	s.reviews++
	for _, d := range in.Comments {
		s.reviewCs = append(s.reviewCs, s.newReviewComment(d, who.login))
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": s.id(), "state": "COMMENTED", "commit_id": in.CommitID})
}

// deleteComment deletes a comment of list; only its author may.
func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, who tokenInfo, list *[]*Comment) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range *list {
		if c.ID == id {
			if c.User.Login != who.login {
				writeError(w, http.StatusForbidden, "Must have admin rights to Repository.", nil)
				return
			}
			*list = append((*list)[:i], (*list)[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", nil)
}

func (s *Server) createIssueComment(w http.ResponseWriter, r *http.Request, who tokenInfo) {
	var in struct{ Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
		writeError(w, http.StatusUnprocessableEntity, "body is required", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.checkPR(w, r) {
		return
	}
	if len(in.Body) > 65536 {
		writeError(w, http.StatusUnprocessableEntity, "Body is too long (maximum is 65536 characters)", nil)
		return
	}
	c := &Comment{ID: s.id(), Body: in.Body, User: userOf(who.login)}
	s.issueCs = append(s.issueCs, c)
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) editIssueComment(w http.ResponseWriter, r *http.Request, who tokenInfo) {
	var in struct{ Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Body == "" {
		writeError(w, http.StatusUnprocessableEntity, "body is required", nil)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.issueCs {
		if c.ID == id {
			if c.User.Login != who.login {
				writeError(w, http.StatusForbidden, "Resource not accessible by integration", nil)
				return
			}
			c.Body = in.Body
			writeJSON(w, http.StatusOK, c)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", nil)
}

type checkIn struct {
	Name       string `json:"name"`
	HeadSHA    string `json:"head_sha"`
	Status     string `json:"status"`
	Conclusion string `json:"conclusion"`
	Output     *struct {
		Title       string           `json:"title"`
		Summary     string           `json:"summary"`
		Annotations []map[string]any `json:"annotations"`
	} `json:"output"`
}

func (s *Server) applyCheck(w http.ResponseWriter, c *CheckRun, in checkIn) bool {
	if in.Output != nil {
		if len(in.Output.Annotations) > 50 {
			writeError(w, http.StatusUnprocessableEntity, "Validation Failed: at most 50 annotations per request", nil)
			return false
		}
		for _, a := range in.Output.Annotations {
			if a["path"] == nil || a["start_line"] == nil || a["end_line"] == nil || a["annotation_level"] == nil || a["message"] == nil {
				writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("annotation misses a required field: %v", a), nil)
				return false
			}
		}
		c.Title, c.Summary = in.Output.Title, in.Output.Summary
		c.Annotations = append(c.Annotations, in.Output.Annotations...)
	}
	if in.Status != "" {
		c.Status = in.Status
	}
	if in.Conclusion != "" {
		c.Conclusion, c.Status = in.Conclusion, "completed"
	}
	c.Requests++
	return true
}

func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	var in checkIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" || in.HeadSHA == "" {
		writeError(w, http.StatusUnprocessableEntity, "name and head_sha are required", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &CheckRun{ID: s.id(), Name: in.Name, HeadSHA: in.HeadSHA, Status: "queued"}
	if !s.applyCheck(w, c, in) {
		return
	}
	s.checks = append(s.checks, c)
	writeJSON(w, http.StatusCreated, map[string]any{"id": c.ID, "status": c.Status})
}

func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request, _ tokenInfo) {
	var in checkIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON", nil)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.checks {
		if c.ID == id {
			if s.applyCheck(w, c, in) {
				writeJSON(w, http.StatusOK, map[string]any{"id": c.ID, "status": c.Status})
			}
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", nil)
}

// reply answers in the thread of a top-level review comment.
func (s *Server) reply(w http.ResponseWriter, d draft, login string) {
	for _, p := range s.reviewCs {
		if p.ID == d.InReplyTo && p.InReplyTo == 0 {
			c := *p
			c.ID, c.Body, c.User, c.InReplyTo = s.id(), d.Body, userOf(login), p.ID
			s.reviewCs = append(s.reviewCs, &c)
			writeJSON(w, http.StatusCreated, &c)
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", nil)
}
