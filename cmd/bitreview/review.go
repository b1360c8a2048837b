package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/localreview"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// runLocalReview is `bitreview review [--base REF] [--format F]
// [--lint-report FILE]... [DIR]`: the same engine on a local checkout's
// changes, printed, nothing posted.
func runLocalReview(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	// Warnings and errors can quote file names and file content; the
	// review itself is cleaned by localreview.Print.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	ra, ok := parseReviewArgs(args, stderr)
	if !ok {
		return exitConfig
	}
	cfg, cerr := settings.LoadValidated(environ, "review")
	for _, w := range settings.UnknownVariables(environ) {
		fmt.Fprintf(stderr, "⚠ %s\n", w)
	}
	if cerr != nil {
		fmt.Fprintf(stderr, "✖ %s\n", cerr.Error())
		return exitConfig
	}
	res, err := localreview.Review(ctx, localreview.Options{
		Dir: ra.dir, Base: ra.base, Settings: cfg, Model: newModel, Log: stderrLog{stderr}, LintReports: ra.lintReports,
		Secrets:   func() (review.SecretScanner, error) { return redact.New() },
		CrossFile: crossFile,
	})
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "✖ %v\n", err)
		return localreview.ExitCode(res, err)
	case res.Review == nil:
		fmt.Fprintf(stdout, "No changes against %s.\n", res.Base)
		return exitOK
	}
	if err := localreview.Print(stdout, ra.format, version, res); err != nil {
		fmt.Fprintf(stderr, "✖ write output: %v\n", err)
		return exitRemote
	}
	if res.Err != nil {
		fmt.Fprintf(stderr, "✖ %v\n", res.Err)
	}
	return localreview.ExitCode(res, nil)
}

// stderrLog prints a local review's warnings and notes on stderr.
type stderrLog struct{ w io.Writer }

func (l stderrLog) Warn(msg string) { fmt.Fprintf(l.w, "⚠ %s\n", msg) }
func (l stderrLog) Info(msg string) { fmt.Fprintln(l.w, msg) }

// reviewArgs are review's flags and folder.
type reviewArgs struct {
	dir, base, format string
	lintReports       []string
}

// parseReviewArgs reads review's flags, before or after the folder, and the
// folder (default "."). It reports false, having said why on stderr, for
// bad usage.
func parseReviewArgs(args []string, stderr io.Writer) (reviewArgs, bool) {
	var ra reviewArgs
	fs := reviewFlagSet(&ra)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if c, ok := lookupCommand("review"); ok {
			printCommandHelp(stderr, c)
		}
	}
	folders, err := parseInterspersed(fs, args)
	switch {
	case err != nil: // the flag package said why
		return ra, false
	case !slices.Contains(localreview.Formats(), ra.format):
		fmt.Fprintf(stderr, "bitreview review: --format must be text, markdown or json\n")
		return ra, false
	case len(folders) > 1:
		fmt.Fprintf(stderr, "bitreview review: one folder at most, got %q and %q (flags may come before or after it)\n", folders[0], folders[1])
		return ra, false
	case len(folders) == 1:
		ra.dir = folders[0]
		return ra, true
	}
	ra.dir = "."
	return ra, true
}

// reviewFlagSet declares review's flags (also for its help).
func reviewFlagSet(ra *reviewArgs) *flag.FlagSet {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.StringVar(&ra.base, "base", "", "git ref to compare against (default: merge base with the remote default branch)")
	fs.StringVar(&ra.format, "format", "text", "output format: text, markdown or json")
	fs.Func("lint-report", "a static-analysis report (SARIF 2.1.0, Checkstyle XML, rdjson) to merge into the review; repeatable",
		func(f string) error { ra.lintReports = append(ra.lintReports, f); return nil })
	return fs
}

// parseInterspersed parses flags wherever they are among args (the
// standard flag package stops at the first non-flag, so `review . --format
// json` would ignore the format) and returns the other arguments in order.
// After "--" every argument is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}
