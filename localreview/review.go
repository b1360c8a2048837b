// Package localreview is `bitreview review`: the review engine on a local
// checkout's changes against a base, read from git, nothing posted. The
// checkout is snapshotted into a tree object first, and the diff, every
// file for context and the config file are read from that tree as blobs,
// so a symlink in the checkout is its target text, never the file it
// points to. cmd/bitreview parses the flags, prints the result (Print)
// and exits with ExitCode.
package localreview

import (
	"context"
	"errors"
	"fmt"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/lint"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
	"github.com/bitreview/bitreview/workflow"
)

// Log receives what a review has to say before its result: warnings (an
// unused config file, a refused guideline) and notes (the local Ollama it
// fell back to).
type Log interface {
	Warn(msg string)
	Info(msg string)
}

// Options are what a local review reads and uses.
type Options struct {
	// Dir is a folder of the checkout.
	Dir string
	// Base is the git ref to compare against (--base); "" is the merge
	// base with the remote's default branch, or a local main or master.
	Base string
	// Settings are the validated environment (settings.LoadValidated
	// with "review"); the repository's config file is applied on top.
	Settings settings.Settings
	// Model builds the configured model (and the Ollama fallback).
	Model func(settings.Settings) (review.Model, error)
	// Secrets builds the secret scanner every diff and file goes through.
	Secrets func() (review.SecretScanner, error)
	// OllamaURL is where a local Ollama is looked for when no LLM is
	// configured; "" is DefaultOllamaURL.
	OllamaURL string
	// Log receives warnings and notes as they happen; nil drops them.
	Log Log
	// LintReports are static-analysis reports to merge into the review
	// (--lint-report), besides those LINT_REPORTS names in the checkout.
	LintReports []string
	// CrossFile builds the cross-file context finder over the snapshot's
	// tree (xref.New); nil sends none.
	CrossFile func(review.Tree) review.CrossFile
}

// Result is a finished local review.
type Result struct {
	// Base names what the changes were compared with ("main", "HEAD",
	// "the empty tree").
	Base string
	// Review is the review; nil when there was nothing to review.
	Review *review.Result
	// Err is the engine's failure: Review holds what it did before.
	Err error
	// Settings are the settings the review ran with, the repository's
	// config file applied.
	Settings settings.Settings
}

// CheckoutError is a checkout the review cannot read: not a git checkout,
// a --base without a common ancestor, git failing. It is bad usage (exit
// 2), not a failure of the model.
type CheckoutError struct{ Err error }

func (e *CheckoutError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *CheckoutError) Unwrap() error { return e.Err }

// Review reviews the changes of o.Dir's checkout against its base: the
// committed ones and the tracked files' edits, staged or not, as they are
// now. An error means nothing was reviewed; a review the model failed
// part-way returns its partial result with Result.Err.
func Review(ctx context.Context, o Options) (Result, error) {
	co, err := openCheckout(ctx, o.Dir, o.Base)
	if err != nil {
		return Result{Settings: o.Settings}, err
	}
	res := Result{Base: co.base.name, Settings: o.Settings}
	d, err := co.diff(ctx)
	if err != nil || len(d.Files) == 0 {
		return res, err
	}
	log := o.log()
	rs := settings.LoadRepo(ctx, co.repoSource(), o.Settings.ConfigFile)
	cfg := o.Settings.Apply(rs)
	res.Settings = cfg
	if w := co.untrackedConfig(cfg.ConfigFile, rs); w != "" {
		rs.Warnings = append(rs.Warnings, w)
	}
	for _, w := range rs.Warnings {
		log.Warn(w)
	}

	model, note := o.model(ctx, cfg, log)
	opts := cfg.EngineOptions()
	opts.Instructions, opts.Guidelines = rs.Instructions(), rs.Guidelines
	if opts.Secrets, err = o.Secrets(); err != nil {
		return res, err
	}
	opts.Files = gitblob.New(co.root, co.snap)
	tools := o.lint(ctx, co.root, cfg, d, log)
	if tools != nil {
		opts.Tools = tools.Inline
	}
	if o.CrossFile != nil {
		opts.CrossFile = o.CrossFile(gitblob.New(co.root, co.snap))
	}
	pr := review.PullRequest{Title: "local changes against " + co.base.name}
	r, rerr := review.New(model, opts).Review(ctx, pr, d)
	review.AddBuiltinChecks(r, d)
	if tools != nil {
		minSev, _ := review.ParseSeverity(cfg.MinSeverity)
		review.AddToolFindings(r, tools.Inline, tools.Listed, minSev)
		r.Static = tools.Static
	}
	r.CostUSD = cfg.CostOf(r)
	if r.CrossFile != nil && r.CrossFile.Error != "" {
		log.Warn("cross-file context failed, the review went on without it: " + r.CrossFile.Error)
	}
	r.Notes = append(r.Notes, rs.Notes()...)
	if note != "" {
		r.Errors = append(r.Errors, note)
	}
	res.Review, res.Err = r, rerr
	return res, nil
}

// ExitCode is the exit code of a local review that ended with res and
// err (product.md): 2 for a checkout it could not read, 3 for another
// failure or, with FAIL_ON_ERROR, a failed model, 1 for a finding at or
// above FAIL_ON (placed on the diff or not), else 0.
func ExitCode(res Result, err error) int {
	var ce *CheckoutError
	switch {
	case errors.As(err, &ce):
		return workflow.ExitConfig
	case err != nil:
		return workflow.ExitRemote
	case res.Review == nil:
		return workflow.ExitOK
	case res.Err != nil && res.Settings.FailOnError:
		return workflow.ExitRemote
	}
	threshold, _ := res.Settings.FailOnSeverity()
	for _, f := range append(res.Review.Findings, res.Review.Unanchored...) {
		if threshold >= 0 && f.Severity >= threshold {
			return workflow.ExitFindings
		}
	}
	return workflow.ExitOK
}

// lint reads the static-analysis reports of --lint-report and
// LINT_REPORTS and places them on d; nil when there are none.
func (o Options) lint(ctx context.Context, root string, cfg settings.Settings, d *diffparse.Diff, log Log) *lint.Placement {
	if len(o.LintReports) == 0 && len(cfg.LintReports) == 0 {
		return nil
	}
	pl := lint.Read(ctx, root, cfg.LintReports, o.LintReports).Place(d, cfg.LintFilterMode())
	for _, w := range pl.Static.Warnings {
		log.Warn(w)
	}
	return &pl
}

func (o Options) log() Log {
	if o.Log == nil {
		return discard{}
	}
	return o.Log
}

type discard struct{}

func (discard) Warn(string) {}
func (discard) Info(string) {}

// checkoutErr marks err as a CheckoutError, said with what.
func checkoutErr(what string, err error) error {
	if what != "" {
		err = fmt.Errorf("%s: %w", what, err)
	}
	return &CheckoutError{Err: err}
}
