package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// PipelinesFile is the configuration file a pipeline's definition comes
// from. Seed it with AddFile(ws, slug, <branch or commit>, PipelinesFile, …):
// POST /pipelines/ reads it at the target's ref_name (or commit hash).
const PipelinesFile = "bitbucket-pipelines.yml"

// Pipeline is a pipeline run started through POST /pipelines/.
type Pipeline struct {
	UUID        string
	BuildNumber int
	// TargetType is pipeline_ref_target, pipeline_commit_target or
	// pipeline_pullrequest_target.
	TargetType string
	RefType    string // branch, tag, named_branch, bookmark
	RefName    string
	CommitHash string
	// SelectorType and SelectorPattern pick the definition, e.g. custom
	// and bitreview.
	SelectorType    string
	SelectorPattern string
	Variables       []PipelineVariable
	Creator         User
	State           string // PENDING, then STOPPED after stopPipeline
	CreatedOn       time.Time
}

// PipelineVariable is a variable passed to a run.
type PipelineVariable struct {
	Key     string
	Value   string
	Secured bool
}

// Variable returns the value of the variable key and whether it was set.
func (p Pipeline) Variable(key string) (string, bool) {
	for _, v := range p.Variables {
		if v.Key == key {
			return v.Value, true
		}
	}
	return "", false
}

func (p *Pipeline) clone() Pipeline {
	out := *p
	out.Variables = slices.Clone(p.Variables)
	return out
}

const pipelinesPath = repoPath + "/pipelines"

func (s *Server) pipelineRoutes() []*route {
	return []*route{
		{method: "POST", path: pipelinesPath, scopes: []string{"read:pipeline:bitbucket", "write:pipeline:bitbucket"},
			check: checkPipelineBody, handle: s.runPipeline},
		{method: "GET", path: pipelinesPath, scopes: []string{"read:pipeline:bitbucket"}, handle: s.listPipelines},
		{method: "POST", path: pipelinesPath + "/{pipeline_uuid}/stopPipeline", scopes: []string{"write:pipeline:bitbucket"}, handle: s.stopPipeline},
		{method: "GET", path: repoPath + "/pipelines_config", scopes: []string{"admin:repository:bitbucket"}, handle: s.getPipelinesConfig},
	}
}

var variableKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkPipelineBody applies the rules the document leaves to prose: a
// target with a known type, a ref target with ref_type and ref_name, a
// selector with a type (and a pattern for custom), variables with unique
// keys that are valid variable names and string values.
func checkPipelineBody(body any) string {
	m, ok := body.(map[string]any)
	if !ok {
		return "a pipeline body must be a JSON object"
	}
	t, ok := m["target"].(map[string]any)
	if !ok {
		return "pipeline body needs a target object"
	}
	switch t["type"] {
	case "pipeline_ref_target":
		if rt, _ := t["ref_type"].(string); !slices.Contains([]string{"branch", "tag", "named_branch", "bookmark"}, rt) {
			return fmt.Sprintf("a pipeline_ref_target needs ref_type branch, tag, named_branch or bookmark, got %v", t["ref_type"])
		}
		if rn, _ := t["ref_name"].(string); rn == "" {
			return "a pipeline_ref_target needs ref_name"
		}
	case "pipeline_commit_target":
		c, _ := t["commit"].(map[string]any)
		if h, _ := c["hash"].(string); h == "" {
			return "a pipeline_commit_target needs commit.hash"
		}
	case "pipeline_pullrequest_target":
	default:
		return fmt.Sprintf("target.type must be pipeline_ref_target, pipeline_commit_target or pipeline_pullrequest_target, got %v", t["type"])
	}
	if sel, has := t["selector"]; has {
		sm, ok := sel.(map[string]any)
		if !ok {
			return "target.selector must be an object"
		}
		st, _ := sm["type"].(string)
		if !slices.Contains([]string{"branches", "tags", "bookmarks", "default", "custom", "pull-requests"}, st) {
			return fmt.Sprintf("target.selector.type must be branches, tags, bookmarks, default, custom or pull-requests, got %v", sm["type"])
		}
		if p, _ := sm["pattern"].(string); st == "custom" && p == "" {
			return "a custom selector needs the pipeline's name as pattern"
		}
	}
	if vs, has := m["variables"]; has {
		list, ok := vs.([]any)
		if !ok {
			return "variables must be a list"
		}
		seen := map[string]bool{}
		for i, v := range list {
			vm, _ := v.(map[string]any)
			key, _ := vm["key"].(string)
			if !variableKey.MatchString(key) {
				return fmt.Sprintf("variables/%d: key %q is not a valid variable name", i, key)
			}
			if seen[key] {
				return fmt.Sprintf("variables/%d: key %s is repeated", i, key)
			}
			seen[key] = true
			if _, ok := vm["value"].(string); !ok {
				return fmt.Sprintf("variables/%d: value must be a string", i)
			}
		}
	}
	return ""
}

