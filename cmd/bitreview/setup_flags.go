package main

import (
	"flag"
	"fmt"
	"io"
)

type setupFlags struct {
	url, replaceURL, workspace, repos string
	all, dryRun, updateSecret         bool
}

func parseSetupFlags(args []string, stderr io.Writer) (setupFlags, error) {
	var f setupFlags
	fs := setupFlagSet(&f)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if c, ok := lookupCommand("setup"); ok {
			printCommandHelp(stderr, c)
		}
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, nil
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
