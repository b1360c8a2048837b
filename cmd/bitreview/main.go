// Command bitreview reviews pull requests with an LLM: as a Bitbucket Pipe
// (bitreview pipe), a GitHub Action (bitreview action) and on a local
// checkout (bitreview review), with a webhook relay and setup and doctor
// for Bitbucket. Each command is one file: flags and environment in, one
// package call, the exit code out; wire.go builds what they share.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	// The image is FROM scratch, with no CA bundle: embed Mozilla's roots
	// as the fallback used only when the system has none.
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/bitreview/bitreview/settings"
	"github.com/bitreview/bitreview/workflow"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes (product.md), the workflow's.
const (
	exitOK       = workflow.ExitOK
	exitFindings = workflow.ExitFindings // findings at or above FAIL_ON
	exitConfig   = workflow.ExitConfig   // bad configuration or usage
	exitRemote   = workflow.ExitRemote   // Bitbucket or the LLM unreachable or refusing
)

// Set by -ldflags at release builds.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// run is main without the process: arguments, environment and output are
// passed in so tests can call it directly.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitConfig
	}
	// Help runs nothing: pipe, action and relay would validate their
	// configuration first. The relay's own code is not reached either.
	if helpAsked(args[1:]) {
		if c, ok := lookupCommand(helpTarget(args)...); ok {
			printCommandHelp(stdout, c)
			return exitOK
		}
	}
	switch args[0] {
	case "pipe":
		switch platform, err := settings.PlatformOf(environ); {
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
		return runHelp(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "bitreview: unknown command %q\n\n", args[0])
	printUsage(stderr)
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
