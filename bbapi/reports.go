package bbapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Code Insights limits (bitbucket-cloud.md §6): annotations are posted 1 to
// 100 at a time and a report holds at most 1,000.
const (
	MaxAnnotationsPerRequest = 100
	MaxAnnotationsPerReport  = 1000
)

// Report is a Code Insights report on a commit. Result is PENDING, PASSED
// or FAILED; ReportType is SECURITY, COVERAGE, TEST or BUG.
type Report struct {
	Title             string       `json:"title,omitempty"`
	Details           string       `json:"details,omitempty"`
	ExternalID        string       `json:"external_id,omitempty"`
	Reporter          string       `json:"reporter,omitempty"`
	Link              string       `json:"link,omitempty"`
	LogoURL           string       `json:"logo_url,omitempty"`
	ReportType        string       `json:"report_type,omitempty"`
	Result            string       `json:"result,omitempty"`
	RemoteLinkEnabled bool         `json:"remote_link_enabled,omitempty"`
	Data              []ReportData `json:"data,omitempty"`
	// UUID is set by Bitbucket and never sent.
	UUID string `json:"uuid,omitempty"`
}

// ReportData is one of at most 10 data fields of a report. Type is
// BOOLEAN, DATE, DURATION, LINK, NUMBER, PERCENTAGE or TEXT.
type ReportData struct {
	Title string `json:"title"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Annotation is one finding of a report. AnnotationType is VULNERABILITY,
// CODE_SMELL or BUG; Severity is CRITICAL, HIGH, MEDIUM or LOW; Result is
// PASSED, FAILED, SKIPPED or IGNORED. Line 0 (omitted) puts it at the top
// of the file, an empty Path on the report's overview.
type Annotation struct {
	ExternalID     string `json:"external_id"`
	AnnotationType string `json:"annotation_type,omitempty"`
	Path           string `json:"path,omitempty"`
	Line           int    `json:"line,omitempty"`
	Summary        string `json:"summary"`
	Details        string `json:"details,omitempty"`
	Result         string `json:"result,omitempty"`
	Severity       string `json:"severity,omitempty"`
	Link           string `json:"link,omitempty"`
}

func reportPath(workspace, repo, commit, reportID string) (string, error) {
	if commit == "" || reportID == "" {
		return "", errors.New("bbapi: a report needs a commit and a report id")
	}
	p, err := repoPath(workspace, repo)
	if err != nil {
		return "", err
	}
	return p + "/commit/" + url.PathEscape(commit) + "/reports/" + url.PathEscape(reportID), nil
}

// insights is the error context of the Code Insights calls; the spec lists
// only read:repository, for writes too.
func insights() call { return call{scopes: []string{scopeReadRepo}} }

// reportBody is a Report as sent: no uuid.
func reportBody(r *Report) any {
	out := *r
	out.UUID = ""
	return &out
}

// PutReport creates or replaces a report (PUT, retried). Bitbucket keeps
// the report's existing annotations.
//
// Bitbucket API: PUT /repositories/{workspace}/{repo_slug}/commit/{commit}/reports/{reportId}
// (scope read:repository:bitbucket).
func (c *Client) PutReport(ctx context.Context, workspace, repo, commit, reportID string, r *Report) (*Report, *Response, error) {
	if r == nil {
		return nil, nil, errors.New("bbapi: PutReport: nil report")
	}
	p, err := reportPath(workspace, repo, commit, reportID)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodPut, p, reportBody(r))
	if err != nil {
		return nil, nil, err
	}
	out := new(Report)
	resp, err := c.do(req, out, insights())
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// DeleteReport deletes a report and its annotations. Bitbucket answers 404
// when there is no such report (the document lists only 204).
//
// Bitbucket API: DELETE /repositories/{workspace}/{repo_slug}/commit/{commit}/reports/{reportId}
// (scope read:repository:bitbucket).
func (c *Client) DeleteReport(ctx context.Context, workspace, repo, commit, reportID string) (*Response, error) {
	p, err := reportPath(workspace, repo, commit, reportID)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodDelete, p, nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, nil, insights())
}

// PostAnnotations creates or updates (by external_id) 1 to 100 annotations
// of a report. Although it is a POST, it is an upsert keyed by external_id,
// so callers may send it again after an unclear failure.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/commit/{commit}/reports/{reportId}/annotations
// (scope read:repository:bitbucket).
func (c *Client) PostAnnotations(ctx context.Context, workspace, repo, commit, reportID string, as []Annotation) (*Response, error) {
	if len(as) < 1 || len(as) > MaxAnnotationsPerRequest {
		return nil, errors.New("bbapi: PostAnnotations: send 1 to 100 annotations")
	}
	p, err := reportPath(workspace, repo, commit, reportID)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodPost, p+"/annotations", as)
	if err != nil {
		return nil, err
	}
	return c.do(req, nil, insights())
}
