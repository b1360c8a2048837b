// Package jiratest runs a fake Jira Cloud site on net/http/httptest for
// the tests of the jira client and of everything above it: it enforces
// Basic auth (an account's email and API token), answers REST API v3 with
// descriptions in the Atlassian Document Format, and validates what is
// created the way Jira does (a known project and issue type, a one-line
// summary, an ADF description).
//
//	s := jiratest.New(t)
//	s.AddUser("bot@acme.test", "token")
//	s.AddIssue(jiratest.Issue{Key: "ABC-1", Summary: "Login", Description: jiratest.ADF("text")})
//	// point the client at s.URL
//	s.Requests(); s.Created()
package jiratest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issue is an issue the fake serves.
type Issue struct {
	Key, Summary string
	Status, Type string          // default "To Do", "Story"
	Description  json.RawMessage // an ADF document; nil for none
}

// Created is an issue a client created.
type Created struct {
	Key, Project, Type, Summary string
	Description                 json.RawMessage // the ADF document sent
	User                        string          // the email that created it
}

// Request is one request the fake received.
type Request struct {
	Method, Path string // Path without the query
	User         string // the authenticated email, "" when refused
	Status       int
}

// Server is a fake Jira Cloud site.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	users    map[string]string // email → token
	issues   map[string]Issue
	projects map[string]bool
	created  []Created
	requests []Request
	fault    Fault
}

// Fault makes every request fail: Status answers that status, Delay waits
// first (cut short when the client goes away).
type Fault struct {
	Status int
	Delay  time.Duration
}

// New starts a fake site, closed at the test's cleanup. Projects ABC, OPS
// and WEB exist, each with the issue types Task, Story and Bug.
func New(t testing.TB) *Server {
	s := &Server{users: map[string]string{}, issues: map[string]Issue{}, projects: map[string]bool{"ABC": true, "OPS": true, "WEB": true}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server: later requests find nothing listening.
func (s *Server) Close() { s.srv.Close() }

// AddUser lets email authenticate with token.
func (s *Server) AddUser(email, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[email] = token
}

// AddIssue adds or replaces an issue.
func (s *Server) AddIssue(i Issue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i.Status == "" {
		i.Status = "To Do"
	}
	if i.Type == "" {
		i.Type = "Story"
	}
	s.issues[i.Key] = i
	s.projects[strings.SplitN(i.Key, "-", 2)[0]] = true
}

// RemoveIssue deletes an issue: its key then answers 404.
func (s *Server) RemoveIssue(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.issues, key)
}

// SetFault makes every later request fail (the zero Fault clears it).
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Requests lists what the fake received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count counts requests of method whose path has the prefix.
func (s *Server) Count(method, prefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// Created lists the issues clients created, in order.
func (s *Server) Created() []Created {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Created(nil), s.created...)
}

// ADF is a one-paragraph-per-line ADF document of text, for AddIssue.
func ADF(text string) json.RawMessage {
	var paras []string
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		t, _ := json.Marshal(line)
		paras = append(paras, `{"type":"paragraph","content":[{"type":"text","text":`+string(t)+`}]}`)
	}
	return json.RawMessage(`{"type":"doc","version":1,"content":[` + strings.Join(paras, ",") + `]}`)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.fault
	s.mu.Unlock()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	user, ok := s.authenticate(r)
	status := http.StatusOK
	defer func() {
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, User: user, Status: status})
		s.mu.Unlock()
	}()
	switch {
	case f.Status != 0:
		status = f.Status
		writeErrors(w, status, "fault injected by jiratest")
	case !ok:
		// Jira Cloud answers a bad or missing credential with 401 and
		// a plain-text body.
		status = http.StatusUnauthorized
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprint(w, "Client must be authenticated to access this resource.")
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/rest/api/3/issue/"):
		status = s.getIssue(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/rest/api/3/issue":
		status = s.createIssue(w, r, user)
	default:
		status = http.StatusNotFound
		writeErrors(w, status, "jiratest serves GET /rest/api/3/issue/{key} and POST /rest/api/3/issue only")
	}
}

// authenticate checks Basic email:token.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return "", false
	}
	email, token, _ := strings.Cut(string(raw), ":")
	s.mu.Lock()
	defer s.mu.Unlock()
	want, known := s.users[email]
	return email, known && token == want && token != ""
}

func writeErrors(w http.ResponseWriter, status int, msgs ...string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errorMessages": msgs, "errors": map[string]string{}})
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) int {
	key, err := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/rest/api/3/issue/"))
	s.mu.Lock()
	i, ok := s.issues[key]
	s.mu.Unlock()
	if err != nil || !ok {
		writeErrors(w, http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
		return http.StatusNotFound
	}
	fields := map[string]any{
		"summary":   i.Summary,
		"status":    map[string]any{"name": i.Status, "statusCategory": map[string]any{"key": "new"}},
		"issuetype": map[string]any{"name": i.Type, "subtask": false},
	}
	if i.Description != nil {
		fields["description"] = i.Description
	} else {
		fields["description"] = nil
	}
	if want := r.URL.Query().Get("fields"); want != "" {
		keep := strings.Split(want, ",")
		for k := range fields {
			if !contains(keep, k) {
				delete(fields, k)
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"id": "10001", "key": i.Key, "self": s.URL + "/rest/api/3/issue/10001", "fields": fields})
	return http.StatusOK
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
