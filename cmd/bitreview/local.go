package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

const defaultOllamaURL = "http://localhost:11434"

// runLocalReview is `bitreview review [--base REF] [--format F] [DIR]`: the
// same engine on a local checkout's changes, printed, nothing posted.
func runLocalReview(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	// Warnings and errors can quote file names and file content; the
	// review itself is cleaned by printReview.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	dir, base, format, ok := parseReviewArgs(args, stderr)
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

	baseRef, err := resolveBase(ctx, dir, base)
	if err != nil {
		fmt.Fprintf(stderr, "✖ %v\n", err)
		return exitConfig
	}
	root := dir
	if top, err := git(ctx, dir, "rev-parse", "--show-toplevel"); err == nil {
		root = strings.TrimSpace(string(top))
	}
	snap, err := snapshotTree(ctx, root)
	if err != nil {
		fmt.Fprintf(stderr, "✖ snapshot the working tree: %v\n", err)
		return exitConfig
	}
	// No textconv: the diff must show the blobs the context is read from.
	raw, err := git(ctx, root, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", baseRef.commit, snap)
	if err != nil {
		fmt.Fprintf(stderr, "✖ git diff: %v\n", err)
		return exitConfig
	}
	d, err := diffparse.Parse(raw)
	if err != nil {
		fmt.Fprintf(stderr, "✖ parse diff: %v\n", err)
		return exitRemote
	}
	if len(d.Files) == 0 {
		fmt.Fprintf(stdout, "No changes against %s.\n", baseRef.name)
		return exitOK
	}

	rs := settings.LoadRepo(ctx, localSettings(root, baseRef, snap), cfg.ConfigFile)
	cfg = cfg.Apply(rs)
	if w := untrackedConfig(root, cfg.ConfigFile, rs); w != "" {
		rs.Warnings = append(rs.Warnings, w)
	}
	for _, w := range rs.Warnings {
		fmt.Fprintf(stderr, "⚠ %s\n", w)
	}

	model, note := localModel(ctx, cfg, stderr)
	opts := cfg.EngineOptions()
	opts.Instructions, opts.Guidelines = rs.Instructions(), rs.Guidelines
	if opts.Secrets, err = redact.New(); err != nil {
		fmt.Fprintf(stderr, "✖ %v\n", err)
		return exitRemote
	}
	opts.Files = gitblob.New(root, snap)
	opts.CrossFile = crossFile(gitblob.New(root, snap))
	eng := review.New(model, opts)
	pr := review.PullRequest{Title: "local changes against " + baseRef.name}
	res, rerr := eng.Review(ctx, pr, d)
	review.AddBuiltinChecks(res, d)
	res.CostUSD = cfg.CostOf(res)
	res.Notes = append(res.Notes, rs.Notes()...)
	if note != "" {
		res.Errors = append(res.Errors, note)
	}
	if err := printReview(stdout, format, baseRef.name, res); err != nil {
		fmt.Fprintf(stderr, "✖ write output: %v\n", err)
		return exitRemote
	}
	if rerr != nil {
		fmt.Fprintf(stderr, "✖ %v\n", rerr)
		if cfg.FailOnError {
			return exitRemote
		}
	}
	threshold, _ := cfg.FailOnSeverity()
	for _, f := range append(res.Findings, res.Unanchored...) {
		if threshold >= 0 && f.Severity >= threshold {
			return exitFindings
		}
	}
	return exitOK
}

// parseReviewArgs reads review's flags, before or after the folder, and the
// folder (default "."). It reports false, having said why on stderr, for
// bad usage.
func parseReviewArgs(args []string, stderr io.Writer) (dir, base, format string, ok bool) {
	fs := reviewFlagSet(&base, &format)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		if c, ok := lookupCommand("review"); ok {
			printCommandHelp(stderr, c)
		}
	}
	folders, err := parseInterspersed(fs, args)
	switch {
	case err != nil: // the flag package said why
		return "", "", "", false
	case format != "text" && format != "markdown" && format != "json":
		fmt.Fprintf(stderr, "bitreview review: --format must be text, markdown or json\n")
		return "", "", "", false
	case len(folders) > 1:
		fmt.Fprintf(stderr, "bitreview review: one folder at most, got %q and %q (flags may come before or after it)\n", folders[0], folders[1])
		return "", "", "", false
	case len(folders) == 1:
		return folders[0], base, format, true
	}
	return ".", base, format, true
}

