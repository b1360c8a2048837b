package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The run's deadline (RUN_TIMEOUT, default 30m). A Pipelines step is killed
// at its max-time (120 minutes unless set, 1 to 720), and a killed step
// publishes nothing, so the run ends well before: 30 minutes covers the
// model stage of a large pull request (LLM_TIMEOUT 120s per call, 4 calls at
// a time: at least 13 rounds of calls that all run into their timeout, and
// far more that answer) and still leaves most of the default step for the
// commands around the pipe. The model stage stops PublishReserve before
// the deadline, so that what it found, and that it is incomplete, can still
// be published.

// runDeadlineError is the cause of the run's context ending at RUN_TIMEOUT.
type runDeadlineError struct{ run time.Duration }

func (e *runDeadlineError) Error() string {
	return fmt.Sprintf("the run's deadline passed (RUN_TIMEOUT=%s)", e.run)
}

// Timeout reports true, as for any deadline.
func (e *runDeadlineError) Timeout() bool { return true }

// modelDeadlineError is the cause of the model stage ending before the run's
// deadline, to leave time to publish.
type modelDeadlineError struct{ run, reserve time.Duration }

func (e *modelDeadlineError) Error() string {
	return fmt.Sprintf("the review stopped at the run's deadline (RUN_TIMEOUT=%s), %s before it to leave time to publish",
		e.run, e.reserve)
}

// Timeout reports true, as for any deadline.
func (e *modelDeadlineError) Timeout() bool { return true }

// WithRunDeadline returns the context of a whole run: it ends RUN_TIMEOUT
// from now, with a cause that names the variable.
func WithRunDeadline(ctx context.Context, run time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, run, &runDeadlineError{run: run})
}

// PublishReserve is the part of the run kept for publishing after the
// model stage: a tenth, at least 2 minutes (a few dozen Bitbucket calls,
// with retries), and at most half of the run.
func PublishReserve(run time.Duration) time.Duration {
	return min(max(run/10, 2*time.Minute), run/2)
}

// modelStage returns the context of the model stage: ctx, ending
// PublishReserve before ctx's deadline.
func modelStage(ctx context.Context, run time.Duration) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := PublishReserve(run)
	return context.WithDeadlineCause(ctx, dl.Add(-reserve), &modelDeadlineError{run: run, reserve: reserve})
}

// stoppedEarly returns why the model stage ended before the review was
// done, "" when it was not cut short by its deadline.
func stoppedEarly(stage context.Context) string {
	var e *modelDeadlineError
	if errors.As(context.Cause(stage), &e) {
		return e.Error()
	}
	return ""
}