type pipelineBody struct {
	Target struct {
		Type     string                 `json:"type"`
		RefType  string                 `json:"ref_type"`
		RefName  string                 `json:"ref_name"`
		Commit   *struct{ Hash string } `json:"commit"`
		Selector *struct {
			Type    string `json:"type"`
			Pattern string `json:"pattern"`
		} `json:"selector"`
	} `json:"target"`
	Variables []struct {
		Key     string `json:"key"`
		Value   string `json:"value"`
		Secured bool   `json:"secured"`
	} `json:"variables"`
}

// pipelinesDefinition is the part of bitbucket-pipelines.yml the fake reads.
type pipelinesDefinition struct {
	Pipelines struct {
		Default      any            `yaml:"default"`
		Branches     map[string]any `yaml:"branches"`
		PullRequests map[string]any `yaml:"pull-requests"`
		Custom       map[string]any `yaml:"custom"`
	} `yaml:"pipelines"`
}

// POST /repositories/{workspace}/{repo_slug}/pipelines/: answers 400, as the
// live API does, when Pipelines is disabled (SetPipelinesEnabled), when the
// target revision has no bitbucket-pipelines.yml, or when the yml has no
// definition for a custom selector; otherwise records the run (PENDING)
// and answers 201.
func (s *Server) runPipeline(c *call) {
	var body pipelineBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "pipeline body: "+err.Error())
		return
	}
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		full := rs.repo.FullName()
		ps := s.pipelinesOf(full)
		if ps.disabled {
			return c.badRequest("Pipelines is not enabled for this repository. Enable it in Repository settings → Pipelines → Settings.")
		}
		t := body.Target
		rev := t.RefName
		if t.Commit != nil && t.Commit.Hash != "" {
			rev = t.Commit.Hash
		}
		files := rs.files[rev]
		if files == nil {
			if fullHash, ok := rs.resolveCommit(rev); ok {
				files = rs.files[fullHash]
			}
		}
		yml, ok := files[PipelinesFile]
		if !ok {
			return c.badRequest(fmt.Sprintf("Could not find %s at revision %s", PipelinesFile, rev))
		}
		var def pipelinesDefinition
		if err := yaml.Unmarshal([]byte(yml), &def); err != nil {
			return c.badRequest(PipelinesFile + " is not valid YAML")
		}
		if sel := t.Selector; sel != nil && sel.Type == "custom" {
			if _, ok := def.Pipelines.Custom[sel.Pattern]; !ok {
				return c.badRequest(fmt.Sprintf("%s at %s has no custom pipeline %q", PipelinesFile, rev, sel.Pattern))
			}
		}
		p := &Pipeline{
			UUID: newUUID("pipeline "+full, ps.nextBuild), BuildNumber: ps.nextBuild,
			TargetType: t.Type, RefType: t.RefType, RefName: t.RefName,
			Creator: c.user.Public(), State: "PENDING", CreatedOn: s.now(),
		}
		ps.nextBuild++
		if t.Commit != nil {
			p.CommitHash = t.Commit.Hash
		}
		if t.Selector != nil {
			p.SelectorType, p.SelectorPattern = t.Selector.Type, t.Selector.Pattern
		}
		for _, v := range body.Variables {
			p.Variables = append(p.Variables, PipelineVariable{Key: v.Key, Value: v.Value, Secured: v.Secured})
		}
		ps.runs = append(ps.runs, p)
		out := renderPipeline(c.base(), rs, p)
		return func() {
			c.w.Header().Set("Location", out["links"].(map[string]link)["self"].Href)
			writeJSON(c.w, http.StatusCreated, out)
		}
	})
}

