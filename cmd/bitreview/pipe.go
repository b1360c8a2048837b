package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/command"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	"github.com/bitreview/bitreview/settings"
	"github.com/bitreview/bitreview/workflow"
)

// crashCanary is empty in every release. The safety tests link a build
// with -ldflags "-X main.crashCanary=1" to make the pipe panic with the
// credentials in the panic value, and check that none of them is printed.
// It is a link-time constant, not a setting: nothing at run time sets it.
var crashCanary string

// runPipe is `bitreview pipe`: review the pull request named by the
// pipeline variables and publish the result, or, in chat mode
// (BITREVIEW_COMMENT_ID), act on that comment.
func runPipe(ctx context.Context, environ []string, out io.Writer) int {
	cfg, cerr := settings.LoadValidated(environ, "pipe")
	log := newLog(out, cfg.Debug)
	for _, w := range settings.UnknownVariables(environ) {
		log.Warn("%s", w)
	}
	if cerr != nil {
		fmt.Fprintf(out, "✖ %s\n", cerr.Error())
		fmt.Fprintln(out, "  See README.md, section Variables, or run `bitreview pipe --help`.")
		if cfg.ReportsWithoutToken() {
			if pc, err := newProxyClient(pipelinesProxy, proxyAPIBase); err == nil && bbservice.ReportNotConfigured(ctx, pc, cfg.Workspace, cfg.RepoSlug, cfg.Commit, cerr.Problems) == nil {
				fmt.Fprintf(out, "  A FAILED Code Insights report saying so was published on %s through the Pipelines auth proxy.\n", workflow.Short(cfg.Commit))
			}
		}
		return workflow.ExitConfig
	}
	ctx, cancel := workflow.WithRunDeadline(ctx, cfg.RunTimeout)
	defer cancel()
	client, err := newPipeClient(cfg)
	if err != nil {
		return workflow.ExitCode(workflow.Outcome{Err: err}, log)
	}
	id, _ := cfg.PullRequestID()
	p := bbservice.NewPlatform(client, bbservice.PR{Workspace: cfg.Workspace, Repo: cfg.RepoSlug, ID: id}, bbservice.PlatformOptions{
		DryRun: dryRun(cfg, out), CloneDir: cfg.CloneDir, PipelineCommit: cfg.Commit,
		CodeInsights: true, MaxDiffBytes: int64(cfg.MaxDiffBytes),
	})
	log.Debugf("Bitbucket API %s, auth: %s", cfg.APIURL, cfg.AuthMode())
	log.Debugf("LLM provider %s, model %s, light model %s, base URL %s, timeout %s, concurrency %d",
		cfg.LLMProvider, orDefault(cfg.LLMModel), orDefault(cfg.LLMLightModel), orDefault(cfg.LLMBaseURL), cfg.LLMTimeout, cfg.LLMConcurrency)
	d := deps(log, cfg)
	d.Checkout = cmp.Or(cfg.CloneDir, ".")
	out2 := workflow.Safely(log, cfg, func() workflow.Outcome {
		if crashCanary != "" {
			panic("canary crash: " + cfg.AccessToken + " " + cfg.APIToken + " " + cfg.LLMAPIKey + " " + cfg.JiraAPIToken)
		}
		if !cfg.ChatMode() {
			return workflow.Run(ctx, p, cfg, d)
		}
		commentID, err := strconv.ParseInt(strings.TrimSpace(cfg.ChatCommentID), 10, 64)
		if err != nil || commentID < 1 {
			return workflow.Outcome{Err: &workflow.ConfigError{Err: fmt.Errorf("BITREVIEW_COMMENT_ID: %q is not a comment id", cfg.ChatCommentID)}}
		}
		return workflow.Answer(ctx, p, cfg, d, commentID, command.Command(cfg.Command()))
	})
	return workflow.ExitCode(out2, log)
}

func orDefault(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}
