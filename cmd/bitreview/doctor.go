package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/settings"
)

// Check statuses.
const (
	statusOK   = "ok"
	statusFail = "fail"
	statusWarn = "warn"
	statusSkip = "skip"
)

// The commands whose needs doctor checks (--for).
const (
	forPipe  = "pipe"
	forRelay = "relay"
	forSetup = "setup"
)

// check is one line of doctor's report.
type check struct {
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Detail  string   `json:"detail,omitempty"`
	Missing []string `json:"missing_scopes,omitempty"`
	Fix     string   `json:"fix,omitempty"`
	For     []string `json:"for"`
}

// doctorReport is the whole result; --format json prints it.
type doctorReport struct {
	OK        bool     `json:"ok"`
	Workspace string   `json:"workspace"`
	Repo      string   `json:"repository"`
	API       string   `json:"api"`
	Auth      string   `json:"auth_mode"`
	For       []string `json:"for"`
	Checks    []check  `json:"checks"`
	// Problems are the configuration errors that kept doctor from
	// checking anything (exit 2); names and fixes, never values.
	Problems []string `json:"configuration_errors,omitempty"`
}

type doctorFlags struct {
	workspace, repo, url, format, forList string
	pr                                    int
	noWriteProbes                         bool
}

// doctorFlagSet declares doctor's flags into f (also for its help).
func doctorFlagSet(f *doctorFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.StringVar(&f.workspace, "workspace", "", "workspace slug (default BITBUCKET_WORKSPACE)")
	fs.StringVar(&f.repo, "repo", "", "repository slug (default BITBUCKET_REPO_SLUG)")
	fs.StringVar(&f.url, "url", "", "the relay's webhook URL: the webhook must point to it, and the relay is pinged")
	fs.IntVar(&f.pr, "pr", 0, "a pull request to read (default: the newest open one)")
	fs.StringVar(&f.format, "format", "text", "text or json")
	fs.StringVar(&f.forList, "for", "pipe,relay,setup", "check what these commands need: pipe, relay, setup (comma-separated)")
	fs.BoolVar(&f.noWriteProbes, "no-write-probes", false, "skip the write-scope probes (requests that target an object that cannot exist)")
	return fs
}

