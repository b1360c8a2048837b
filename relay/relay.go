package relay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bitreview/bitreview/command"
)

// Defaults of Options.
const (
	DefaultBotName      = "bitreview"
	DefaultMaxBodyBytes = 512 << 10
	DefaultMaxInFlight  = 256
	DefaultDedupeSize   = 16384
	// DefaultTriggerTimeout is the time a delivery has to start its
	// pipeline, within Bitbucket's 10 s webhook timeout.
	DefaultTriggerTimeout = 8 * time.Second
	DefaultMaxAttempts    = 4
	DefaultRetryDelay     = 200 * time.Millisecond
)

// ErrNoSecret is returned by New without a webhook secret: the relay
// fails closed and never runs without verifying signatures.
var ErrNoSecret = errors.New("relay: a webhook secret is required; the relay never accepts unsigned deliveries")

// Starter starts the custom pipeline. Errors that are *bbapi.ErrorResponse
// with a 4xx status other than 429 are final; any other error is retried.
type Starter interface {
	StartPipeline(ctx context.Context, t Trigger) (Started, error)
}

// Started identifies the pipeline run a trigger started.
type Started struct {
	UUID        string
	BuildNumber int
}

// Options configure a Relay. Secret and Starter are required; zero values
// of the others mean the defaults.
type Options struct {
	// Secret is the webhook secret (RELAY_WEBHOOK_SECRET).
	Secret []byte
	// Starter starts pipelines (BitbucketStarter in production).
	Starter Starter
	// BotName is the plain mention, "@bitreview" for "bitreview".
	BotName string
	// BotUUID and BotAccountID identify the bot account (GET /user): its
	// own comments and events are ignored and "@{account id}" / "@{uuid}"
	// mention it.
	BotUUID, BotAccountID string
	// AllowedUUIDs, when not empty, are the only accounts that can start a
	// pipeline.
	AllowedUUIDs []string
	// MaxBodyBytes caps a delivery's body (413 above it).
	MaxBodyBytes int64
	// MaxInFlight bounds the deliveries starting a pipeline at once; more
	// are answered 503 at once, and Bitbucket retries them.
	MaxInFlight int
	// DedupeSize is how many recent deliveries are remembered.
	DedupeSize int
	// TriggerTimeout is the budget of one delivery for starting its
	// pipeline, all attempts together; it must stay under Bitbucket's 10 s
	// webhook timeout. AttemptTimeout bounds one call to the Starter (the
	// whole budget when zero); MaxAttempts and RetryDelay (the first
	// backoff, doubled each time, with jitter) shape the retries.
	TriggerTimeout, AttemptTimeout time.Duration
	MaxAttempts                    int
	RetryDelay                     time.Duration
	// Logger receives one line per delivery and per trigger; nil discards.
	Logger *slog.Logger
}

// Relay is the webhook handler. A delivery is answered 2xx only once its
// pipeline has started; nothing is queued in memory. It is safe for
// concurrent use.
type Relay struct {
	opts         Options
	secret       []byte
	starter      Starter
	parser       *command.Parser
	botUUID      string
	botAccountID string
	allow        map[string]struct{}
	log          *slog.Logger
	seen         *dedupe
	slots        chan struct{} // MaxInFlight tokens

	mu       sync.RWMutex // guards closing against inflight.Add
	closing  bool
	inflight sync.WaitGroup
	ctx      context.Context // cancelled when a shutdown runs out of time
	cancel   context.CancelFunc

	stats counters
}

type counters struct {
	accepted, ignored, duplicates, rejected, started, failed atomic.Int64
}

// Stats are the relay's counters since New.
type Stats struct {
	Accepted   int64 // deliveries answered 2xx after their pipeline started
	Ignored    int64 // verified deliveries that start nothing
	Duplicates int64 // redeliveries of a started pipeline, answered 2xx
	Rejected   int64 // 4xx/5xx answers (bad signature, too large, busy, start failed…)
	Started    int64 // pipelines started
	Failed     int64 // deliveries whose pipeline could not be started (answered 503)
}

