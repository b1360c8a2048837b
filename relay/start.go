package relay

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/internal/retry"
)

// deliver starts the pipeline of one verified delivery within the request
// and answers 202 only once it has started (POST /pipelines/ answered
// 201): Bitbucket never redelivers a 2xx, so an answer is a promise. A
// start that fails is answered 503, its dedupe entry forgotten, and
// Bitbucket's redelivery tries again. A redelivery of an event whose start
// is still running waits for that start and answers as it ends, so one
// event never starts twice in one process.
func (r *Relay) deliver(w http.ResponseWriter, d delivery, t Trigger, keys []string) {
	if !r.enter() {
		r.fail(w, d, &relayError{eUnavailable, "relay is shutting down; Bitbucket will retry"})
		return
	}
	defer r.inflight.Done()
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.TriggerTimeout)
	defer cancel()

	f, first := r.seen.begin(keys)
	if !first {
		r.duplicate(ctx, w, d, f)
		return
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	default:
		r.seen.finish(keys, f, false)
		r.fail(w, d, &relayError{eUnavailable, "too many deliveries starting at once; Bitbucket will retry"})
		return
	}
	err := r.start(ctx, d, t)
	r.seen.finish(keys, f, err == nil)
	if err != nil {
		r.stats.failed.Add(1)
		r.fail(w, d, &relayError{eUnavailable, "the pipeline could not be started; Bitbucket will retry"})
		return
	}
	r.stats.accepted.Add(1)
	r.answer(w, d, http.StatusAccepted, "accepted", string(t.Command))
}

// enter registers a delivery that is about to start a pipeline, unless the
// relay is shutting down.
func (r *Relay) enter() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closing {
		return false
	}
	r.inflight.Add(1)
	return true
}

// duplicate answers a redelivery as the first delivery of its event ends:
// 202 when its pipeline started, else 503 so that Bitbucket retries.
func (r *Relay) duplicate(ctx context.Context, w http.ResponseWriter, d delivery, f *flight) {
	select {
	case <-f.done:
	case <-ctx.Done():
	}
	if f.succeeded() {
		r.stats.duplicates.Add(1)
		r.answer(w, d, http.StatusAccepted, "duplicate", "already received")
		return
	}
	r.fail(w, d, &relayError{eUnavailable, "the same event is being started or failed to start; Bitbucket will retry"})
}

// start starts the pipeline, retrying what may succeed later within ctx
// (the delivery's TriggerTimeout).
func (r *Relay) start(ctx context.Context, d delivery, t Trigger) error {
	attrs := []any{"request_uuid", d.requestID, "repository", t.Workspace + "/" + t.Repo, "branch", t.Branch,
		"pull_request", t.PullRequestID, "comment", t.CommentID, "command", string(t.Command)}
	start := time.Now()
	// RetryDelay doubles after each attempt, with equal jitter (half the
	// interval, plus up to the other half).
	sched := retry.Policy{Backoff: retry.Backoff{Base: r.opts.RetryDelay, Jitter: retry.EqualJitter}}
	for attempt := 1; ; attempt++ {
		actx, acancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
		started, err := r.starter.StartPipeline(actx, t)
		acancel()
		if err == nil {
			r.stats.started.Add(1)
			r.log.Info("pipeline started", append(attrs, "build", started.BuildNumber, "pipeline_uuid", started.UUID,
				"attempts", attempt, "ms", time.Since(start).Milliseconds())...)
			return nil
		}
		final := !retryable(err) || attempt >= r.opts.MaxAttempts
		if !final {
			delay, tooLong := sched.Wait(ctx, attempt, 0, false)
			final = tooLong != nil || retry.Sleep(ctx, delay) != nil
		}
		if final {
			r.log.Error("pipeline not started", append(attrs, "attempts", attempt, "error", err.Error(),
				"hint", hintFor(err), "ms", time.Since(start).Milliseconds())...)
			return err
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

// Shutdown stops accepting deliveries (they get 503, and Bitbucket
// retries them) and waits for the deliveries starting a pipeline to be
// answered. When ctx ends first, those starts are cancelled (answered 503,
// so Bitbucket retries them too) and ctx's error is returned. Shut the
// HTTP server down first (http.Server.Shutdown), which lets the requests
// in flight finish.
func (r *Relay) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	done := make(chan struct{})
	go func() {
		r.inflight.Wait()
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
