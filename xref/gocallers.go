package xref

import (
	"context"
	"go/ast"
	"go/token"
	"path"
	"regexp"
	"sort"
	"strconv"

	"github.com/bitreview/bitreview/review"
)

// changedDecls records a uses want for every declaration of c that a hunk
// changes: functions and methods, types and the fields changed in them,
// constants and variables, and functions the diff removes.
func (g *goSearch) changedDecls(c *change, f *ast.File) {
	line := func(p token.Pos) int { return g.fset.Position(p).Line }
	dir := path.Dir(c.path)
	add := func(name, kind string, p int) {
		g.s.add(&want{kind: wantUses, name: name, family: "go", lang: c.lang, from: c, uses: []review.Place{{Path: c.path, Line: p}},
			goDir: dir, goPkg: g.importPath(dir, f.Name.Name), goName: f.Name.Name, goKind: kind, weight: 0})
	}
	type span struct{ from, to int }
	spans := make([]span, len(f.Decls)) // in source order, not overlapping
	for i, d := range f.Decls {
		spans[i] = span{line(d.Pos()), line(d.End())}
	}
	for _, p := range c.points {
		for i := sort.Search(len(spans), func(i int) bool { return spans[i].to >= p }); i < len(spans) && spans[i].from <= p; i++ {
			switch d := f.Decls[i].(type) {
			case *ast.FuncDecl:
				kind := "func"
				if d.Recv != nil {
					kind = "method"
				}
				add(d.Name.Name, kind, p)
			case *ast.GenDecl:
				g.changedSpecs(d, p, line, add)
			}
		}
	}
	declared := map[string]bool{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			declared[fd.Name.Name] = true
		}
	}
	for _, r := range c.removedText {
		if m := removedFunc.FindStringSubmatch(r.text); m != nil && !declared[m[2]] {
			kind := "func"
			if m[1] != "" {
				kind = "method"
			}
			add(m[2], kind, r.n)
		}
	}
}

var removedFunc = regexp.MustCompile(`^func\s+(\([^)]*\)\s*)?(\w+)`)

// changedSpecs records the specs of d that line p changes: a field of a
// struct (or a method of an interface) by name, else the type, constant
// or variable.
func (g *goSearch) changedSpecs(d *ast.GenDecl, p int, line func(token.Pos) int, add func(name, kind string, p int)) {
	for _, sp := range d.Specs {
		if p < line(sp.Pos()) || p > line(sp.End()) {
			continue
		}
		switch sp := sp.(type) {
		case *ast.TypeSpec:
			member := false
			ast.Inspect(sp.Type, func(n ast.Node) bool {
				fld, ok := n.(*ast.Field)
				if !ok || len(fld.Names) == 0 {
					return true
				}
				from := fld.Pos()
				if fld.Doc != nil {
					from = fld.Doc.Pos() // a changed comment changes the field's contract
				}
				if line(from) <= p && p <= line(fld.End()) {
					for _, name := range fld.Names {
						add(name.Name, "field", p)
					}
					member = true
				}
				return true
			})
			if !member {
				add(sp.Name.Name, "type", p)
			}
		case *ast.ValueSpec:
			for _, name := range sp.Names {
				add(name.Name, "value", p)
			}
		}
	}
}

// useCandidates finds the uses of a changed Go declaration in the files
// the word search hit: in its own package, a bare name (or any selector
// of a method or field); elsewhere, only in files that import its
// package, through the import's name.
func (g *goSearch) useCandidates(ctx context.Context, w *want, hits []hit) []candidate {
	var out []candidate
	done := map[string]bool{}
	for _, h := range hits {
		if h.path == w.from.path || done[h.path] {
			continue
		}
		done[h.path] = true
		f := g.parse(ctx, h.path)
		if f == nil {
			continue
		}
		sameDir := path.Dir(h.path) == w.goDir
		local := importName(f, w.goPkg, w.goName)
		if !sameDir && local == "" {
			continue
		}
		lines := g.s.r.text[h.path]
		tier := 2
		switch {
		case isTest(h.path):
			tier = 3
		case sameDir:
			tier = 1
		}
		for _, u := range g.usesIn(f, w, sameDir, local) {
			verb := "use of "
			if u.call {
				verb = "call of "
			}
			out = append(out, candidate{want: w, path: h.path, line: u.line, what: verb + w.name, tier: tier,
				start: max(1, u.line-g.s.lim.Around), end: min(len(lines), u.line+g.s.lim.Around)})
		}
	}
	return out
}

// importName is the name under which f imports pkg: its alias, or base
// (the package's name); "" when f does not import it.
func importName(f *ast.File, pkg, base string) string {
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != pkg {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return ""
			}
			return imp.Name.Name
		}
		return base
	}
	return ""
}

// goUse is a line of a file that uses a declaration, and whether it
// calls it.
type goUse struct {
	line int
	call bool
}

// importNames are the names f's imports are known by: their alias, or the
// last element of their path (most packages are named so).
func importNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		if imp.Name != nil {
			names[imp.Name.Name] = true
			continue
		}
		names[path.Base(p)] = true
	}
	return names
}

// usesIn returns the lines of f that use w's declaration.
func (g *goSearch) usesIn(f *ast.File, w *want, sameDir bool, local string) []goUse {
	sels, decls, calls := map[*ast.Ident]bool{}, map[*ast.Ident]bool{}, map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			switch fun := ast.Unparen(n.Fun).(type) {
			case *ast.Ident:
				calls[fun] = true
			case *ast.SelectorExpr:
				calls[fun.Sel] = true
			}
		case *ast.SelectorExpr:
			sels[n.Sel] = true
		case *ast.FuncDecl:
			decls[n.Name] = true
		case *ast.TypeSpec:
			decls[n.Name] = true
		case *ast.ValueSpec:
			for _, id := range n.Names {
				decls[id] = true
			}
		case *ast.Field:
			for _, id := range n.Names {
				decls[id] = true
			}
		}
		return true
	})
	pkgs := importNames(f)
	var out []goUse
	seen := map[int]bool{}
	use := func(id *ast.Ident) {
		if n := g.fset.Position(id.Pos()).Line; !seen[n] {
			seen[n] = true
			out = append(out, goUse{n, calls[id]})
		}
	}
	member := w.goKind == "method" || w.goKind == "field"
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if n.Sel.Name != w.name {
				return true
			}
			x, ok := n.X.(*ast.Ident)
			switch {
			case ok && local != "" && x.Name == local && !member:
				use(n.Sel)
			case member && !(ok && pkgs[x.Name]): // pkg.Name is no method nor field
				use(n.Sel)
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && w.goKind == "field" && k.Name == w.name {
				use(k)
			}
		case *ast.Ident:
			if sameDir && !member && n.Name == w.name && !sels[n] && !decls[n] {
				use(n)
			}
		}
		return true
	})
	return out
}

// enclosingFunc names the function of a parsed file around a line.
func (g *goSearch) enclosingFunc(p string, n int) string {
	f := g.files[p]
	if f == nil {
		return ""
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && g.fset.Position(fd.Pos()).Line <= n && n <= g.fset.Position(fd.End()).Line {
			return "func " + funcName(fd)
		}
	}
	return ""
}