// reviewFlagSet declares review's flags (also for its help).
func reviewFlagSet(base, format *string) *flag.FlagSet {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.StringVar(base, "base", "", "git ref to compare against (default: merge base with the remote default branch)")
	fs.StringVar(format, "format", "text", "output format: text, markdown or json")
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

type baseRef struct{ name, commit string }

// resolveBase finds the commit to diff against: the merge base of HEAD
// with --base, or with the remote's default branch, or with a local main or
// master; with none of those, HEAD (uncommitted changes only).
func resolveBase(ctx context.Context, dir, ref string) (baseRef, error) {
	if _, err := git(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		return baseRef{}, fmt.Errorf("%s is not a git checkout: %w", dir, err)
	}
	candidates := []string{ref}
	if ref == "" {
		candidates = nil
		if out, err := git(ctx, dir, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); err == nil {
			candidates = append(candidates, strings.TrimPrefix(strings.TrimSpace(string(out)), "refs/remotes/"))
		}
		candidates = append(candidates, "origin/main", "origin/master", "main", "master")
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := git(ctx, dir, "merge-base", c, "HEAD")
		if err == nil {
			return baseRef{name: c, commit: strings.TrimSpace(string(out))}, nil
		}
		if ref != "" {
			return baseRef{}, fmt.Errorf("--base %s: no common ancestor with HEAD (is the ref fetched?)", ref)
		}
	}
	head, err := git(ctx, dir, "rev-parse", "--verify", "HEAD")
	if err != nil {
		// A repository without commits: diff against the empty tree.
		return baseRef{name: "the empty tree", commit: "4b825dc642cb6eb9a060e54bf8d69288fbee4904"}, nil
	}
	return baseRef{name: "HEAD", commit: strings.TrimSpace(string(head))}, nil
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return gitEnv(ctx, dir, nil, args...)
}

// gitEnv is git with extra environment variables.
func gitEnv(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "-c", "core.quotepath=false"}, args...)...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return out, nil
}

// localModel returns the configured model, or a local Ollama when nothing
// is configured, or nil with a note saying exactly what to set.
func localModel(ctx context.Context, cfg settings.Settings, stderr io.Writer) (review.Model, string) {
	configured := cfg.LLMAPIKey != "" || cfg.LLMProvider == "ollama" || cfg.LLMProvider == "openai-compatible" || cfg.LLMProvider == "bedrock"
	if configured {
		m, err := newModel(cfg)
		if err != nil {
			return nil, err.Error()
		}
		return m, ""
	}
	if ollamaAnswers(ctx, defaultOllamaURL) {
		fmt.Fprintf(stderr, "No LLM configured; using the local Ollama at %s.\n", defaultOllamaURL)
		c := cfg
		c.LLMProvider, c.LLMBaseURL = "ollama", defaultOllamaURL
		m, err := newModel(c)
		if err != nil {
			return nil, err.Error()
		}
		return m, ""
	}
	return nil, "No LLM configured and no Ollama answering at " + defaultOllamaURL +
		": set LLM_PROVIDER (openai, anthropic, …) and LLM_API_KEY, or LLM_PROVIDER=ollama with LLM_BASE_URL, " +
		"or start Ollama locally. Only the walkthrough and built-in checks are shown."
}

func ollamaAnswers(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/tags", nil)
	if err != nil {
		return false
	}
	c := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: 300 * time.Millisecond}).DialContext}}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
