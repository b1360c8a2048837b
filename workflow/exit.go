package workflow

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/bitreview/bitreview/settings"
)

// Exit codes (product.md).
const (
	ExitOK       = 0
	ExitFindings = 1 // findings at or above FAIL_ON
	ExitConfig   = 2 // bad configuration or usage
	ExitRemote   = 3 // the host or the LLM unreachable or refusing
)

// ConfigError marks a configuration mistake found during a run (an LLM
// base URL the provider cannot use): exit 2, whatever FAIL_ON_ERROR says.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the mistake.
func (e *ConfigError) Unwrap() error { return e.Err }

// ErrCrashed is what a recovered panic becomes. The panic value is never
// printed: a library panicking on a request may carry headers, prompts or
// keys in it.
var ErrCrashed = errors.New("bitreview stopped on an internal error (a bug, please report it with the step log). " +
	"Anything already posted stays; the summary may not list all of it, and the next run completes the review")

// Safely runs f, turning a panic into an outcome with ErrCrashed, so that
// a crash follows FAIL_ON_ERROR and prints a fixed message instead of the
// panic value and Go's trace. With debug the stack is logged: it holds
// function names and argument words, never string contents.
func Safely(log *Log, s settings.Settings, f func() Outcome) (out Outcome) {
	defer recoverRun(&out, log, s)
	return f()
}

// recoverRun turns a panic into ErrCrashed, judged with the settings the
// run started with (FAIL_ON_ERROR).
func recoverRun(out *Outcome, log *Log, s settings.Settings) {
	if r := recover(); r != nil {
		if s.Debug {
			log.Debugf("stack of the internal error:\n%s", debug.Stack())
		}
		*out = Outcome{Err: ErrCrashed, settings: s}
	}
}

// stage wraps err with its stage and the fix the host suggests for it
// (which scope or permission to check), once: an error already named
// by its stage is not named again.
func (r *run) stage(name string, err error) error {
	if fix := r.p.Fix(err); fix != "" {
		return fmt.Errorf("%s: %w\n  fix: %s", name, err, fix)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// ExitCode maps how a run ended to the documented exit code and logs the
// final verdict line.
func ExitCode(o Outcome, log *Log) int {
	s := o.settings
	var ce *ConfigError
	if errors.As(o.Err, &ce) {
		log.Fail("%v", ce.Err)
		return ExitConfig
	}
	if o.Err != nil {
		log.Fail("%v", o.Err)
		if s.FailOnError {
			log.Fail("bitreview could not complete the review (FAIL_ON_ERROR=true)")
			return ExitRemote
		}
		log.Warn("bitreview could not complete the review; the step passes because FAIL_ON_ERROR=false")
		return ExitOK
	}
	v := o.Verdict
	if o.Reviewed && s.Fails(v) {
		log.Fail("bitreview: %d finding(s), the worst is %s (FAIL_ON=%s)", v.Findings, v.Worst, s.FailOn)
		return ExitFindings
	}
	switch {
	case !o.Reviewed:
		log.OK(log.Start(), "bitreview: done")
	case o.Unreviewed > 0:
		log.Warn("bitreview: %d finding(s) in the reviewed files; %d file(s) were not reviewed (over a budget; listed in the summary)", v.Findings, o.Unreviewed)
	case v.Findings == 0:
		log.OK(log.Start(), "bitreview: no issues found")
	default:
		log.OK(log.Start(), "bitreview: %d finding(s), the worst is %s", v.Findings, v.Worst)
	}
	return ExitOK
}
