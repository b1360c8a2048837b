package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Exit codes (product.md).
const (
	exitOK       = 0
	exitFindings = 1 // findings at or above FAIL_ON
	exitConfig   = 2 // bad configuration or usage
	exitRemote   = 3 // Bitbucket or the LLM unreachable or refusing
)

// Set by -ldflags at release builds.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

const usage = `bitreview — AI code review for Bitbucket Cloud pull requests

Usage:
  bitreview pipe                 review the pull request named by the pipeline variables
                                 and post inline comments and a summary (the image's entrypoint)
  bitreview action               the GitHub Action: review the pull request of the workflow's
                                 event (docs/github-action.md)
  bitreview review [flags] [DIR] review a local git checkout's changes and print the review
  bitreview relay                serve Bitbucket webhooks and start the custom pipeline
                                 bitreview for @bitreview comments and fork pull requests
  bitreview setup [flags]        install or repair the relay's webhook on repositories
                                 and print the bitbucket-pipelines.yml they still need
  bitreview doctor [flags]       check credentials, scopes, webhook, pipelines and the LLM
  bitreview version              print version, commit and build date
  bitreview help                 show this help

Flags of review:
  --base REF        compare against REF (default: merge base with the remote default branch)
  --format FORMAT   text, markdown or json (default text)

Flags of setup (bitreview setup --help for all):
  --url URL           the relay's public webhook URL, such as https://relay.example.com/webhook
  --repos A,B | --all the repositories (default BITBUCKET_REPO_SLUG) or every one of the workspace
  --replace-url OLD   move webhooks that point to OLD;  --dry-run  print the plan, change nothing

Flags of doctor (bitreview doctor --help for all):
  --url URL           the relay's webhook URL to compare and ping;  --format text|json

Relay variables: RELAY_WEBHOOK_SECRET (required; also used by setup),
RELAY_LISTEN (default :8080), RELAY_BOT_NAME (default bitreview),
RELAY_ALLOWED_UUIDS (only these accounts may trigger; default anyone who can comment).

Configuration comes from environment variables (pipe variables arrive as
environment variables). The main ones:
  BITBUCKET_ACCESS_TOKEN            repository/project/workspace access token, or
  BITBUCKET_API_TOKEN + BITBUCKET_EMAIL   Atlassian API token with scopes
  LLM_PROVIDER, LLM_MODEL, LLM_API_KEY, LLM_BASE_URL
  FAIL_ON, MIN_SEVERITY, MAX_COMMENTS, PATH_FILTERS, DRY_RUN, DEBUG
See README.md for every variable.

Exit codes: 0 ok, 1 findings at/above FAIL_ON, 2 bad configuration,
3 Bitbucket or LLM unreachable (only with FAIL_ON_ERROR=true).
setup and doctor: 0 all good, 1 something failed or is broken, 2 bad configuration.
relay: 0 after a clean shutdown, 2 bad configuration, 3 Bitbucket unreachable at startup.
`

// run is main without the process: arguments, environment and output are
// passed in so tests can call it directly.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitConfig
	}
	switch args[0] {
	case "pipe":
		switch platform, err := platformOf(environ); {
		case err != nil:
			fmt.Fprintf(stdout, "✖ %v\n", err)
			return exitConfig
		case platform == "github":
			return runAction(ctx, environ, stdout)
		}
		return runPipe(ctx, environ, stdout)
	case "action":
		return runAction(ctx, environ, stdout)
	case "review":
		return runLocalReview(ctx, args[1:], environ, stdout, stderr)
	case "relay":
		return runRelay(ctx, environ, stderr)
	case "setup":
		return runSetup(ctx, args[1:], environ, stdout, stderr)
	case "doctor":
		return runDoctor(ctx, args[1:], environ, stdout, stderr)
	case "config":
		return runConfig(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "bitreview: unknown command %q\n\n%s", args[0], usage)
	return exitConfig
}

// versionString is `bitreview version`: the -ldflags values of a release
// build, else what Go embeds in every build.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(version, commit, date, bi)
}

// versionFrom fills what -ldflags did not set from the build information
// Go embeds: the module version (a VCS-derived pseudo-version, or the tag
// `go install module@v…` fetched; "(devel)" says nothing) and the
// revision and time of the VCS checkout, "+dirty" when it had changes. So a
// plain `go build` names its commit too. (Go records no VCS data in a
// linked git worktree or with -buildvcs=false; then only ldflags tell.)
func versionFrom(v, c, d string, bi *debug.BuildInfo) string {
	if bi != nil {
		if mv := bi.Main.Version; v == "dev" && mv != "" && mv != "(devel)" {
			v = mv
		}
		var rev, at string
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if c == "" && rev != "" {
			c = rev
			if dirty {
				c += "+dirty"
			}
		}
		if d == "" {
			d = at
		}
	}
	parts := []string{"bitreview " + v}
	if c != "" {
		parts = append(parts, "commit "+c)
	}
	if d != "" {
		parts = append(parts, "built "+d)
	}
	return strings.Join(parts, ", ")
}
