package xref_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/xref"
)

const goMod = "module example.com/shop\n\ngo 1.22\n"

// shop is a small Go module: a store package with two types that both
// have a Get method, a model package, and an api package that uses them.
var shop = map[string]string{
	"go.mod": goMod,
	"store/store.go": `package store

import "errors"

// ErrConflict is returned by Save when the row changed since it was read.
var ErrConflict = errors.New("conflict")

// DB is the database.
type DB struct{ rows map[string]string }

// Get returns the row of key. The second result is false when there is
// none; the row is then "", which is a valid row too: always check ok.
func (db *DB) Get(key string) (string, bool) {
	v, ok := db.rows[key]
	return v, ok
}

// Save writes a row. It returns ErrConflict when the row changed since it
// was read: callers must retry.
func Save(db *DB, key, v string) error {
	db.rows[key] = v
	return nil
}
`,
	"store/cache.go": `package store

// Cache is an in-memory cache.
type Cache struct{ m map[string]string }

// Get returns the cached value (DISTRACTOR).
func (c *Cache) Get(key string) string { return c.m[key] }
`,
	"model/request.go": `package model

// Request is what a client asks for.
type Request struct {
	// Owners may delete the project: admins only.
	Owners []string
	// Members may read it.
	Members []string
}

// Backoff is how long to wait before a retry, already a duration.
const Backoff = 2_000_000_000
`,
	"api/server.go": `package api

import (
	"fmt"

	"example.com/shop/model"
	"example.com/shop/store"
)

// Server serves the API.
type Server struct {
	db    *store.DB
	cache *store.Cache
}

func (s *Server) handle(key string, req model.Request) string {
	v, ok := s.db.Get(key)
	if !ok {
		return ""
	}
	for _, who := range req.Members {
		fmt.Println(who)
	}
	if err := store.Save(s.db, key, v); err != nil {
		return err.Error()
	}
	return helper(v)
}

func (s *Server) one() int { return 1 }

func (s *Server) two() int { return 2 }

// helper is a helper at the bottom of the file.
func helper(v string) string { return v }
`,
}

// edit returns shop with one file's text changed by a replacement.
func edit(files map[string]string, path, old, new string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	if !strings.Contains(out[path], old) {
		panic("edit: " + old + " not in " + path)
	}
	out[path] = strings.Replace(out[path], old, new, 1)
	return map[string]string{path: out[path]}
}

func TestGoDefinitionsResolveThroughTypes(t *testing.T) {
	for _, tc := range []struct {
		name, old, new  string
		path, want, not string
	}{
		{name: "a package function of an import", old: "if err := store.Save(s.db, key, v); err != nil {\n\t\treturn err.Error()\n\t}",
			new: "store.Save(s.db, key, v)", path: "store/store.go", want: "callers must retry"},
		{name: "a method through a field of another file's type", old: "v, ok := s.db.Get(key)", new: "v, _ := s.db.Get(key)",
			path: "store/store.go", want: "func (db *DB) Get(key string) (string, bool)", not: "DISTRACTOR"},
		{name: "a struct field", old: "range req.Members", new: "range req.Owners", path: "model/request.go", want: "admins only"},
		{name: "a constant", old: "return helper(v)", new: "fmt.Println(model.Backoff)\n\treturn helper(v)", path: "model/request.go", want: "Backoff = 2_000_000_000"},
		{name: "a function of the same file, outside the hunk", old: "\treturn helper(v)\n}", new: "\treturn helper(v + \"!\")\n}", path: "api/server.go", want: "func helper(v string) string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := related(t, shop, edit(shop, "api/server.go", tc.old, tc.new), xref.Limits{})
			s, _ := requireSnippet(t, rel, tc.path, tc.want)
			assert.NotContains(t, s.What, "use of", s.What)
			require.NotEmpty(t, s.Uses)
			assert.Equal(t, "api/server.go", s.Uses[0].Path)
			if tc.not != "" {
				requireNoSnippet(t, rel, tc.not)
			}
			requireNoSnippet(t, rel, "fmt.Println(who)") // nothing of the change's own hunk
		})
	}
}

// TestGoSkipsLocalsAndTheStandardLibrary: a change that uses only local
// variables and the standard library needs no definition from elsewhere.
func TestGoSkipsLocalsAndTheStandardLibrary(t *testing.T) {
	rel := related(t, shop, edit(shop, "api/server.go", "fmt.Println(who)", "fmt.Println(who, key)"), xref.Limits{})
	for _, s := range rel.Snippets {
		assert.NotContains(t, s.What, "definition", dump(rel))
	}
}

