package bbtest

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests misbehave. Faults are tried in the order
// they were added; the first that matches and has uses left applies.
//
// The parts combine in this order: wait Delay; with StoreThenHang, perform
// the request, then wait StoreThenHang; then reset the connection (Reset),
// or answer Status, or (after StoreThenHang) send the real answer, or
// (Delay alone) handle the request normally. Waits end early when the client
// goes away or the server closes.
type Fault struct {
	Method       string // "" matches any method
	PathContains string // matched against the escaped path; "" matches any
	BodyContains string // matched against the request body; "" matches any
	// Status answers this status instead of the real answer. 429 gets
	// Bitbucket's text body and no Retry-After; 555 (diff too large) and
	// 5xx get a JSON error.
	Status int
	// Times is how many matching requests the fault applies to: 0 means
	// once, a negative number means every time.
	Times int
	// Delay waits before anything else.
	Delay time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// StoreThenHang performs the operation (a POSTed comment is stored),
	// then waits this long before answering, so the client times out.
	StoreThenHang time.Duration
	// Body replaces the fault's answer body (with Status).
	Body string
	// RetryAfter, when set, is sent as the Retry-After header (with
	// Status).
	RetryAfter string
	// Writes matches only writes: POST, PUT, PATCH and DELETE (with
	// Method "").
	Writes bool
	// Every applies the fault to every Nth matching request only: the Nth,
	// the 2Nth, and so on. 0 and 1 mean every matching request. Times
	// counts the requests the fault applied to.
	Every int
	// Trickle sends the headers at once and then the answer's body one byte
	// at a time, waiting Trickle before each byte, so only a client
	// deadline that covers the body read ends the call.
	Trickle time.Duration
}

// Fault adds a fault.
func (s *Server) Fault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Add(f, f.Times, f.Every)
}

// takeFault returns the fault for this request, using one of its uses.
func (s *Server) takeFault(r *http.Request, body []byte) *Fault {
	path := r.URL.EscapedPath()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults.Take(func(f Fault) bool {
		return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) && (!f.Writes || isWrite(r.Method)) &&
			strings.Contains(path, f.PathContains) && bytes.Contains(body, []byte(f.BodyContains))
	})
	if !ok {
		return nil
	}
	return &f
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// rateLimited counts the request and reports whether it is over the limit.
func (s *Server) rateLimited() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.served++
	return s.cfg.rateLimit > 0 && s.served > s.cfg.rateLimit
}

const rateLimitBody = "Rate limit for this resource has been exceeded"

func writeRateLimit(w http.ResponseWriter, body string) {
	if body == "" {
		body = rateLimitBody
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write([]byte(body))
}

// wait sleeps for d, or until the client leaves or the server closes. It
// reports whether the full time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	}
}

func (s *Server) applyFault(c *call, w *statusWriter, raw http.ResponseWriter, f *Fault) {
	if !s.wait(c.r, f.Delay) {
		return
	}
	if f.Trickle > 0 && !f.Reset {
		// Build the answer the fault would give, then send it slowly.
		rest := *f
		rest.Delay, rest.Trickle = 0, 0
		b := newBufferedResponse()
		inner := *c
		bw := &statusWriter{ResponseWriter: b}
		inner.w = bw
		s.applyFault(&inner, bw, b, &rest)
		s.trickle(c.r, w, raw, b, f.Trickle)
		return
	}
	var stored *bufferedResponse
	if f.StoreThenHang > 0 {
		stored = newBufferedResponse()
		c.w = stored
		s.serve(c)
		c.w = w
		if !s.wait(c.r, f.StoreThenHang) {
			w.status = stored.status // what the server did, though nobody heard it
			return
		}
	}
	switch {
	case f.Reset:
		if hj, ok := raw.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or no hijacking: abort the stream
	case f.Status != 0:
		writeFaultStatus(w, f)
	case stored != nil:
		stored.flush(w)
	default:
		s.serve(c)
	}
}

func writeFaultStatus(w http.ResponseWriter, f *Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status == http.StatusTooManyRequests {
		writeRateLimit(w, f.Body)
		return
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		w.Write([]byte(f.Body))
		return
	}
	msg := http.StatusText(f.Status)
	if f.Status == 555 {
		msg = "The diff took too long to compute; it is too large."
	}
	if msg == "" {
		msg = "Error"
	}
	writeError(w, f.Status, msg, "")
}

// trickle sends b's headers at once and its body one byte per interval,
// stopping when the client leaves or the server closes.
func (s *Server) trickle(r *http.Request, w *statusWriter, raw http.ResponseWriter, b *bufferedResponse, interval time.Duration) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.body.Len()))
	w.WriteHeader(b.status)
	rc := http.NewResponseController(raw)
	_ = rc.Flush()
	for _, c := range b.body.Bytes() {
		if !s.wait(r, interval) {
			return
		}
		if _, err := w.Write([]byte{c}); err != nil {
			return
		}
		_ = rc.Flush()
	}
}

// bufferedResponse holds an answer until the fault releases it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: make(http.Header)}
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}
