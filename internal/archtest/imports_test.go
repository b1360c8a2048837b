package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/bitreview/bitreview/"

// rules say which of the module's packages each package may import (its
// non-test files); a package not listed here may import none of ours
// unless a prefix rule covers it. "*" allows everything (the composition
// root). See docs/architecture.md.
var rules = map[string][]string{
	"cmd/bitreview":       {"*"},
	"cmd/bitreview-bench": {"*"},
	"workflow":            {"command", "diffparse", "internal/termsafe", "issuelink", "lint", "review", "settings"},
	"settings":            {"command", "diffparse", "lint", "llm", "repoconfig", "review"},
	"admin":               {"bbapi", "llm", "review", "settings"},
	"localreview":         {"diffparse", "gitblob", "internal/termsafe", "lint", "review", "settings", "workflow"},
	"service/bitbucket":   {"bbapi", "diffparse", "gitblob", "review", "service/checkout"},
	"service/github":      {"diffparse", "gitblob", "internal/retry", "review", "service/checkout"},
	"llm":                 {"internal/retry", "review"},
	"redact":              {"diffparse", "review"},
	"lint":                {"diffparse", "review"},
	"relay":               {"bbapi", "command", "internal/retry"},
	"review":              {"diffparse"},
	"bbapi":               {"internal/retry"},
	"diffparse":           {},
	"command":             {},
	"issuelink":           {},
	"jira":                {"review"},
	"gitblob":             {},
	"service/checkout":    {"gitblob", "review"},
	"xref":                {"diffparse", "review"},
	"repoconfig":          {},
}

// TestImportsPointOneWay fails when a package imports one of ours that
// its layer must not see: the adapters never import the workflow or the
// settings, the workflow never imports a host's client, review never
// imports anything but diffparse.
func TestImportsPointOneWay(t *testing.T) {
	root := moduleRoot(t)
	for pkg, allowed := range rules {
		imports := importsOf(t, filepath.Join(root, pkg))
		if slices.Contains(allowed, "*") {
			continue
		}
		for _, imp := range imports {
			assert.Contains(t, allowed, imp, "%s must not import %s (docs/architecture.md)", pkg, imp)
		}
	}
}

// importsOf lists the module packages that the non-test Go files of dir
// import, relative to the module.
func importsOf(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, dir)
	var out []string
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, is := range f.Imports {
			p, _ := strconv.Unquote(is.Path.Value)
			if rel, ok := strings.CutPrefix(p, module); ok && !slices.Contains(out, rel) {
				out = append(out, rel)
			}
		}
	}
	return out
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the test")
		dir = parent
	}
}
