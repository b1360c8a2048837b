package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/review"
)

func (d *doctor) pipelinesEnabled(ctx context.Context) {
	d.add(Check{Name: "Pipelines enabled", For: []string{ForPipe, ForRelay}}, func(c *Check) {
		pc, _, err := d.api.GetPipelinesConfig(ctx, d.o.Workspace, d.o.Repo)
		switch {
		case err == nil && pc.Enabled:
			c.Status, c.Detail = StatusOK, "enabled"
		case err == nil:
			c.Status, c.Detail = StatusFail, "Pipelines is disabled for "+d.o.Workspace+"/"+d.o.Repo
			c.Fix = "enable it in Repository settings → Pipelines → Settings"
		case len(d.pipelines) > 0:
			c.Status, c.Detail = StatusOK, fmt.Sprintf("the repository has pipeline runs (#%d)", d.pipelines[0].BuildNumber)
		case statusCode(err) == http.StatusForbidden:
			c.Status = StatusWarn
			c.Detail = "not verified: reading the setting needs admin:repository:bitbucket, which bitreview needs for nothing else, and there are no runs yet"
			c.Fix = "check Repository settings → Pipelines → Settings; with Pipelines disabled, starting the custom pipeline fails with 400"
		default:
			c.Status, c.Detail = StatusWarn, "not verified: "+err.Error()
		}
	})
}

// pipelinesYML checks that the main branch's bitbucket-pipelines.yml has
// what the chosen commands need: the pull-request step for the pipe, the
// custom pipeline for the relay.
func (d *doctor) pipelinesYML(ctx context.Context) {
	d.add(Check{Name: PipelinesFile, For: []string{ForPipe, ForRelay}}, func(c *Check) {
		branch, y, err := readMainYML(ctx, d.api, d.o.Workspace, d.o.Repo, d.mainBranch)
		var syntax *ymlSyntaxError
		switch {
		case errors.Is(err, errNoMainBranch), errors.As(err, &syntax):
			c.Status, c.Detail = StatusFail, err.Error()
			return
		case errors.Is(err, errNoYML):
			c.Status, c.Detail = StatusFail, "no "+PipelinesFile+" on "+branch
			c.Fix = "add the steps `bitreview setup` prints (pull-request step and custom: bitreview) and merge them to " + branch
			return
		case err != nil:
			d.apiFail(c, err)
			return
		}
		pipe, relay := y.Missing()
		var missing []string
		if d.wanted(ForPipe) {
			missing = append(missing, pipe...)
		}
		if d.wanted(ForRelay) {
			missing = append(missing, relay...)
		}
		if len(missing) > 0 {
			c.Status, c.Detail = StatusFail, branch+" lacks "+strings.Join(missing, "; ")
			c.Fix = "add the missing parts (`bitreview setup` prints the whole snippet) and merge them to " + branch + "; the relay starts the pipeline defined on the pull request's destination branch"
			return
		}
		c.Status, c.Detail = StatusOK, branch+" has the pull-request step and custom: bitreview with its three variables"
	})
}

// llmReachable asks the pipe's model for one word, once.
func (d *doctor) llmReachable(ctx context.Context) {
	d.add(Check{Name: "LLM", For: []string{ForPipe}}, func(c *Check) {
		if len(d.o.LLMProblems) > 0 {
			c.Status, c.Detail = StatusFail, strings.Join(d.o.LLMProblems, "; ")
			return
		}
		cfg := d.o.LLM
		cfg.Timeout, cfg.MaxAttempts = 20*time.Second, 1
		m, err := llm.New(cfg)
		if err != nil {
			c.Status, c.Detail = StatusFail, err.Error()
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		start := time.Now()
		resp, err := m.Generate(ctx, review.Request{System: "You are a connectivity check.", Prompt: "Reply with the single word OK.", MaxTokens: 16})
		if err != nil {
			c.Status, c.Detail = StatusFail, err.Error()
			var le *llm.Error
			if errors.As(err, &le) {
				c.Fix = llmFix(le.Kind)
			}
			return
		}
		c.Status = StatusOK
		took := time.Since(start)
		c.Detail = fmt.Sprintf("%s %s answered in %s", m.Provider(), dash(resp.Model), max(took, time.Millisecond).Round(time.Millisecond))
	})
}

// llmFix says how to fix a failed model call of kind k.
func llmFix(k llm.Kind) string {
	switch k {
	case llm.Auth:
		return "check LLM_API_KEY (a secured variable passed to the pipe) and that the key may use the model"
	case llm.NotFound:
		return "check LLM_MODEL (for azure: the deployment name) and LLM_BASE_URL"
	case llm.Network, llm.Timeout:
		return "check LLM_BASE_URL and that the provider is reachable from where this runs"
	case llm.Quota:
		return "the provider account's quota or credit is used up"
	case llm.RateLimit, llm.Unavailable:
		return "the provider is busy; try again later"
	}
	return ""
}
