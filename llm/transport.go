package llm

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// attempt records what the transport saw during one model call:
// langchaingo's errors are plain strings without status or headers.
type attempt struct {
	mu         sync.Mutex
	status     int
	retryAfter time.Duration
	err        error // transport error (no HTTP answer)
}

type attemptKey struct{}

func withAttempt(ctx context.Context) (context.Context, *attempt) {
	a := &attempt{}
	return context.WithValue(ctx, attemptKey{}, a), a
}

func (a *attempt) observe(resp *http.Response, err error, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.err = err
	if resp == nil {
		return
	}
	a.status = resp.StatusCode
	a.retryAfter = parseRetryAfter(resp.Header, now)
}

func (a *attempt) snapshot() (status int, retryAfter time.Duration, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status, a.retryAfter, a.err
}

// guard is the RoundTripper every provider request goes through. It sends
// requests only to the configured scheme and host (the API key must not
// reach any other host, redirects included) and records each answer's
// status and Retry-After in the call's attempt.
type guard struct {
	base   http.RoundTripper
	scheme string
	host   string
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	a, _ := req.Context().Value(attemptKey{}).(*attempt)
	if !strings.EqualFold(req.URL.Scheme, g.scheme) || !strings.EqualFold(req.URL.Host, g.host) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		err := &refusedError{fmt.Sprintf("refusing to send a request to %s://%s: only %s://%s is allowed",
			req.URL.Scheme, req.URL.Host, g.scheme, g.host)}
		if a != nil {
			a.observe(nil, err, time.Now())
		}
		return nil, err
	}
	resp, err := g.base.RoundTrip(req)
	if a != nil {
		a.observe(resp, err, time.Now())
	}
	return resp, err
}

// refusedError is the guard refusing a destination.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// newHTTPClient copies base (nil: a default client) with the guard in
// front of its transport and redirects refused.
func newHTTPClient(base *http.Client, scheme, host string) *http.Client {
	var hc http.Client
	if base != nil {
		hc = *base
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc.Transport = &guard{base: rt, scheme: scheme, host: host}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// parseRetryAfter reads retry-after-ms (OpenAI, Azure) or Retry-After in
// seconds or as an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < 1e9 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || s > 1e7 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
