package xref_test

// The seeded corpus, Go: one-line bugs that are wrong only because of
// code in another file (the kind the issue measured: 0 of 5 reached the
// model with the hunk alone).

// goShop is the repository of the Go cases: a small web shop with
// same-named declarations in unrelated packages, to be told apart.
var goShop = map[string]string{
	"go.mod": "module example.com/shop\n\ngo 1.22\n",
	"store/store.go": `package store

import "errors"

// ErrConflict is returned by Save when the row changed since it was read.
var ErrConflict = errors.New("conflict")

// DB is the database.
type DB struct{ rows map[string]string }

// Save writes a row. It returns ErrConflict when the row changed since it
// was read: callers must retry or report the conflict.
func Save(db *DB, key, v string) error {
	if _, ok := db.rows[key]; ok {
		return ErrConflict
	}
	db.rows[key] = v
	return nil
}
`,
	"store/cache.go": `package store

// Cache holds recent rows.
type Cache struct{ m map[string]*Row }

// Row is a cached row.
type Row struct{ Name string }

// Lookup returns the cached row of key. ok is false on a miss, and the row
// is then nil: always check ok before using it.
func (c *Cache) Lookup(key string) (row *Row, ok bool) {
	row, ok = c.m[key]
	return row, ok
}
`,
	"audit/save.go": `package audit

// Save records an audit line; it never fails.
func Save(line string) error { return nil }
`,
	"model/project.go": `package model

// Project is what a team works on.
type Project struct {
	Name string
	// Owners may delete the project: admins only.
	Owners []string
	// Members may read and write it.
	Members []string
}
`,
	"retry/retry.go": `package retry

import "time"

// Backoff is the wait between two attempts. It is a time.Duration
// already: do not multiply it by a unit.
const Backoff = 2 * time.Second
`,
	"config/config.go": `package config

// Config is the client's configuration.
type Config struct {
	Name string
	// Timeout of a request, in seconds.
	Timeout int
}
`,
	"query/limit.go": `package query

import "strconv"

// ParseLimit reads a page size; 0 means no limit.
func ParseLimit(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
`,
	"web/render.go": `package web

import (
	"html"
	"io"
)

// Page is a rendered page.
type Page struct{ Body string }

// render writes p to w. raw skips HTML escaping: only for trusted
// templates, never for user input.
func render(w io.Writer, p Page, raw bool) error {
	body := p.Body
	if !raw {
		body = html.EscapeString(body)
	}
	_, err := io.WriteString(w, body)
	return err
}
`,
	"web/handlers.go": `package web

import (
	"io"
	"time"

	"example.com/shop/config"
	"example.com/shop/model"
	"example.com/shop/query"
	"example.com/shop/retry"
	"example.com/shop/store"
)

// Server serves the shop.
type Server struct {
	db    *store.DB
	cache *store.Cache
	cfg   config.Config
}

func (s *Server) comment(w io.Writer, text string) error {
	return render(w, Page{Body: text}, false)
}

func (s *Server) put(key, v string) error {
	if err := store.Save(s.db, key, v); err != nil {
		return err
	}
	return nil
}

func (s *Server) name(key string) string {
	if row, ok := s.cache.Lookup(key); ok {
		return row.Name
	}
	return ""
}

func (s *Server) notify(p model.Project, send func(string)) {
	for _, who := range p.Members {
		send(who)
	}
}

func (s *Server) again(try func() error) error {
	for i := 0; i < 3; i++ {
		if err := try(); err == nil {
			return nil
		}
		time.Sleep(retry.Backoff)
	}
	return nil
}

func (s *Server) list(limit string) []string {
	return make([]string, 0, query.ParseLimit(limit)+1)
}
`,
	"client/client.go": `package client

import (
	"net/http"
	"time"

	"example.com/shop/config"
)

// New returns an HTTP client for c.
func New(c config.Config) *http.Client {
	return &http.Client{Timeout: time.Duration(c.Timeout) * time.Second}
}
`,
	"web/handlers_test.go": `package web

import "testing"

func TestList(t *testing.T) {
	if got := (&Server{}).list("2"); cap(got) != 3 {
		t.Fatal(got)
	}
}
`,
}

var goCases = []seeded{
	{name: "go: error of a documented callee ignored", files: goShop, path: "web/handlers.go",
		old: "err != nil {", new: "err != nil && err != store.ErrConflict {",
		need: "callers must retry or report the conflict", kind: "definition"},
	{name: "go: flag flipped on a function of another file", files: goShop, path: "web/handlers.go",
		old: "Page{Body: text}, false)", new: "Page{Body: text}, true)",
		need: "raw skips HTML escaping: only for trusted", kind: "definition"},
	{name: "go: ok of a method of another package ignored", files: goShop, path: "web/handlers.go",
		old: "if row, ok := s.cache.Lookup(key); ok {", new: "if row, _ := s.cache.Lookup(key); row.Name != \"\" {",
		need: "always check ok before using it", kind: "definition"},
	{name: "go: loop over the wrong field of a struct", files: goShop, path: "web/handlers.go",
		old: "range p.Members", new: "range p.Owners",
		need: "Owners may delete the project: admins only", kind: "definition"},
	{name: "go: a duration multiplied by a unit", files: goShop, path: "web/handlers.go",
		old: "time.Sleep(retry.Backoff)", new: "time.Sleep(retry.Backoff * time.Second)",
		need: "const Backoff = 2 * time.Second", kind: "definition"},
	{name: "go: helper's contract changed, callers rely on it", files: goShop, path: "query/limit.go",
		old: "return 0\n", new: "return -1\n",
		need: "make([]string, 0, query.ParseLimit(limit)+1)", kind: "caller"},
	{name: "go: a field's unit changed, its uses elsewhere", files: goShop, path: "config/config.go",
		old: "// Timeout of a request, in seconds.", new: "// Timeout of a request, in milliseconds.",
		need: "time.Duration(c.Timeout) * time.Second", kind: "caller"},
}
