package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Code Insights limits from the document: up to 100 annotations per POST,
// up to 1,000 per report, at most 10 data fields per report.
const (
	MaxAnnotationsPerRequest = 100
	MaxAnnotationsPerReport  = 1000
	MaxReportData            = 10
)

// Report is a Code Insights report.
type Report struct {
	ID                string // the {reportId} it was created under
	UUID              string
	ExternalID        string
	Title             string
	Details           string
	Reporter          string
	Link              string
	LogoURL           string
	ReportType        string
	Result            string
	RemoteLinkEnabled bool
	Data              []ReportData
	CreatedOn         time.Time
	UpdatedOn         time.Time
}

// ReportData is one data field of a report.
type ReportData struct {
	Title string `json:"title,omitempty"`
	Type  string `json:"type,omitempty"`
	Value any    `json:"value,omitempty"`
}

// Annotation is one Code Insights annotation.
type Annotation struct {
	UUID           string
	ExternalID     string
	AnnotationType string
	Path           string
	Line           int
	Summary        string
	Details        string
	Result         string
	Severity       string
	Link           string
	CreatedOn      time.Time
	UpdatedOn      time.Time
}

type reportState struct {
	Report
	annotations []*Annotation
}

func (r *reportState) matches(id string) bool {
	return id == r.ID || id == r.UUID || (r.ExternalID != "" && id == r.ExternalID)
}

func (r *reportState) annotation(id string) *Annotation {
	for _, a := range r.annotations {
		if a.ExternalID == id || a.UUID == id {
			return a
		}
	}
	return nil
}

const reportPath = repoPath + "/commit/{commit}/reports/{reportId}"

func (s *Server) reportRoutes() []*route {
	// The document lists only read:repository, for writes too; the live
	// API accepts that (write:repository is not required).
	return []*route{
		{method: "GET", path: repoPath + "/commit/{commit}/reports", scopes: readRepo, handle: s.listReports},
		{method: "PUT", path: reportPath, scopes: readRepo, check: checkReportBody, handle: s.putReport},
		{method: "GET", path: reportPath, scopes: readRepo, handle: s.getReport},
		{method: "DELETE", path: reportPath, scopes: readRepo, handle: s.deleteReport},
		{method: "GET", path: reportPath + "/annotations", scopes: readRepo, handle: s.listAnnotations},
		{method: "POST", path: reportPath + "/annotations", scopes: readRepo, check: checkAnnotationsBody, handle: s.postAnnotations},
		{method: "GET", path: reportPath + "/annotations/{annotationId}", scopes: readRepo, handle: s.getAnnotation},
		{method: "PUT", path: reportPath + "/annotations/{annotationId}", scopes: readRepo, check: checkAnnotationBody, handle: s.putAnnotation},
		{method: "DELETE", path: reportPath + "/annotations/{annotationId}", scopes: readRepo, handle: s.deleteAnnotation},
	}
}

func checkReportBody(body any) string {
	m, ok := body.(map[string]any)
	if !ok {
		return "a report body must be a JSON object"
	}
	if _, ok := m["type"]; ok {
		return `report body has a "type" field (the live API rejects type fields in request bodies; omit it)`
	}
	if data, _ := m["data"].([]any); len(data) > MaxReportData {
		return fmt.Sprintf("report has %d data fields; at most %d are allowed", len(data), MaxReportData)
	}
	return ""
}

// findReport resolves the commit and the report; the caller holds s.mu.
// With create, a missing report is no failure (it returns nil).
func (c *call) findReport(create bool) (*repoState, string, *reportState, func()) {
	rs, fail := c.findRepo()
	if fail != nil {
		return nil, "", nil, fail
	}
	commit, ok := rs.resolveCommit(c.params["commit"])
	if !ok {
		return nil, "", nil, c.notFound("Commit " + c.params["commit"] + " not found")
	}
	id := c.params["reportId"]
	for _, r := range rs.reports[commit] {
		if r.matches(id) {
			return rs, commit, r, nil
		}
	}
	if create {
		return rs, commit, nil, nil
	}
	return nil, "", nil, c.notFound("Report " + id + " not found")
}

type reportBody struct {
	Title             string       `json:"title"`
	Details           string       `json:"details"`
	ExternalID        string       `json:"external_id"`
	Reporter          string       `json:"reporter"`
	Link              string       `json:"link"`
	LogoURL           string       `json:"logo_url"`
	RemoteLinkEnabled bool         `json:"remote_link_enabled"`
	ReportType        string       `json:"report_type"`
	Result            string       `json:"result"`
	Data              []ReportData `json:"data"`
}

