package main

import (
	"context"
	"errors"
	"runtime/debug"
)

// crashCanary is empty in every release. The safety tests link a build
// with -ldflags "-X main.crashCanary=1" to make the pipe panic with the
// credentials in the panic value, and check that none of them is printed.
// It is a link-time constant, not a setting: nothing at run time sets it.
var crashCanary string

// errCrashed is what a recovered panic becomes. The panic value is never
// printed: a library panicking on a request may carry headers, prompts or
// keys in it.
var errCrashed = errors.New("bitreview stopped on an internal error (a bug, please report it with the step log). " +
	"Anything already posted stays; the summary may not list all of it, and the next run completes the review")

// runSafely is run with panics turned into errCrashed, so a crash follows
// FAIL_ON_ERROR and prints a fixed message instead of the panic value and
// Go's default trace. With DEBUG the stack is printed: it holds function
// names and argument words, never string contents.
func (p *pipeRun) runSafely(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if p.cfg.Debug {
				p.log.debugf("stack of the internal error:\n%s", debug.Stack())
			}
			err = errCrashed
		}
	}()
	if crashCanary != "" {
		panic("canary crash: " + p.cfg.AccessToken + " " + p.cfg.APIToken + " " + p.cfg.LLMAPIKey)
	}
	return p.run(ctx)
}
