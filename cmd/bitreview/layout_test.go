package main

// Checks the shape issue 17 asks of the code: cmd/bitreview stays a thin
// composition root, and no function anywhere in the module (tests
// included) runs over 100 lines.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	maxFunctionLines = 100
	maxCmdLines      = 1200
)

// moduleGoFiles lists the module's Go files, test files included.
func moduleGoFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor"):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(p, ".go"):
			files = append(files, p)
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, len(files), 100, "the module's files were found")
	return files
}

func TestNoFunctionOver100Lines(t *testing.T) {
	fset := token.NewFileSet()
	for _, p := range moduleGoFiles(t) {
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			name := "a function literal"
			switch fn := n.(type) {
			case *ast.FuncDecl:
				name = fn.Name.Name
			case *ast.FuncLit:
			default:
				return true
			}
			from, to := fset.Position(n.Pos()), fset.Position(n.End())
			if lines := to.Line - from.Line + 1; lines > maxFunctionLines {
				t.Errorf("%s:%d: %s is %d lines long (at most %d)", p, from.Line, name, lines, maxFunctionLines)
			}
			return true
		})
	}
}

// cmd/bitreview is flags and environment in, one package call, the exit
// code out: its non-test code stays small, and policy lives in packages
// that can be imported and unit-tested.
func TestCmdStaysThin(t *testing.T) {
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	total := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		total += strings.Count(string(data), "\n")
	}
	assert.LessOrEqual(t, total, maxCmdLines, "non-test lines in cmd/bitreview")
}
