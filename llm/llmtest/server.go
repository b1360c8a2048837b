// Package llmtest runs stub LLM servers that speak the OpenAI chat
// completions and Anthropic messages wire formats, so tests can drive the
// real langchaingo clients (and everything above them) offline.
//
// A test scripts replies in order; every request is recorded as a Call:
//
//	srv := llmtest.NewOpenAI(t)
//	srv.Script(llmtest.Reply{Status: 429, RetryAfter: "1"}, llmtest.Reply{JSON: `{"summary":"ok","findings":[]}`})
//	// point the client at srv.URL (it already ends in /v1)
//	calls := srv.Calls()
//
// A Server is safe for concurrent requests. When the script is exhausted the
// Default responder answers; without one the server answers 500 and, when
// it was created with a testing.TB, fails the test.
package llmtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Flavor selects the wire format a Server speaks.
type Flavor int

// Flavors.
const (
	OpenAI    Flavor = iota // POST /v1/chat/completions (and Azure's /openai/deployments/{name}/chat/completions)
	Anthropic               // POST /v1/messages
)

func (f Flavor) String() string {
	if f == Anthropic {
		return "anthropic"
	}
	return "openai"
}

// Reply is one scripted answer.
type Reply struct {
	// JSON is the answer as JSON text. Anthropic: the input of a tool_use
	// block when the request offered tools, else a text block. OpenAI: the
	// message content.
	JSON string
	// Text is raw text content (fenced JSON with prose, truncated JSON, a
	// refusal…). With JSON on Anthropic it becomes a text block before the
	// tool_use block.
	Text string
	// Thinking adds an Anthropic thinking block before the others.
	Thinking string
	// Status is the HTTP status; 0 means 200. A non-200 status answers with
	// Body, or a provider-shaped error body when Body is empty.
	Status int
	// Body, when set, is written verbatim (any status) instead of a
	// generated body.
	Body string
	// RetryAfter is sent as the Retry-After header when non-empty.
	RetryAfter string
	// Delay waits before answering (cut short when the client goes away).
	Delay time.Duration
	// Hang never answers; the handler returns when the client gives up or
	// the server closes.
	Hang bool
	// PromptTokens and CompletionTokens are the reported usage; 0 means
	// the estimate (len(System)+len(Prompt))/4 and len(answer)/4.
	PromptTokens, CompletionTokens int
	// FinishReason overrides finish_reason (OpenAI) or stop_reason
	// (Anthropic): "length", "content_filter", "max_tokens", "refusal"…
	FinishReason string
}

// Call is one request the server received.
type Call struct {
	Path   string
	Model  string
	System string // system messages' text, joined with "\n\n"
	Prompt string // user messages' text, joined with "\n\n"
	Body   []byte
	Header http.Header
	// Schema is response_format.json_schema.schema (OpenAI) or the first
	// tool's parameters / input_schema.
	Schema json.RawMessage
	// ResponseFormat is response_format.type ("json_schema", "json_object")
	// or "" (OpenAI only).
	ResponseFormat string
	// SchemaName is response_format.json_schema.name or the first tool's name.
	SchemaName string
	// Tools names the offered tools.
	Tools     []string
	MaxTokens int
	Stream    bool
}

// Server is a stub LLM endpoint.
type Server struct {
	// URL is the base URL including /v1, e.g. http://127.0.0.1:41234/v1.
	URL string

	flavor Flavor
	t      testing.TB

	mu     sync.Mutex
	script []Reply
	def    func(Call) Reply
	calls  []Call
	apiKey string

	srv  *httptest.Server
	done chan struct{}
	once sync.Once
}

// New returns a Server that is not listening yet; call Start, or mount it
// as an http.Handler (for a standalone fake process).
func New(f Flavor) *Server {
	return &Server{flavor: f, done: make(chan struct{})}
}

// NewOpenAI starts an OpenAI-compatible server closed when the test ends.
func NewOpenAI(t testing.TB) *Server { return newForTest(t, OpenAI) }

// NewAnthropic starts an Anthropic messages server closed when the test
// ends. It rejects requests without x-api-key or anthropic-version.
func NewAnthropic(t testing.TB) *Server { return newForTest(t, Anthropic) }

func newForTest(t testing.TB, f Flavor) *Server {
	t.Helper()
	s := New(f)
	s.t = t
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// Start listens on a loopback port and sets URL.
func (s *Server) Start() {
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL + "/v1"
}

// Close stops the server, releasing hung handlers first.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	if s.srv != nil {
		s.srv.Close()
	}
}

// Script appends replies, consumed in order by the next requests.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

// SetDefault sets the responder used once the script is exhausted.
func (s *Server) SetDefault(fn func(Call) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.def = fn
}

// SetAPIKey makes the server answer 401 to any request not carrying key
// (Authorization: Bearer / api-key for OpenAI, x-api-key for Anthropic).
func (s *Server) SetAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKey = key
}

// Calls returns a copy of the requests received so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Pending reports how many scripted replies are still unused.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := dialectFor(s.flavor)
	if r.Method != http.MethodPost || !d.path(r.URL.Path) {
		d.writeError(w, http.StatusNotFound, "llmtest: no route for "+r.Method+" "+r.URL.Path)
		return
	}
	body, err := readBody(r)
	if err != nil {
		d.writeError(w, http.StatusBadRequest, "llmtest: "+err.Error())
		return
	}
	call, err := d.parse(r, body)
	if err != nil {
		d.writeError(w, http.StatusBadRequest, "llmtest: "+err.Error())
		return
	}
	if status, msg := d.checkAuth(r.Header, s.key()); status != 0 {
		s.record(call)
		d.writeError(w, status, msg)
		return
	}
	reply := s.next(call)
	if !s.wait(r.Context(), reply) {
		return
	}
	if reply.RetryAfter != "" {
		w.Header().Set("Retry-After", reply.RetryAfter)
	}
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case reply.Body != "":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(reply.Body))
	case status != http.StatusOK:
		d.writeError(w, status, defaultMessage(status))
	case call.Stream:
		d.writeStream(w, call, reply)
	default:
		writeJSON(w, status, d.answer(call, reply))
	}
}

func (s *Server) key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apiKey
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// next records the call and picks its reply.
func (s *Server) next(c Call) Reply {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	if len(s.script) > 0 {
		r := s.script[0]
		s.script = s.script[1:]
		s.mu.Unlock()
		return r
	}
	def := s.def
	s.mu.Unlock()
	if def != nil {
		return def(c)
	}
	if s.t != nil {
		s.t.Errorf("llmtest: unscripted %s call to %s (script exhausted, no default)", s.flavor, c.Path)
	}
	return Reply{Status: http.StatusInternalServerError}
}

// wait applies Delay and Hang; false means the client went away.
func (s *Server) wait(ctx context.Context, r Reply) bool {
	if r.Hang {
		select {
		case <-ctx.Done():
		case <-s.done:
		}
		return false
	}
	if r.Delay <= 0 {
		return true
	}
	t := time.NewTimer(r.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}
