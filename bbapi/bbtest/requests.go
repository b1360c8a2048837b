package bbtest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Request is one request the server received. Every request is logged,
// including those answered by a fault, the rate limiter or a violation.
type Request struct {
	Method string
	Path   string     // escaped path, including /2.0
	Query  url.Values // decoded query
	Body   []byte
	// Auth is the Authorization header reduced to its scheme and user:
	// "Basic bot@example.com", "Bearer bot" (the token's user), "Bearer
	// (unknown token)" or "". Credentials are never kept.
	Auth string
	// Route is the matched operation, "METHOD /spec/template", or "".
	Route string
	// Status is the answer's status; 0 while the request is in flight or
	// when the connection was reset.
	Status int
	Time   time.Time // arrival, on the real clock (for backoff assertions)
}

func (s *Server) logRequest(r *http.Request, body []byte, auth string) int {
	req := Request{
		Method: r.Method,
		Path:   r.URL.EscapedPath(),
		Query:  r.URL.Query(),
		Body:   body,
		Auth:   auth,
		Time:   time.Now(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	return len(s.reqs) - 1
}

func (s *Server) setStatus(i, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs[i].Status = status
}

func (s *Server) setRoute(i int, route string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs[i].Route = route
}

// Requests returns the requests so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		r.Body = slices.Clone(r.Body)
		r.Query = cloneValues(r.Query)
		out[i] = r
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// Count returns how many requests with the method ("" for any) had an
// escaped path ending in pathSuffix, e.g. Count("POST",
// "/pullrequests/1/comments").
func (s *Server) Count(method, pathSuffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if (method == "" || r.Method == method) && strings.HasSuffix(r.Path, pathSuffix) {
			n++
		}
	}
	return n
}

// RouteCounts returns the number of requests per matched operation, keyed
// "METHOD /spec/template" like Request.Route. Requests that matched no
// route are counted under "".
func (s *Server) RouteCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int)
	for _, r := range s.reqs {
		out[r.Route]++
	}
	return out
}