// New validates opts. It does no network I/O and starts no goroutine.
func New(opts Options) (*Relay, error) {
	if len(bytes.TrimSpace(opts.Secret)) == 0 {
		return nil, ErrNoSecret
	}
	if opts.Starter == nil {
		return nil, errors.New("relay: a Starter is required")
	}
	if opts.BotName == "" {
		opts.BotName = DefaultBotName
	}
	setDefault(&opts.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&opts.MaxInFlight, DefaultMaxInFlight)
	setDefault(&opts.DedupeSize, DefaultDedupeSize)
	setDefault(&opts.TriggerTimeout, DefaultTriggerTimeout)
	setDefault(&opts.AttemptTimeout, opts.TriggerTimeout)
	setDefault(&opts.MaxAttempts, DefaultMaxAttempts)
	setDefault(&opts.RetryDelay, DefaultRetryDelay)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Relay{
		opts:         opts,
		secret:       append([]byte(nil), opts.Secret...),
		starter:      opts.Starter,
		parser:       command.New(opts.BotName, opts.BotAccountID, opts.BotUUID),
		botUUID:      normUUID(opts.BotUUID),
		botAccountID: opts.BotAccountID,
		log:          log,
		seen:         newDedupe(opts.DedupeSize),
		slots:        make(chan struct{}, opts.MaxInFlight),
	}
	if len(opts.AllowedUUIDs) > 0 {
		r.allow = make(map[string]struct{}, len(opts.AllowedUUIDs))
		for _, u := range opts.AllowedUUIDs {
			r.allow[normUUID(u)] = struct{}{}
		}
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

func setDefault[T int | int64 | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// Stats returns the counters.
func (r *Relay) Stats() Stats {
	return Stats{
		Accepted: r.stats.accepted.Load(), Ignored: r.stats.ignored.Load(), Duplicates: r.stats.duplicates.Load(),
		Rejected: r.stats.rejected.Load(), Started: r.stats.started.Load(), Failed: r.stats.failed.Load(),
	}
}

// Handler serves POST /webhook (deliveries) and GET /healthz.
func (r *Relay) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", r.serveWebhook)
	mux.HandleFunc("GET /healthz", r.serveHealth)
	return mux
}

// Error codes, mapped to a status in one place (statusOf).
type code string

const (
	eInvalid      code = "EINVALID"
	eUnauthorized code = "EUNAUTHORIZED"
	eTooLarge     code = "ETOOLARGE"
	eUnavailable  code = "EUNAVAILABLE"
	eInternal     code = "EINTERNAL"
)

type relayError struct {
	code code
	msg  string
}

func (e *relayError) Error() string { return string(e.code) + ": " + e.msg }

func statusOf(c code) int {
	switch c {
	case eInvalid:
		return http.StatusBadRequest
	case eUnauthorized:
		return http.StatusUnauthorized
	case eTooLarge:
		return http.StatusRequestEntityTooLarge
	case eUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// delivery is what the log line of one request says.
type delivery struct {
	event, requestID, attempt string
	start                     time.Time
}

func (r *Relay) serveWebhook(w http.ResponseWriter, req *http.Request) {
	d := delivery{
		event: headerValue(req.Header, EventKeyHeader), requestID: headerValue(req.Header, RequestUUIDHeader),
		attempt: headerValue(req.Header, AttemptHeader), start: time.Now(),
	}
	want, ok := parseSignature(req.Header)
	if !ok {
		r.fail(w, d, &relayError{eUnauthorized, "missing or malformed " + SignatureHeader + " (expected sha256=<64 hex digits>)"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.opts.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			r.fail(w, d, &relayError{eTooLarge, "body larger than " + strconv.FormatInt(r.opts.MaxBodyBytes, 10) + " bytes"})
			return
		}
		r.fail(w, d, &relayError{eInvalid, "could not read the body"})
		return
	}
	if !validSignature(r.secret, body, want) {
		r.fail(w, d, &relayError{eUnauthorized, "signature does not match the body"})
		return
	}
	dec, err := r.route(body)
	if err != nil {
		r.fail(w, d, &relayError{eInvalid, "body is not the expected JSON event"})
		return
	}
	if dec.trigger == nil {
		r.stats.ignored.Add(1)
		r.answer(w, d, http.StatusAccepted, "ignored", dec.reason)
		return
	}
	r.deliver(w, d, *dec.trigger, withRequestKey(dec.keys, d.requestID))
}

func withRequestKey(keys []string, requestID string) []string {
	if requestID == "" {
		return keys
	}
	return append(keys[:len(keys):len(keys)], "request "+requestID)
}

// answer writes a small JSON status; reason is one of the relay's own
// phrases, never payload text.
func (r *Relay) answer(w http.ResponseWriter, d delivery, status int, outcome, reason string) {
	r.log.Info("delivery", "event", d.event, "request_uuid", d.requestID, "attempt", d.attempt,
		"status", status, "outcome", outcome, "reason", reason, "ms", time.Since(d.start).Milliseconds())
	writeStatus(w, status, outcome, reason)
}

// fail answers a coded error. Internal errors are logged at error level,
// the client's at info.
func (r *Relay) fail(w http.ResponseWriter, d delivery, e *relayError) {
	r.stats.rejected.Add(1)
	status := statusOf(e.code)
	level := slog.LevelInfo
	if e.code == eInternal || e.code == eUnavailable {
		level = slog.LevelWarn
	}
	r.log.Log(context.Background(), level, "delivery", "event", d.event, "request_uuid", d.requestID, "attempt", d.attempt,
		"status", status, "outcome", "rejected", "code", string(e.code), "reason", e.msg, "ms", time.Since(d.start).Milliseconds())
	if e.code == eUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeStatus(w, status, string(e.code), e.msg)
}

func writeStatus(w http.ResponseWriter, status int, outcome, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	b := make([]byte, 0, 64+len(reason))
	b = append(b, `{"status":`...)
	b = strconv.AppendQuote(b, outcome)
	if reason != "" {
		b = append(b, `,"reason":`...)
		b = strconv.AppendQuote(b, reason)
	}
	b = append(b, "}\n"...)
	_, _ = w.Write(b)
}

func (r *Relay) serveHealth(w http.ResponseWriter, _ *http.Request) {
	r.mu.RLock()
	closing := r.closing
	r.mu.RUnlock()
	if closing {
		writeStatus(w, http.StatusServiceUnavailable, "shutting down", "")
		return
	}
	writeStatus(w, http.StatusOK, "ok", "")
}
