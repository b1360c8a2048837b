package main

// Checks the shape issue 17 asks of the code: no function anywhere in the
// module (tests included) runs over 100 lines.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const maxFunctionLines = 100

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
