package relay

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/bitreview/bitreview/bbapi"
)

type job struct {
	t         Trigger
	keys      []string
	requestID string
}

type enqueueResult int

const (
	enqueued enqueueResult = iota
	queueFull
	shuttingDown
)

// enqueue hands a job to the workers without blocking.
func (r *Relay) enqueue(j job) enqueueResult {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closing {
		return shuttingDown
	}
	select {
	case r.queue <- j:
		return enqueued
	default:
		return queueFull
	}
}

func (r *Relay) worker() {
	defer r.wg.Done()
	for j := range r.queue {
		r.trigger(j)
	}
}

// trigger starts the pipeline for one job, retrying what may succeed later
// within TriggerTimeout. A trigger that fails for good is forgotten by the
// dedupe filter, so a manual redelivery can retry it.
func (r *Relay) trigger(j job) {
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.TriggerTimeout)
	defer cancel()
	t := j.t
	attrs := []any{"request_uuid", j.requestID, "repository", t.Workspace + "/" + t.Repo, "branch", t.Branch,
		"pull_request", t.PullRequestID, "comment", t.CommentID, "command", string(t.Command)}
	start := time.Now()
	for attempt := 1; ; attempt++ {
		actx, acancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
		started, err := r.starter.StartPipeline(actx, t)
		acancel()
		if err == nil {
			r.stats.started.Add(1)
			r.log.Info("pipeline started", append(attrs, "build", started.BuildNumber, "pipeline_uuid", started.UUID,
				"attempts", attempt, "ms", time.Since(start).Milliseconds())...)
			return
		}
		final := !retryable(err) || attempt >= r.opts.MaxAttempts
		if !final {
			delay := backoff(r.opts.RetryDelay, attempt)
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= delay {
				final = true
			} else if sleep(ctx, delay) != nil {
				final = true
			}
		}
		if final {
			r.stats.failed.Add(1)
			r.seen.forget(j.keys)
			r.log.Error("pipeline not started", append(attrs, "attempts", attempt, "error", err.Error(),
				"hint", hintFor(err), "ms", time.Since(start).Milliseconds())...)
			return
		}
		r.log.Warn("pipeline start failed, retrying", append(attrs, "attempt", attempt, "error", err.Error())...)
	}
}

// retryable: 429, 5xx and transport failures may pass later; other API
// errors (400 no yml or Pipelines disabled, 401, 403, 404) will not, and
// neither will a shutdown.
func retryable(err error) bool {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode == http.StatusTooManyRequests || er.StatusCode >= 500
	}
	return !errors.Is(err, context.Canceled)
}

// hintFor is the fix for a failed trigger, from the API error when there
// is one.
func hintFor(err error) string {
	var er *bbapi.ErrorResponse
	if !errors.As(err, &er) {
		return ""
	}
	if er.StatusCode == http.StatusBadRequest {
		return "Bitbucket refused to start the pipeline: check that Pipelines is enabled and that bitbucket-pipelines.yml on the destination branch has the custom pipeline (bitreview doctor checks both)"
	}
	return er.Hint
}

func backoff(base time.Duration, attempt int) time.Duration {
	d := base << (attempt - 1)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops accepting deliveries (they get 503, and Bitbucket
// retries them), lets the workers finish the queued triggers, and returns
// when they are done. When ctx ends first, in-flight triggers are
// cancelled, the rest of the queue is dropped (each logged), and ctx's
// error is returned. Stop the HTTP server first so that no request is
// cut off mid-way.
func (r *Relay) Shutdown(ctx context.Context) error {
	r.once.Do(func() {
		r.mu.Lock()
		r.closing = true
		close(r.queue)
		r.mu.Unlock()
	})
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}
