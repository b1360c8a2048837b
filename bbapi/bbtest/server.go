package bbtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/bitreview/bitreview/internal/faultplan"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// apiPrefix is the path of the API base on the fake, as on api.bitbucket.org.
const apiPrefix = "/2.0"

// maxBody bounds what the fake reads of a request body.
const maxBody = 32 << 20

// Server is a stateful fake of the Bitbucket Cloud REST API 2.0. All methods
// are safe for concurrent use.
type Server struct {
	// URL is the base API URL to give a client: "http://127.0.0.1:port/2.0".
	URL string

	srv       *httptest.Server
	cfg       config
	spec      *specDoc // nil when validation is skipped
	routes    []*route
	templates []*template // the spec's paths, or the route table's without a spec
	done      chan struct{}
	closeOnce sync.Once

	mu          sync.Mutex
	users       []User
	repos       map[string]*repoState
	nextComment int
	reqs        []Request
	violations  []Violation
	rejected    []RejectedAnchor
	faults      faultplan.Plan[Fault]
	served      int
	pub         pubState               // commit graph, seeded diffs, tasks (commits.go, tasks.go)
	issues      map[string]*issueState // "ws/slug" → its issue tracker (issues.go)
	ext         extState               // webhooks, pipelines, workspace members (extstate.go)
}

// Violation is a request a correct client never sends: an unknown route, a
// request that breaks the official spec, or one that breaks a stricter rule
// of the live API. The fake answers it 400 (404 for unknown routes) and, in
// a test, fails the test at cleanup unless AllowViolations is set.
type Violation struct {
	Method string
	Path   string
	Reason string
}

func (v Violation) String() string { return v.Method + " " + v.Path + ": " + v.Reason }

// New starts a Server for a test and closes it at cleanup. At cleanup every
// violation fails the test through t.Errorf, unless AllowViolations is set.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	opts = append([]Option{WithLogf(t.Logf)}, opts...)
	s, err := NewServer(opts...)
	if err != nil {
		t.Fatalf("bbtest: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		if s.cfg.allowViolations {
			return
		}
		for _, v := range s.Violations() {
			t.Errorf("bbtest: request violates the Bitbucket API: %s", v)
		}
	})
	return s
}

// NewServer starts a Server outside a test. Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{
		logf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
		now:  func() time.Time { return time.Now().UTC() },
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:         cfg,
		repos:       make(map[string]*repoState),
		done:        make(chan struct{}),
		nextComment: 100000,
	}
	s.routes = s.routeTable()
	if src, found := findSpec(&cfg); found {
		sd, err := loadSpecCached(src)
		if err != nil {
			return nil, err
		}
		if err := s.checkRoutes(sd); err != nil {
			return nil, err
		}
		s.spec, s.templates = sd, sd.paths
	} else {
		for _, r := range s.routes {
			s.templates = append(s.templates, compileTemplate(r.path))
		}
		cfg.logf("bbtest: official spec not found at %s; request validation SKIPPED (set %s or use WithSpec)", src.path, SpecEnv)
	}
	srv := httptest.NewUnstartedServer(s)
	if cfg.addr != "" {
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			return nil, fmt.Errorf("bbtest: listen: %w", err)
		}
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	s.srv = srv
	s.URL = srv.URL + apiPrefix
	return s, nil
}

// Close stops the server; delayed and hanging answers are cut short.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Handler returns the server's handler, for serving it elsewhere.
func (s *Server) Handler() http.Handler { return s }

// SpecPath returns the document requests are validated against (a file, or
// "embedded:…" for the embedded subset), or "" when validation is skipped.
func (s *Server) SpecPath() string {
	if s.spec == nil {
		return ""
	}
	return s.spec.path
}

// SpecLoadTime returns how long loading and patching the document took (once
// per process), or 0 when validation is skipped.
func (s *Server) SpecLoadTime() time.Duration {
	if s.spec == nil {
		return 0
	}
	return s.spec.loadTime
}

// Violations returns the violations so far, oldest first.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

func (s *Server) now() time.Time { return s.cfg.now() }

// call is one request on its way through the server.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	path   string    // escaped path below /2.0, "" when outside it
	tmpl   *template // matched path template, nil when none
	params map[string]string
	body   []byte
	user   *User
	route  *route
	logIdx int
}

// base is the absolute URL of the API root as the client reached it, for
// links and redirects.
func (c *call) base() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + apiPrefix
}

