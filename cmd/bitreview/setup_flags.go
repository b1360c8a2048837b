package main

import (
	"github.com/bitreview/bitreview/settings"

	"errors"
	"flag"
	"fmt"
	"io"
)

type setupFlags struct {
	url, replaceURL, workspace, repos string
	all, dryRun, updateSecret         bool
}

// setupFlagSet declares setup's flags into f (also for its help).
func setupFlagSet(f *setupFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("setup", flag.ContinueOnError)
	fs.StringVar(&f.url, "url", "", "the relay's public webhook URL, e.g. https://relay.example.com/webhook (required)")
	fs.StringVar(&f.workspace, "workspace", "", "workspace slug (default BITBUCKET_WORKSPACE)")
	fs.StringVar(&f.repos, "repos", "", "comma-separated repository slugs (default BITBUCKET_REPO_SLUG)")
	fs.BoolVar(&f.all, "all", false, "every repository of the workspace the credentials can see")
	fs.StringVar(&f.replaceURL, "replace-url", "", "move webhooks that point to this old relay URL to --url (and give them the current secret)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan and change nothing")
	fs.BoolVar(&f.updateSecret, "update-secret", false, "send RELAY_WEBHOOK_SECRET to existing webhooks too (after rotating it); Bitbucket never shows a secret, so setup cannot tell whether it matches")
	return fs
}

// parseAdminFlags parses the flags of doctor or setup, declared in fs
// (named after the command): -h prints the command's help. done tells
// that the command ends here, with code.
func parseAdminFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	name := fs.Name()
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if c, ok := lookupCommand(name); ok {
			printCommandHelp(stderr, c)
		}
	}
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK, true
	case err != nil:
		fmt.Fprintf(stderr, "bitreview %s: %v\n", name, err)
		return exitConfig, true
	}
	return exitOK, false
}

// loadAdminConfig reads the configuration doctor and setup share: what
// does not parse, and what is wrong with the Bitbucket credentials (the
// command needs scopes).
func loadAdminConfig(environ []string, scopes string) (settings.Settings, []string) {
	cfg, cerr := settings.Load(environ)
	var problems []string
	if cerr != nil {
		problems = append(problems, cerr.Problems...)
	}
	return cfg, append(problems, cfg.AuthProblems(scopes)...)
}

// workspaceProblem names the missing workspace.
func workspaceProblem(ws string) []string {
	if ws == "" {
		return []string{"--workspace: not set, and neither is BITBUCKET_WORKSPACE"}
	}
	return nil
}
