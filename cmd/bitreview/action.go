package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	ghservice "github.com/bitreview/bitreview/service/github"
	"github.com/bitreview/bitreview/settings"
	"github.com/bitreview/bitreview/workflow"
)

// runAction is `bitreview action`: the GitHub Action's entrypoint. It
// reviews the pull request of a pull_request event, or acts on an
// "@bitreview …" comment of an issue_comment / pull_request_review_comment
// event: the same flow and guarantees as the pipe.
func runAction(ctx context.Context, environ []string, out io.Writer) int {
	warnings := settings.UnknownVariables(environ) // before the inputs are mapped: INPUT_* is GitHub's
	environ = settings.ActionEnviron(environ)
	cfg, cerr := settings.LoadValidated(environ, "action")
	log := newLog(out, cfg.Debug)
	for _, w := range warnings {
		log.Warn("%s", w)
	}
	gc, gerr := settings.LoadAction(environ)
	if cerr != nil {
		fmt.Fprintf(out, "✖ %s\n", cerr.Error())
	}
	if gerr != nil {
		fmt.Fprintf(out, "✖ %s\n", gerr.Error())
	}
	if cerr != nil || gerr != nil {
		fmt.Fprintln(out, "  See docs/github-action.md.")
		return workflow.ExitConfig
	}
	ctx, cancel := workflow.WithRunDeadline(ctx, cfg.RunTimeout)
	defer cancel()
	ev, number, err := settings.ReadEvent(gc.EventPath)
	if err != nil {
		log.Fail("%v", err)
		return workflow.ExitConfig
	}
	if number == 0 {
		log.Info("The %s event is not about a pull request: nothing to do.", cmp.Or(gc.EventName, "workflow"))
		return workflow.ExitOK
	}
	client, err := ghservice.NewClient(&http.Client{Timeout: requestTimeout(cfg.RunTimeout)}, gc.APIURL, gc.Token, "bitreview/"+version)
	if err != nil {
		return workflow.ExitCode(workflow.Outcome{Err: &workflow.ConfigError{Err: err}}, log)
	}
	owner, repo, _ := strings.Cut(gc.Repository, "/")
	opts := ghservice.PlatformOptions{DryRun: dryRun(cfg, out), CloneDir: gc.Workspace, CheckRun: gc.CheckRun}
	if ev.PullRequest != nil && ev.Comment != nil {
		opts.CommentKind = ghservice.ReviewComment
	}
	p := ghservice.NewPlatform(ghservice.FromClient(client), ghservice.PR{Owner: owner, Repo: repo, Number: number}, opts)
	d := deps(log, cfg)
	d.Checkout = cmp.Or(gc.Workspace, ".")
	if ev.Comment == nil {
		return workflow.ExitCode(workflow.Run(ctx, p, cfg, d), log)
	}
	m, ok := d.Commands.Parse(ev.Comment.Body)
	if !ok || strings.HasSuffix(ev.Comment.User.Login, "[bot]") {
		log.Info("The comment does not ask bitreview for anything: nothing to do.")
		return workflow.ExitOK
	}
	return workflow.ExitCode(workflow.Answer(ctx, p, cfg, d, ev.Comment.ID, m.Command), log)
}
