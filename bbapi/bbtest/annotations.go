package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// checkAnnotationBody checks the body of PUT …/annotations/{annotationId},
// whose path names the annotation.
func checkAnnotationBody(body any) string { return checkAnnotation(body, false) }

func checkAnnotation(body any, needID bool) string {
	m, ok := body.(map[string]any)
	if !ok {
		return "an annotation must be a JSON object"
	}
	if _, ok := m["type"]; ok {
		return `annotation has a "type" field (the live API rejects type fields in request bodies; omit it)`
	}
	if s, _ := m["summary"].(string); strings.TrimSpace(s) == "" {
		return "annotation needs a non-empty summary (the live API answers 400 without one, reviewdog/reviewdog#1285)"
	}
	if s, _ := m["external_id"].(string); needID && s == "" {
		return "annotation needs an external_id, unique within the report"
	}
	return ""
}

func checkAnnotationsBody(body any) string {
	list, ok := body.([]any)
	if !ok {
		return "the annotations body must be a JSON array"
	}
	if len(list) < 1 || len(list) > MaxAnnotationsPerRequest {
		return fmt.Sprintf("%d annotations in one request; send 1 to %d", len(list), MaxAnnotationsPerRequest)
	}
	seen := make(map[string]bool)
	for i, a := range list {
		if reason := checkAnnotation(a, true); reason != "" {
			return fmt.Sprintf("annotation %d: %s", i, reason)
		}
		id := a.(map[string]any)["external_id"].(string)
		if seen[id] {
			return fmt.Sprintf("annotation %d: external_id %q repeats within the request", i, id)
		}
		seen[id] = true
	}
	return ""
}

type annotationBody struct {
	ExternalID     string `json:"external_id"`
	AnnotationType string `json:"annotation_type"`
	Path           string `json:"path"`
	Line           int    `json:"line"`
	Summary        string `json:"summary"`
	Details        string `json:"details"`
	Result         string `json:"result"`
	Severity       string `json:"severity"`
	Link           string `json:"link"`
}

// upsert creates or updates annotations by external_id, refusing to grow
// the report past MaxAnnotationsPerReport; the caller holds s.mu.
func (c *call) upsert(r *reportState, commit string, bodies []annotationBody) ([]any, func()) {
	added := 0
	for _, b := range bodies {
		if r.annotation(b.ExternalID) == nil {
			added++
		}
	}
	if len(r.annotations)+added > MaxAnnotationsPerReport {
		reason := fmt.Sprintf("report %s would hold %d annotations; a report holds at most %d", r.ID, len(r.annotations)+added, MaxAnnotationsPerReport)
		return nil, func() { c.violation(http.StatusBadRequest, reason) }
	}
	now := c.s.now()
	out := make([]any, 0, len(bodies))
	for _, b := range bodies {
		a := r.annotation(b.ExternalID)
		if a == nil {
			a = &Annotation{ExternalID: b.ExternalID, UUID: uuidFor("annotation", commit, r.UUID, b.ExternalID), CreatedOn: now}
			r.annotations = append(r.annotations, a)
		}
		a.AnnotationType, a.Path, a.Line, a.Summary = b.AnnotationType, b.Path, b.Line, b.Summary
		a.Details, a.Result, a.Severity, a.Link = b.Details, b.Result, b.Severity, b.Link
		a.UpdatedOn = now
		out = append(out, renderAnnotation(a))
	}
	return out, nil
}

// POST …/reports/{reportId}/annotations: a JSON array of 1 to 100, created
// or updated by external_id. 404 when the report does not exist.
func (s *Server) postAnnotations(c *call) {
	var bodies []annotationBody
	if err := json.Unmarshal(c.body, &bodies); err != nil {
		c.violation(http.StatusBadRequest, "annotations body: "+err.Error())
		return
	}
	c.do(func() func() {
		_, commit, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		out, fail := c.upsert(r, commit, bodies)
		if fail != nil {
			return fail
		}
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// PUT …/annotations/{annotationId}: create or update one annotation; the
// path's id is its external_id.
func (s *Server) putAnnotation(c *call) {
	var body annotationBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "annotation body: "+err.Error())
		return
	}
	c.do(func() func() {
		_, commit, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		id := c.params["annotationId"]
		if a := r.annotation(id); a != nil {
			body.ExternalID = a.ExternalID
		} else {
			body.ExternalID = id
		}
		out, fail := c.upsert(r, commit, []annotationBody{body})
		if fail != nil {
			return fail
		}
		return func() { writeJSON(c.w, http.StatusOK, out[0]) }
	})
}

func (s *Server) listAnnotations(c *call) {
	c.do(func() func() {
		_, _, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		items := make([]any, 0, len(r.annotations))
		for _, a := range r.annotations {
			items = append(items, renderAnnotation(a))
		}
		return func() { c.paginate(items) }
	})
}

func (s *Server) getAnnotation(c *call) {
	c.do(func() func() {
		_, _, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		a := r.annotation(c.params["annotationId"])
		if a == nil {
			return c.notFound("Annotation " + c.params["annotationId"] + " not found")
		}
		out := renderAnnotation(a)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

func (s *Server) deleteAnnotation(c *call) {
	c.do(func() func() {
		_, _, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		for i, a := range r.annotations {
			if a.ExternalID == c.params["annotationId"] || a.UUID == c.params["annotationId"] {
				r.annotations = append(r.annotations[:i:i], r.annotations[i+1:]...)
				break
			}
		}
		return func() { c.w.WriteHeader(http.StatusNoContent) }
	})
}

// Annotations returns a report's annotations in creation order.
func (s *Server) Annotations(ws, slug, commit, reportID string) []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.repo(ws, slug)
	if rs == nil {
		return nil
	}
	full, ok := rs.resolveCommit(commit)
	if !ok {
		return nil
	}
	for _, r := range rs.reports[full] {
		if r.matches(reportID) {
			out := make([]Annotation, 0, len(r.annotations))
			for _, a := range r.annotations {
				out = append(out, *a)
			}
			return out
		}
	}
	return nil
}

type annotationJSON struct {
	Type           string `json:"type"`
	UUID           string `json:"uuid"`
	ExternalID     string `json:"external_id"`
	AnnotationType string `json:"annotation_type,omitempty"`
	Path           string `json:"path,omitempty"`
	Line           int    `json:"line,omitempty"`
	Summary        string `json:"summary"`
	Details        string `json:"details,omitempty"`
	Result         string `json:"result,omitempty"`
	Severity       string `json:"severity,omitempty"`
	Link           string `json:"link,omitempty"`
	CreatedOn      string `json:"created_on"`
	UpdatedOn      string `json:"updated_on"`
}

func renderAnnotation(a *Annotation) annotationJSON {
	return annotationJSON{
		Type: "report_annotation", UUID: a.UUID, ExternalID: a.ExternalID, AnnotationType: a.AnnotationType,
		Path: a.Path, Line: a.Line, Summary: a.Summary, Details: a.Details, Result: a.Result,
		Severity: a.Severity, Link: a.Link, CreatedOn: stamp(a.CreatedOn), UpdatedOn: stamp(a.UpdatedOn),
	}
}
