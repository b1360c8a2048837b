package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bitreview/bitreview/admin"
	"github.com/bitreview/bitreview/internal/termsafe"
)

// doctorFlags are doctor's flags: its options', and the output format.
type doctorFlags struct {
	admin.DoctorFlags
	format string
}

// doctorFlagSet declares doctor's flags into f (also for its help).
func doctorFlagSet(f *doctorFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.StringVar(&f.Workspace, "workspace", "", "workspace slug (default BITBUCKET_WORKSPACE)")
	fs.StringVar(&f.Repo, "repo", "", "repository slug (default BITBUCKET_REPO_SLUG)")
	fs.StringVar(&f.URL, "url", "", "the relay's webhook URL: the webhook must point to it, and the relay is pinged")
	fs.IntVar(&f.PR, "pr", 0, "a pull request to read (default: the newest open one)")
	fs.StringVar(&f.format, "format", "text", "text or json")
	fs.StringVar(&f.For, "for", "pipe,relay,setup", "check what these commands need: pipe, relay, setup (comma-separated)")
	fs.BoolVar(&f.NoWriteProbes, "no-write-probes", false, "skip the write-scope probes (requests that target an object that cannot exist)")
	return fs
}

// runDoctor is `bitreview doctor`. Exit codes: 0 all good (warnings
// allowed), 1 something is broken, 2 bad configuration.
func runDoctor(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	// Names, URLs and error bodies come from the network.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	var f doctorFlags
	if code, done := parseAdminFlags(doctorFlagSet(&f), args, stderr); done {
		return code
	}
	cfg, problems := loadAdminConfig(environ, "the scopes of the commands it checks")
	if f.format != "text" && f.format != "json" {
		problems = append(problems, "--format: must be text or json")
	}
	o, more := admin.NewDoctorOptions(f.DoctorFlags, cfg)
	problems = append(problems, more...)
	if len(problems) == 0 {
		client, err := newBitbucketClient(cfg)
		if err == nil {
			return reportDoctor(stdout, f.format, admin.Doctor(ctx, client, o))
		}
		problems = append(problems, err.Error())
	}
	if f.format == "json" { // a script asked for JSON: it gets JSON
		_ = termsafe.EncodeJSON(stdout, admin.Report{Workspace: o.Workspace, Repo: o.Repo, Auth: o.Auth,
			For: o.For, Checks: []admin.Check{}, Problems: problems})
		return exitConfig
	}
	printConfigProblems(stderr, problems)
	return exitConfig
}

// reportDoctor prints the report in format and maps it to the exit code.
func reportDoctor(w io.Writer, format string, rep admin.Report) int {
	if format == "json" {
		_ = termsafe.EncodeJSON(w, rep)
	} else {
		printDoctorText(w, rep)
	}
	if !rep.OK {
		return exitFindings
	}
	return exitOK
}

// doctorMark is the text report's mark of a status.
func doctorMark(s admin.Status) string {
	switch s {
	case admin.StatusOK:
		return "✔"
	case admin.StatusFail:
		return "✖"
	case admin.StatusWarn:
		return "!"
	case admin.StatusSkip:
		return "–"
	}
	return ""
}

func printDoctorText(w io.Writer, rep admin.Report) {
	fmt.Fprintf(w, "bitreview doctor: %s/%s on %s with %s; checking what %s need%s\n\n",
		rep.Workspace, rep.Repo, rep.API, rep.Auth, strings.Join(rep.For, ", "), plural(len(rep.For), "s", ""))
	fails, warns := 0, 0
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "%s %s", doctorMark(c.Status), c.Name)
		if c.Detail != "" {
			fmt.Fprintf(w, ": %s", c.Detail)
		}
		fmt.Fprintln(w)
		if len(c.Missing) > 0 {
			fmt.Fprintf(w, "    missing scope: %s\n", strings.Join(c.Missing, ", "))
		}
		if c.Fix != "" {
			fmt.Fprintf(w, "    fix: %s\n", strings.ReplaceAll(c.Fix, "\n", "\n         "))
		}
		switch c.Status {
		case admin.StatusFail:
			fails++
		case admin.StatusWarn:
			warns++
		}
	}
	switch {
	case fails > 0:
		fmt.Fprintf(w, "\n✖ %d problem%s to fix", fails, plural(fails, "", "s"))
	default:
		fmt.Fprintf(w, "\n✔ all good")
	}
	if warns > 0 {
		fmt.Fprintf(w, " (%d warning%s)", warns, plural(warns, "", "s"))
	}
	fmt.Fprintln(w)
}