// PUT …/commit/{commit}/reports/{reportId}: create or replace; annotations
// are kept.
func (s *Server) putReport(c *call) {
	var body reportBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "report body: "+err.Error())
		return
	}
	c.do(func() func() {
		rs, commit, r, fail := c.findReport(true)
		if fail != nil {
			return fail
		}
		now := s.now()
		if r == nil {
			id := c.params["reportId"]
			r = &reportState{Report: Report{ID: id, UUID: uuidFor("report", rs.repo.FullName(), commit, id), CreatedOn: now}}
			rs.reports[commit] = append(rs.reports[commit], r)
		}
		r.ExternalID = body.ExternalID
		if r.ExternalID == "" {
			r.ExternalID = r.ID
		}
		r.Title, r.Details, r.Reporter = body.Title, body.Details, body.Reporter
		r.Link, r.LogoURL, r.RemoteLinkEnabled = body.Link, body.LogoURL, body.RemoteLinkEnabled
		r.ReportType, r.Result, r.Data = body.ReportType, body.Result, body.Data
		r.UpdatedOn = now
		out := renderReport(r)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

func uuidFor(parts ...any) string {
	h := fakeHash(parts...)
	return fmt.Sprintf("{%s-%s-4%s-8%s-%s}", h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])
}

func (s *Server) getReport(c *call) {
	c.do(func() func() {
		_, _, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		out := renderReport(r)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// DELETE …/reports/{reportId}: 204, also when there was no such report.
func (s *Server) deleteReport(c *call) {
	c.do(func() func() {
		// The document lists only 204, but the live API answers 404 for a
		// report that is not there.
		rs, commit, r, fail := c.findReport(false)
		if fail != nil {
			return fail
		}
		list := rs.reports[commit]
		for i := range list {
			if list[i] == r {
				rs.reports[commit] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		return func() { c.w.WriteHeader(http.StatusNoContent) }
	})
}

func (s *Server) listReports(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		commit, ok := rs.resolveCommit(c.params["commit"])
		if !ok {
			return c.notFound("Commit " + c.params["commit"] + " not found")
		}
		var items []any
		for _, r := range rs.reports[commit] {
			items = append(items, renderReport(r))
		}
		return func() { c.paginate(items) }
	})
}

// Reports returns the reports of a commit (short or full hash), oldest
// first.
func (s *Server) Reports(ws, slug, commit string) []Report {
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
	var out []Report
	for _, r := range rs.reports[full] {
		out = append(out, cloneReport(r.Report))
	}
	return out
}

// Report returns one report by its id, UUID or external_id.
func (s *Server) Report(ws, slug, commit, id string) (Report, bool) {
	for _, r := range s.Reports(ws, slug, commit) {
		if id == r.ID || id == r.UUID || id == r.ExternalID {
			return r, true
		}
	}
	return Report{}, false
}

func cloneReport(r Report) Report {
	r.Data = append([]ReportData(nil), r.Data...)
	return r
}

type reportJSON struct {
	Type              string       `json:"type"`
	UUID              string       `json:"uuid"`
	ExternalID        string       `json:"external_id"`
	Title             string       `json:"title,omitempty"`
	Details           string       `json:"details,omitempty"`
	Reporter          string       `json:"reporter,omitempty"`
	Link              string       `json:"link,omitempty"`
	LogoURL           string       `json:"logo_url,omitempty"`
	RemoteLinkEnabled bool         `json:"remote_link_enabled"`
	ReportType        string       `json:"report_type,omitempty"`
	Result            string       `json:"result,omitempty"`
	Data              []ReportData `json:"data"`
	CreatedOn         string       `json:"created_on"`
	UpdatedOn         string       `json:"updated_on"`
}

func renderReport(r *reportState) reportJSON {
	data := r.Data
	if data == nil {
		data = []ReportData{}
	}
	return reportJSON{
		Type: "report", UUID: r.UUID, ExternalID: r.ExternalID, Title: r.Title, Details: r.Details,
		Reporter: r.Reporter, Link: r.Link, LogoURL: r.LogoURL, RemoteLinkEnabled: r.RemoteLinkEnabled,
		ReportType: r.ReportType, Result: r.Result, Data: data,
		CreatedOn: stamp(r.CreatedOn), UpdatedOn: stamp(r.UpdatedOn),
	}
}