func parseDoctorFlags(args []string, stderr io.Writer) (doctorFlags, error) {
	var f doctorFlags
	fs := doctorFlagSet(&f)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if c, ok := lookupCommand("doctor"); ok {
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

// runDoctor is `bitreview doctor`. Exit codes: 0 all good (warnings
// allowed), 1 something is broken, 2 bad configuration.
func runDoctor(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	// Names, URLs and error bodies come from the network.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	f, err := parseDoctorFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "bitreview doctor: %v\n", err)
		return exitConfig
	}
	cfg, cerr := settings.Load(environ)
	var problems []string
	if cerr != nil {
		problems = append(problems, cerr.Problems...)
	}
	problems = append(problems, cfg.AuthProblems("the scopes of the commands it checks")...)
	if f.format != "text" && f.format != "json" {
		problems = append(problems, "--format: must be text or json")
	}
	roles := splitList(f.forList)
	for _, r := range roles {
		if r != forPipe && r != forRelay && r != forSetup {
			problems = append(problems, "--for: must list pipe, relay or setup")
			break
		}
	}
	if len(roles) == 0 {
		problems = append(problems, "--for: must list pipe, relay or setup")
	}
	if f.url != "" {
		if p := hookURLProblem("--url", f.url); p != "" {
			problems = append(problems, p)
		}
	}
	d := &doctor{ctx: ctx, cfg: cfg, f: f, roles: roles, ws: f.workspace, repo: f.repo}
	if d.ws == "" {
		d.ws = cfg.Workspace
	}
	if d.repo == "" {
		d.repo = cfg.RepoSlug
	}
	if d.ws == "" {
		problems = append(problems, "--workspace: not set, and neither is BITBUCKET_WORKSPACE")
	}
	if d.repo == "" {
		problems = append(problems, "--repo: not set, and neither is BITBUCKET_REPO_SLUG")
	}
	if len(problems) == 0 {
		if d.client, err = apiClient(cfg); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		if f.format == "json" { // a script asked for JSON: it gets JSON
			writeDoctorJSON(stdout, doctorReport{Workspace: d.ws, Repo: d.repo, Auth: cfg.AuthMode(),
				For: roles, Checks: []check{}, Problems: problems})
			return exitConfig
		}
		printConfigProblems(stderr, problems)
		return exitConfig
	}
	rep := d.run()
	if f.format == "json" {
		writeDoctorJSON(stdout, rep)
	} else {
		printDoctorText(stdout, rep)
	}
	if !rep.OK {
		return exitFindings
	}
	return exitOK
}

func writeDoctorJSON(w io.Writer, rep doctorReport) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(rep)
	_, _ = w.Write(termsafe.JSON(b.Bytes()))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func printDoctorText(w io.Writer, rep doctorReport) {
	fmt.Fprintf(w, "bitreview doctor: %s/%s on %s with %s; checking what %s need%s\n\n",
		rep.Workspace, rep.Repo, rep.API, rep.Auth, strings.Join(rep.For, ", "), map[bool]string{true: "s", false: ""}[len(rep.For) == 1])
	fails, warns := 0, 0
	for _, c := range rep.Checks {
		mark := map[string]string{statusOK: "✔", statusFail: "✖", statusWarn: "!", statusSkip: "–"}[c.Status]
		fmt.Fprintf(w, "%s %s", mark, c.Name)
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
		case statusFail:
			fails++
		case statusWarn:
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

// scopeError reads which scopes a 403 says are missing: Bitbucket's body
// carries error.detail.required and .granted. Without them the call's
// documented scopes stand in.
func scopeError(err error) (missing []string, is403 bool) {
	var er *bbapi.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != 403 {
		return nil, false
	}
	if er.Response != nil && er.Response.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(er.Response.Body, 64<<10))
		var body struct {
			Error struct {
				Detail struct {
					Required []string `json:"required"`
					Granted  []string `json:"granted"`
				} `json:"detail"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &body) == nil && len(body.Error.Detail.Required) > 0 {
			for _, s := range body.Error.Detail.Required {
				if !slices.Contains(body.Error.Detail.Granted, s) {
					missing = append(missing, s)
				}
			}
			if len(missing) > 0 {
				return missing, true
			}
		}
	}
	return er.Scopes, true
}

// accessTokenPermission names the access-token permission of a scope.
func accessTokenPermission(scope string) string {
	switch scope {
	case "read:repository:bitbucket":
		return "Repositories: Read"
	case "write:repository:bitbucket":
		return "Repositories: Write"
	case "admin:repository:bitbucket":
		return "Repositories: Admin"
	case "read:pullrequest:bitbucket":
		return "Pull requests: Read"
	case "write:pullrequest:bitbucket":
		return "Pull requests: Write"
	case "read:webhook:bitbucket", "write:webhook:bitbucket":
		return "Webhooks: Read and write"
	case "read:pipeline:bitbucket":
		return "Pipelines: Read"
	case "write:pipeline:bitbucket":
		return "Pipelines: Write"
	}
	return ""
}

// scopeFix says how to get the missing scopes.
func (d *doctor) scopeFix(missing []string) string {
	if d.cfg.AccessToken != "" {
		var perms []string
		for _, s := range missing {
			if p := accessTokenPermission(s); p != "" && !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
		if len(perms) == 0 {
			return "access tokens cannot be given " + strings.Join(missing, ", ") + "; use an Atlassian API token (BITBUCKET_API_TOKEN and BITBUCKET_EMAIL) with it instead"
		}
		return "create a new access token with the " + strings.Join(perms, ", ") + " permission (permissions cannot be added to an existing token) and update the secured variable BITBUCKET_ACCESS_TOKEN"
	}
	return "create a new Atlassian API token with the scope " + strings.Join(missing, ", ") + " added (scopes cannot be added to an existing token; they do not imply each other) and update BITBUCKET_API_TOKEN"
}

// apiFail turns a failed API call into a check: 403 names the missing
// scopes, anything else shows the error and the client's hint.
func (d *doctor) apiFail(c *check, err error) {
	c.Status = statusFail
	if missing, ok := scopeError(err); ok {
		c.Missing = missing
		c.Detail = "Bitbucket answered 403: the credentials lack " + strings.Join(missing, ", ")
		c.Fix = d.scopeFix(missing)
		return
	}
	c.Detail = err.Error()
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) {
		c.Fix = er.Hint
	}
}

func statusCode(err error) int {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode
	}
	return 0
}

// dash shows an empty value as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