// callers is a module where query.ParseLimit is used in its package, in
// another package, in a test, and where another package declares and
// calls a ParseLimit of its own.
var callers = map[string]string{
	"go.mod": goMod,
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
	"query/list.go": `package query

func List(q string) []string {
	out := make([]string, 0, ParseLimit(q)) // SAME-PACKAGE
	return out
}
`,
	"api/users.go": `package api

import (
	q "example.com/shop/query"
)

func users(limit string) int {
	return q.ParseLimit(limit) + 1 // OTHER-PACKAGE
}
`,
	"api/users_test.go": `package api

import (
	"testing"

	"example.com/shop/query"
)

func TestLimit(t *testing.T) {
	_ = query.ParseLimit("x") // IN-A-TEST
}
`,
	"other/limit.go": `package other

func ParseLimit(s string) int { return len(s) }

func use() int { return ParseLimit("x") } // DISTRACTOR
`,
}

func TestGoCallersOfAChangedFunctionAreRanked(t *testing.T) {
	head := edit(callers, "query/limit.go", "return 0\n", "return -1\n")
	rel := related(t, callers, head, xref.Limits{})
	same, i1 := requireSnippet(t, rel, "query/list.go", "SAME-PACKAGE")
	_, i2 := requireSnippet(t, rel, "api/users.go", "OTHER-PACKAGE")
	_, i3 := requireSnippet(t, rel, "api/users_test.go", "IN-A-TEST")
	assert.Less(t, i1, i2, "the same package first")
	assert.Less(t, i2, i3, "tests last")
	requireNoSnippet(t, rel, "DISTRACTOR")
	assert.Contains(t, same.What, "ParseLimit")
	assert.Contains(t, same.What, "in func List")
	assert.Equal(t, []review.Place{{Path: "query/limit.go", Line: 9}}, same.Uses, "shown for the changed line")
	assert.LessOrEqual(t, len(same.Lines), 5, "two lines around the use")
}

func TestGoUsesOfAChangedFieldAndARemovedFunction(t *testing.T) {
	base := map[string]string{
		"go.mod":           goMod,
		"config/config.go": "package config\n\n// Config holds settings.\ntype Config struct {\n\tName    string\n\tTimeout int // seconds\n}\n\nfunc Old() int { return 1 }\n",
		"client/client.go": "package client\n\nimport \"example.com/shop/config\"\n\nfunc wait(c config.Config) int {\n\treturn c.Timeout * 1000 // FIELD-USE\n}\n\nfunc legacy() int { return config.Old() } // LEFTOVER-CALLER\n",
	}
	head := map[string]string{"config/config.go": "package config\n\nimport \"time\"\n\n// Config holds settings.\ntype Config struct {\n\tName    string\n\tTimeout time.Duration\n}\n"}
	rel := related(t, base, head, xref.Limits{})
	requireSnippet(t, rel, "client/client.go", "FIELD-USE")
	requireSnippet(t, rel, "client/client.go", "LEFTOVER-CALLER")
}

// TestGoWithoutGoModOrParse: a file that does not parse falls back to the
// word search; a repository without go.mod still resolves its package.
func TestGoWithoutGoModOrParse(t *testing.T) {
	base := map[string]string{
		"lib/a.go": "package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n",
		"lib/b.go": "package lib\n\nfunc b() int {\n\treturn 1\n}\n",
	}
	rel := related(t, base, map[string]string{"lib/b.go": "package lib\n\nfunc b() int {\n\treturn Twice(1)\n}\n"}, xref.Limits{})
	requireSnippet(t, rel, "lib/a.go", "// Twice doubles n.")

	rel = related(t, base, map[string]string{"lib/b.go": "package lib\n\nfunc b() int {\n\treturn Twice(1) +\n}\n"}, xref.Limits{})
	requireSnippet(t, rel, "lib/a.go", "func Twice(n int) int")
}

// TestGoMethodUsesAreSelectorsOnValues: the uses of a changed method are
// selectors on values in files that can reach its package, never a
// package-qualified name that happens to match (command.Review is not
// Engine.Review).
func TestGoMethodUsesAreSelectorsOnValues(t *testing.T) {
	base := map[string]string{
		"go.mod":         goMod,
		"store/db.go":    "package store\n\n// DB is a database.\ntype DB struct{}\n\n// Close closes db.\nfunc (d *DB) Close() error {\n\treturn nil\n}\n",
		"other/other.go": "package other\n\n// Close is a constant.\nconst Close = 1\n",
		"api/api.go":     "package api\n\nimport (\n\t\"example.com/shop/other\"\n\t\"example.com/shop/store\"\n)\n\nfunc stop(d *store.DB) int {\n\t_ = d.Close() // METHOD-USE\n\treturn other.Close // PACKAGE-NAME\n}\n",
	}
	rel := related(t, base, edit(base, "store/db.go", "\treturn nil\n", "\treturn errors.New(\"x\")\n"), xref.Limits{})
	requireSnippet(t, rel, "api/api.go", "METHOD-USE")
	requireSnippetsAt(t, rel, "api/api.go", 9)
}

// requireSnippetsAt fails unless the snippets of path are all centred on
// line (a use with Around lines either side).
func requireSnippetsAt(t *testing.T, rel *review.Related, path string, line int) {
	t.Helper()
	for _, s := range rel.Snippets {
		if s.Path == path {
			assert.Equal(t, line-2, s.Start, "only the use at line %d:\n%s", line, dump(rel))
		}
	}
}
