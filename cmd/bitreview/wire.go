package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/jira"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
	"github.com/bitreview/bitreview/workflow"
	"github.com/bitreview/bitreview/xref"
)

// The composition root: what a command builds before it calls one package.

// newLog is the step log of a pipe or action run, redacting every line.
func newLog(out io.Writer, debug bool) *workflow.Log {
	return workflow.NewLog(out, debug, func() (review.TextScanner, error) { return redact.New() })
}

// deps are what every review run needs besides its host and settings;
// a Jira client when cfg configures one (validated by settings).
func deps(log *workflow.Log, cfg settings.Settings) workflow.Deps {
	d := workflow.Deps{
		Log: log, Version: version, Model: newModel,
		Secrets:   func() (review.SecretScanner, error) { return redact.New() },
		Commands:  settings.CommandParser(),
		CrossFile: crossFile,
	}
	if c, err := jira.NewClient(cfg.JiraBaseURL, cfg.JiraEmail, cfg.JiraAPIToken, jira.WithUserAgent("bitreview/"+version)); err == nil && cfg.JiraConfigured() {
		d.Jira = jira.NewTracker(c)
	}
	return d
}

// crossFile is the cross-file context finder over a head commit's tree,
// with the default bounds (package xref).
func crossFile(tree review.Tree) review.CrossFile { return xref.New(tree, xref.Limits{}) }

func newModel(cfg settings.Settings) (review.Model, error) {
	m, err := llm.New(cfg.LLM())
	if err != nil {
		return nil, fmt.Errorf("LLM configuration: %w", err)
	}
	return m, nil
}

// dryRun is where a dry run prints what it would post, nil to post.
func dryRun(cfg settings.Settings, out io.Writer) io.Writer {
	if cfg.DryRun {
		return out
	}
	return nil
}

// newBitbucketClient builds a Bitbucket client with cfg's credentials.
func newBitbucketClient(cfg settings.Settings, opts ...bbapi.Option) (*bbapi.Client, error) {
	opts = append([]bbapi.Option{bbapi.WithUserAgent("bitreview/" + version)}, opts...)
	if cfg.AccessToken != "" {
		opts = append(opts, bbapi.WithAccessToken(cfg.AccessToken))
	} else {
		opts = append(opts, bbapi.WithAPIToken(cfg.Email, cfg.APIToken))
	}
	c, err := bbapi.NewClient(cfg.APIURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("BITBUCKET_API_URL: %w", err)
	}
	return c, nil
}

// newPipeClient is the pipe's Bitbucket client: each request bounded by
// RUN_TIMEOUT (requestTimeout); a bad API URL is a configuration error.
func newPipeClient(cfg settings.Settings) (*bbapi.Client, error) {
	var opts []bbapi.Option
	if cfg.RunTimeout > 0 {
		opts = append(opts, bbapi.WithTimeout(requestTimeout(cfg.RunTimeout)))
	}
	c, err := newBitbucketClient(cfg, opts...)
	if err != nil {
		return nil, &workflow.ConfigError{Err: err}
	}
	return c, nil
}

// requestTimeout is the deadline of one request, headers and body: a
// minute, or a tenth of the run when that is shorter, so no single stalled
// request eats the run (RUN_TIMEOUT).
func requestTimeout(run time.Duration) time.Duration {
	return min(bbapi.DefaultTimeout, run/10)
}

// The Pipelines auth proxy authenticates requests a pipe sends through it,
// but only for Code Insights reports (and git push): reading the pull
// request and writing comments always need a token.
const (
	pipelinesProxy = "http://host.docker.internal:29418"
	proxyAPIBase   = "http://api.bitbucket.org/2.0"
)

// newProxyClient returns a client without credentials whose requests go
// through the Pipelines auth proxy, which adds them.
func newProxyClient(proxy, base string) (*bbapi.Client, error) {
	u, err := url.Parse(proxy)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(u)
	tr.ResponseHeaderTimeout = 30 * time.Second
	return bbapi.NewClient(base, bbapi.WithHTTPClient(&http.Client{Transport: tr}),
		bbapi.WithUserAgent("bitreview/"+version), bbapi.WithRetry(2, 500*time.Millisecond, 2*time.Second))
}

// printConfigProblems says what is wrong with the configuration of the
// relay, setup or doctor.
func printConfigProblems(w io.Writer, problems []string) {
	fmt.Fprintf(w, "✖ %s\n", (&settings.Error{Problems: problems}).Error())
	fmt.Fprintln(w, "  Run `bitreview help` for the commands and their variables.")
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

// loadAdminConfig reads the configuration the relay, doctor and setup
// share: what does not parse, the command's other problems (more), and
// what is wrong with the Bitbucket credentials (the command needs scopes).
func loadAdminConfig(environ []string, scopes string, more ...string) (settings.Settings, []string) {
	cfg, cerr := settings.Load(environ)
	var problems []string
	if cerr != nil {
		problems = append(problems, cerr.Problems...)
	}
	problems = append(problems, more...)
	return cfg, append(problems, cfg.AuthProblems(scopes)...)
}