// ServeHTTP logs the request, applies the rate limit and faults, then
// serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	user, redacted := s.authenticate(r.Header.Get("Authorization"))
	rec := &statusWriter{ResponseWriter: w}
	c := &call{s: s, w: rec, r: r, body: body, user: user}
	c.logIdx = s.logRequest(r, body, redacted)
	defer func() { s.setStatus(c.logIdx, rec.status) }()

	escaped := r.URL.EscapedPath()
	if escaped == apiPrefix || strings.HasPrefix(escaped, apiPrefix+"/") {
		c.path = strings.TrimPrefix(escaped, apiPrefix)
		if c.path == "" {
			c.path = "/"
		}
		c.tmpl, c.params = matchTemplates(s.templates, c.path)
		if c.tmpl != nil {
			s.setRoute(c.logIdx, r.Method+" "+c.tmpl.path)
		}
	}
	if s.rateLimited() {
		writeRateLimit(rec, "")
		return
	}
	if f := s.takeFault(r, body); f != nil {
		s.applyFault(c, rec, w, f)
		return
	}
	s.serve(c)
}

// serve routes, authenticates, authorises and validates a request, then
// runs its handler.
func (s *Server) serve(c *call) {
	r := c.r
	if c.tmpl == nil {
		reason := "no such route in the Bitbucket API" + s.spec.unknownHint()
		if c.path == "" {
			reason = "no such route: the API lives under " + apiPrefix
		}
		c.violation(http.StatusNotFound, reason)
		return
	}
	rt := s.findRoute(r.Method, c.tmpl.path)
	if rt == nil {
		if s.spec != nil {
			if _, op := s.spec.operation(r.Method, c.tmpl.path); op == nil {
				c.violation(http.StatusMethodNotAllowed, fmt.Sprintf("%s is not defined for %s%s", r.Method, c.tmpl.path, s.spec.unknownHint()))
				return
			}
		}
		c.violation(http.StatusNotImplemented, fmt.Sprintf("bbtest does not implement %s %s (add it to bbtest)", r.Method, c.tmpl.path))
		return
	}
	c.route = rt
	if c.user == nil {
		writeUnauthorized(c.w, r.Header.Get("Authorization") != "")
		return
	}
	required := s.requiredScopes(rt)
	if miss := missingScopes(c.user, required); len(miss) > 0 {
		writeScopeError(c.w, required, c.user.Scopes)
		return
	}
	if reason := s.validate(c); reason != "" {
		c.violation(http.StatusBadRequest, reason)
		return
	}
	rt.handle(c)
}

// validate applies the live API's stricter rules to JSON bodies (valid
// JSON, no nulls, the route's own rules), then the document.
func (s *Server) validate(c *call) string {
	if c.route.check != nil {
		ct := c.r.Header.Get("Content-Type")
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json") {
			return fmt.Sprintf("Content-Type %q: the body must be sent as application/json", ct)
		}
		var v any
		if err := json.Unmarshal(c.body, &v); err != nil {
			return "request body is not valid JSON: " + err.Error()
		}
		if p := findNull(v, ""); p != "" {
			return "request body has a null value at " + p + " (the live API rejects nulls; omit the field)"
		}
		if reason := c.route.check(v); reason != "" {
			return reason
		}
	}
	if s.spec == nil {
		return ""
	}
	item, op := s.spec.operation(c.r.Method, c.route.path)
	return s.spec.validate(c.r, c.body, c.route.path, item, op, c.params)
}

// findNull returns the JSON pointer of the first null in v, or "".
func findNull(v any, at string) string {
	switch x := v.(type) {
	case nil:
		if at == "" {
			return "/"
		}
		return at
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if p := findNull(x[k], at+"/"+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findNull(e, fmt.Sprintf("%s/%d", at, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// violation records a violation and answers it.
func (c *call) violation(status int, reason string) {
	msg := http.StatusText(status)
	if status == http.StatusBadRequest {
		msg = "Bad request"
	}
	c.violationMsg(status, msg, reason)
}

// violationMsg records a violation and answers it with Bitbucket's message
// and the reason as detail.
func (c *call) violationMsg(status int, message, reason string) {
	c.s.mu.Lock()
	c.s.violations = append(c.s.violations, Violation{Method: c.r.Method, Path: c.r.URL.RequestURI(), Reason: reason})
	c.s.mu.Unlock()
	writeError(c.w, status, message, reason)
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "bbtest: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorBody is Bitbucket's error shape.
type errorBody struct {
	Type  string      `json:"type"`
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

func writeError(w http.ResponseWriter, status int, message, detail string) {
	writeJSON(w, status, errorBody{Type: "error", Error: errorDetail{Message: message, Detail: detail}})
}
