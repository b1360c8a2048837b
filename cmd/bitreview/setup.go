package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bitreview/bitreview/admin"
	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/settings"
)

const setupScopes = "read:webhook:bitbucket and write:webhook:bitbucket (an access token's Webhooks: Read and write), read:pullrequest:bitbucket (the events' scope) and read:repository:bitbucket (to list repositories and read bitbucket-pipelines.yml)"

// setupFlagSet declares setup's flags into f (also for its help).
func setupFlagSet(f *admin.SetupFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.StringVar(&f.URL, "url", "", "the relay's public webhook URL, e.g. https://relay.example.com/webhook (required)")
	fs.StringVar(&f.Workspace, "workspace", "", "workspace slug (default BITBUCKET_WORKSPACE)")
	fs.StringVar(&f.Repos, "repos", "", "comma-separated repository slugs (default BITBUCKET_REPO_SLUG)")
	fs.BoolVar(&f.All, "all", false, "every repository of the workspace the credentials can see")
	fs.StringVar(&f.ReplaceURL, "replace-url", "", "move webhooks that point to this old relay URL to --url (and give them the current secret)")
	fs.BoolVar(&f.DryRun, "dry-run", false, "print the plan and change nothing")
	fs.BoolVar(&f.UpdateSecret, "update-secret", false, "send RELAY_WEBHOOK_SECRET to existing webhooks too (after rotating it); Bitbucket never shows a secret, so setup cannot tell whether it matches")
	return fs
}

// runSetup is `bitreview setup`. Exit codes: 0 every repository is set up
// (or, with --dry-run, was planned), 1 some repository failed, 2 bad
// configuration.
func runSetup(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	// Repository names and webhook URLs come from the network.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	var f admin.SetupFlags
	if code, done := parseAdminFlags(setupFlagSet(&f), args, stderr); done {
		return code
	}
	cfg, problems := loadAdminConfig(environ, setupScopes)
	o, more := admin.NewSetupOptions(f, cfg, settings.LoadRelay(environ))
	if problems = append(problems, more...); len(problems) > 0 {
		printConfigProblems(stderr, problems)
		return exitConfig
	}
	client, err := newBitbucketClient(cfg)
	if err != nil {
		printConfigProblems(stderr, []string{err.Error()})
		return exitConfig
	}
	p := setupPrinter{w: stdout, url: f.URL, dryRun: f.DryRun}
	sum, err := admin.Setup(ctx, client, o, p)
	if err != nil {
		fmt.Fprintf(stdout, "✖ %s\n", withFix(err))
		return exitFindings
	}
	p.summary(sum)
	if sum.Failed > 0 {
		return exitFindings
	}
	return exitOK
}

// setupPrinter prints setup's progress, one line a repository (and its
// warnings), then the summary.
type setupPrinter struct {
	w      io.Writer
	url    string
	dryRun bool
}

func (p setupPrinter) mode() string {
	if p.dryRun {
		return " (dry run: nothing is changed)"
	}
	return ""
}

// Start prints the header.
func (p setupPrinter) Start(repos int) {
	fmt.Fprintf(p.w, "bitreview setup: webhook %s on %d repositor%s%s\n", p.url, repos, plural(repos, "y", "ies"), p.mode())
}

// Repo prints what setup did to one repository.
func (p setupPrinter) Repo(r admin.RepoResult) {
	changes := strings.Join(r.Plan.Changes, "; ")
	switch {
	case r.Err != nil:
		fmt.Fprintf(p.w, "✖ %s: %s\n", r.Repo, withFix(r.Err))
		return
	case r.Plan.Action == admin.HookKeep:
		fmt.Fprintf(p.w, "✔ %s: webhook %s is up to date\n", r.Repo, r.Hook)
	case r.Plan.Action == admin.HookCreate && p.dryRun:
		fmt.Fprintf(p.w, "+ %s: would create the webhook (%s)\n", r.Repo, changes)
	case r.Plan.Action == admin.HookCreate:
		fmt.Fprintf(p.w, "+ %s: created webhook %s (%s)\n", r.Repo, r.Hook, changes)
	case p.dryRun:
		fmt.Fprintf(p.w, "~ %s: would repair webhook %s: %s\n", r.Repo, r.Hook, changes)
	default:
		fmt.Fprintf(p.w, "~ %s: repaired webhook %s: %s\n", r.Repo, r.Hook, changes)
	}
	for _, w := range r.Plan.Warnings {
		fmt.Fprintf(p.w, "! %s: %s\n", r.Repo, w)
	}
}

// summary prints the snippet the repositories still lack, and the counts.
func (p setupPrinter) summary(s admin.SetupSummary) {
	if len(s.NeedYML) > 0 {
		fmt.Fprintf(p.w, "\n%s on the main branch of %s still lacks bitreview's steps. Add (and merge to the main branch):\n\n%s\n",
			admin.PipelinesFile, strings.Join(s.NeedYML, ", "), admin.PipelinesSnippet(version))
	}
	if len(s.YMLUnknown) > 0 {
		fmt.Fprintf(p.w, "\n! could not read %s of %s; make sure it has the steps of `bitreview setup --help`'s snippet (bitreview doctor checks it)\n",
			admin.PipelinesFile, strings.Join(s.YMLUnknown, ", "))
	}
	verb := ""
	if p.dryRun {
		verb = "would be "
	}
	fmt.Fprintf(p.w, "\n%d %screated, %d %srepaired, %d up to date, %d failed%s\n",
		s.Created, verb, s.Repaired, verb, s.UpToDate, s.Failed, p.mode())
}

// withFix renders a failed Bitbucket call with its fix.
func withFix(err error) string {
	if hint := admin.Hint(err); hint != "" {
		return err.Error() + "\n    fix: " + hint
	}
	return err.Error()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
