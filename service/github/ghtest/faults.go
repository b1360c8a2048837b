package ghtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests misbehave, as bbtest.Fault does for the
// fake Bitbucket. Faults are tried in the order they were added; the first
// that matches and has uses left applies.
type Fault struct {
	Method     string // "" matches any method
	PathSuffix string // matched against the end of the path; "" matches any
	// Status answers this status instead of the real answer. 0 sends the
	// real answer, with the rate-limit headers below: GitHub's answer to
	// the last request a window allows is a 200 with
	// X-RateLimit-Remaining: 0.
	Status int
	// Times is how many matching requests the fault applies to: 0 means
	// once, a negative number means every time.
	Times int
	// Every applies the fault to every Nth matching request only: the Nth,
	// the 2Nth, and so on. 0 and 1 mean every matching request. Times
	// counts the requests the fault applied to.
	Every int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// ResetIn, when set, sends X-RateLimit-Remaining: 0 and
	// X-RateLimit-Reset this far ahead (epoch seconds), as GitHub does
	// when the primary rate limit is spent.
	ResetIn time.Duration
	// Secondary marks the answer as a secondary rate limit (GitHub's
	// documentation URL for it), as GitHub's 403 with Retry-After is.
	Secondary bool
}

// Fault adds a fault.
func (s *Server) Fault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Add(f, f.Times, f.Every)
}

// Fail makes the next times requests whose method matches and whose path
// ends with suffix answer status. 403 and 429 are primary rate limits: the
// answer says X-RateLimit-Remaining: 0 with a reset an hour ahead.
func (s *Server) Fail(method, suffix string, status, times int) {
	if times <= 0 {
		return
	}
	f := Fault{Method: method, PathSuffix: suffix, Status: status, Times: times}
	if status == http.StatusForbidden || status == http.StatusTooManyRequests {
		f.ResetIn = time.Hour
	}
	s.Fault(f)
}

// Faulted counts the answers a fault changed.
func (s *Server) Faulted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faulted
}

// takeFault returns the fault for this request, using one of its uses; the
// caller holds s.mu.
func (s *Server) takeFault(r *http.Request) *Fault {
	f, ok := s.faults.Take(func(f Fault) bool {
		return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) && strings.HasSuffix(r.URL.Path, f.PathSuffix)
	})
	if !ok {
		return nil
	}
	s.faulted++
	return &f
}

// applyFault writes the fault's headers, and its answer when it has a
// Status; it reports whether the request is answered.
func applyFault(w http.ResponseWriter, f *Fault) bool {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.ResetIn > 0 {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(f.ResetIn).Unix(), 10))
	}
	if f.Status == 0 {
		return false
	}
	switch {
	case f.Secondary:
		writeJSON(w, f.Status, map[string]any{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	case f.Status == http.StatusForbidden || f.Status == http.StatusTooManyRequests:
		writeError(w, f.Status, "API rate limit exceeded", nil)
	default:
		writeError(w, f.Status, "injected failure", nil)
	}
	return true
}
