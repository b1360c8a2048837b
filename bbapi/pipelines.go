package bbapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// PipelineRequest is the body of RunPipeline. Build it with
// CustomPipelineOnBranch for the common case.
type PipelineRequest struct {
	Target    PipelineTarget     `json:"target"`
	Variables []PipelineVariable `json:"variables,omitempty"`
}

// PipelineTarget says where a pipeline runs and which definition of
// bitbucket-pipelines.yml it uses. Type is pipeline_ref_target (a branch or
// tag, RefType and RefName), pipeline_commit_target or
// pipeline_pullrequest_target.
type PipelineTarget struct {
	Type     string            `json:"type"`
	RefType  string            `json:"ref_type,omitempty"`
	RefName  string            `json:"ref_name,omitempty"`
	Commit   *PipelineCommit   `json:"commit,omitempty"`
	Selector *PipelineSelector `json:"selector,omitempty"`
}

// PipelineCommit pins a pipeline to a commit.
type PipelineCommit struct {
	Type string `json:"type,omitempty"` // "commit"
	Hash string `json:"hash"`
}

// PipelineSelector picks the definition: Type custom with the custom
// pipeline's name as Pattern, or branches, tags, bookmarks, default.
type PipelineSelector struct {
	Type    string `json:"type"`
	Pattern string `json:"pattern,omitempty"`
}

// PipelineVariable is a variable passed to a pipeline run. Secured values
// are masked in logs and never returned.
type PipelineVariable struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Secured bool   `json:"secured,omitempty"`
}

// PipelineState is a pipeline's state: Name is PENDING, IN_PROGRESS,
// COMPLETED…
type PipelineState struct {
	Name string `json:"name"`
}

// Pipeline is a pipeline run as Bitbucket returns it.
type Pipeline struct {
	UUID        string         `json:"uuid"`
	BuildNumber int            `json:"build_number"`
	State       PipelineState  `json:"state"`
	Target      PipelineTarget `json:"target"`
	Creator     *Account       `json:"creator,omitempty"`
	CreatedOn   time.Time      `json:"created_on"`
}

// PipelinesConfig is a repository's Pipelines settings.
type PipelinesConfig struct {
	Enabled bool `json:"enabled"`
}

// CustomPipelineOnBranch returns the request that starts the custom
// pipeline name on the latest commit of branch, whose
// bitbucket-pipelines.yml supplies the definition.
func CustomPipelineOnBranch(branch, name string, vars ...PipelineVariable) *PipelineRequest {
	return &PipelineRequest{
		Target: PipelineTarget{
			Type: "pipeline_ref_target", RefType: "branch", RefName: branch,
			Selector: &PipelineSelector{Type: "custom", Pattern: name},
		},
		Variables: vars,
	}
}

func pipelinesPath(workspace, repo string) (string, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return "", err
	}
	return p + "/pipelines", nil
}

// RunPipeline starts a pipeline. It is never retried: a POST that failed
// (even with a timeout) may have started the run. Bitbucket answers 400
// when Pipelines is not enabled, when the target revision has no
// bitbucket-pipelines.yml or no matching definition, or when the body is
// invalid.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/pipelines/
// (scopes read:pipeline:bitbucket and write:pipeline:bitbucket).
func (c *Client) RunPipeline(ctx context.Context, workspace, repo string, in *PipelineRequest) (*Pipeline, *Response, error) {
	if in == nil {
		return nil, nil, errors.New("bbapi: RunPipeline: nil request")
	}
	if in.Target.Type == "" {
		return nil, nil, errors.New("bbapi: RunPipeline: the target needs a type")
	}
	p, err := pipelinesPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodPost, p+"/", in)
	if err != nil {
		return nil, nil, err
	}
	pl := new(Pipeline)
	resp, err := c.do(req, pl, call{scopes: []string{scopeReadPipeline, scopeWritePipeline}})
	if err != nil {
		return nil, resp, err
	}
	return pl, resp, nil
}

// ListPipelines returns the first page of a repository's pipelines, at
// most pagelen (1–100) of them.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pipelines
// (scope read:pipeline:bitbucket).
func (c *Client) ListPipelines(ctx context.Context, workspace, repo string, pagelen int) ([]*Pipeline, *Response, error) {
	if pagelen < 1 || pagelen > 100 {
		return nil, nil, errors.New("bbapi: ListPipelines: pagelen must be 1 to 100")
	}
	p, err := pipelinesPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	return firstPage[*Pipeline](ctx, c, p+"?pagelen="+strconv.Itoa(pagelen), call{scopes: []string{scopeReadPipeline}})
}

// StopPipeline signals a running pipeline to stop. Like every POST it is
// never retried.
//
// Bitbucket API: POST /repositories/{workspace}/{repo_slug}/pipelines/{pipeline_uuid}/stopPipeline
// (scope write:pipeline:bitbucket).
func (c *Client) StopPipeline(ctx context.Context, workspace, repo, uuid string) (*Response, error) {
	if uuid == "" {
		return nil, errors.New("bbapi: StopPipeline: empty pipeline uuid")
	}
	p, err := pipelinesPath(workspace, repo)
	if err != nil {
		return nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodPost, p+"/"+url.PathEscape(uuid)+"/stopPipeline", nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, nil, call{scopes: []string{scopeWritePipeline}})
}

// GetPipelinesConfig returns whether Pipelines is enabled. Bitbucket
// requires repository admin for it.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pipelines_config
// (scope admin:repository:bitbucket).
func (c *Client) GetPipelinesConfig(ctx context.Context, workspace, repo string) (*PipelinesConfig, *Response, error) {
	p, err := repoPath(workspace, repo)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(ctx, http.MethodGet, p+"/pipelines_config", nil)
	if err != nil {
		return nil, nil, err
	}
	cfg := new(PipelinesConfig)
	resp, err := c.do(req, cfg, call{scopes: []string{scopeAdminRepo}})
	if err != nil {
		return nil, resp, err
	}
	return cfg, resp, nil
}

// firstPage fetches one page of a list.
func firstPage[T any](ctx context.Context, c *Client, path string, cl call) ([]T, *Response, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, nil, err
	}
	var pg page[T]
	resp, err := c.do(req, &pg, cl)
	if err != nil {
		return nil, resp, err
	}
	return pg.Values, resp, nil
}