// renderPipeline renders a run; secured variable values are never served.
func renderPipeline(base string, rs *repoState, p *Pipeline) map[string]any {
	target := map[string]any{"type": p.TargetType}
	if p.RefType != "" {
		target["ref_type"], target["ref_name"] = p.RefType, p.RefName
	}
	if p.CommitHash != "" {
		target["commit"] = map[string]any{"type": "commit", "hash": p.CommitHash}
	}
	if p.SelectorType != "" {
		target["selector"] = map[string]any{"type": p.SelectorType, "pattern": p.SelectorPattern}
	}
	vars := []any{}
	for _, v := range p.Variables {
		val := v.Value
		if v.Secured {
			val = ""
		}
		vars = append(vars, map[string]any{"type": "pipeline_variable", "key": v.Key, "value": val, "secured": v.Secured})
	}
	return map[string]any{
		"type": "pipeline", "uuid": p.UUID, "build_number": p.BuildNumber,
		"creator": renderAccount(base, p.Creator), "repository": renderRepo(base, rs.repo, true),
		"target": target, "trigger": map[string]any{"type": "pipeline_trigger_manual", "name": "MANUAL"},
		"state":     map[string]any{"type": "pipeline_state_" + strings.ToLower(p.State), "name": p.State},
		"variables": vars, "created_on": stamp(p.CreatedOn),
		"links": map[string]link{"self": {fmt.Sprintf("%s/repositories/%s/pipelines/%s", base, rs.repo.FullName(), p.UUID)}},
	}
}

// GET /repositories/{workspace}/{repo_slug}/pipelines: newest first.
func (s *Server) listPipelines(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		var items []any
		runs := s.pipelinesOf(rs.repo.FullName()).runs
		for i := len(runs) - 1; i >= 0; i-- {
			items = append(items, renderPipeline(c.base(), rs, runs[i]))
		}
		return func() { c.paginate(items) }
	})
}

// POST …/pipelines/{pipeline_uuid}/stopPipeline: 204 for a pending run, 400
// for a finished one, 404 for an unknown uuid.
func (s *Server) stopPipeline(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		id := c.params["pipeline_uuid"]
		for _, p := range s.pipelinesOf(rs.repo.FullName()).runs {
			if strings.EqualFold(p.UUID, id) || strings.EqualFold(strings.Trim(p.UUID, "{}"), id) {
				if p.State != "PENDING" {
					return c.badRequest("The pipeline has already completed.")
				}
				p.State = "STOPPED"
				return func() { c.w.WriteHeader(http.StatusNoContent) }
			}
		}
		return c.notFound("Pipeline " + id + " not found")
	})
}

// GET /repositories/{workspace}/{repo_slug}/pipelines_config
func (s *Server) getPipelinesConfig(c *call) {
	c.do(func() func() {
		rs, fail := c.findRepo()
		if fail != nil {
			return fail
		}
		out := map[string]any{
			"type": "repository_pipelines_configuration", "enabled": !s.pipelinesOf(rs.repo.FullName()).disabled,
			"repository": renderRepo(c.base(), rs.repo, true),
		}
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// SetPipelinesEnabled turns Pipelines on or off for a repository (it is on
// by default in the fake).
func (s *Server) SetPipelinesEnabled(ws, slug string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.ensureRepo(ws, slug)
	s.pipelinesOf(rs.repo.FullName()).disabled = !enabled
}

// Pipelines returns the runs started in a repository, oldest first.
func (s *Server) Pipelines(ws, slug string) []Pipeline {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Pipeline
	if s.ext.pipelines == nil {
		return nil
	}
	if ps := s.ext.pipelines[ws+"/"+slug]; ps != nil {
		for _, p := range ps.runs {
			out = append(out, p.clone())
		}
	}
	return out
}
