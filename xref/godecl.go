package xref

import (
	"go/ast"
	"go/token"
	"go/types"
)

// declCandidate is the snippet of obj's declaration: its doc comment and
// the declaration (a function's signature and the start of its body, a
// type, a constant), or for a field or an interface method the whole type
// when it is short, else the field and its comment.
func (g *goSearch) declCandidate(w *want, obj types.Object) (candidate, bool) {
	pos := g.fset.Position(obj.Pos())
	f := g.files[pos.Filename]
	if f == nil {
		return candidate{}, false
	}
	start, end, what := g.declSpan(f, obj)
	if start == 0 {
		return candidate{}, false
	}
	decl := pos.Line
	start = max(start, decl-maxDoc) // a long doc comment: its end
	end = min(end, start+g.s.lim.Lines-1)
	if g.s.inHunk(pos.Filename, start, end) {
		return candidate{}, false
	}
	tier := 0
	if isTest(pos.Filename) && !isTest(w.from.path) {
		tier = 3
	}
	return candidate{want: w, path: pos.Filename, start: start, end: end, what: what, tier: tier}, true
}

// declSpan finds obj's declaration in f: its first line (doc included),
// its last, and what it is; start 0 when not found.
func (g *goSearch) declSpan(f *ast.File, obj types.Object) (start, end int, what string) {
	pos := obj.Pos()
	line := func(p token.Pos) int { return g.fset.Position(p).Line }
	from := func(doc *ast.CommentGroup, p token.Pos) int {
		if doc != nil {
			return line(doc.Pos())
		}
		return line(p)
	}
	for _, d := range f.Decls {
		if pos < d.Pos() || pos > d.End() {
			continue
		}
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.Pos() == pos {
				return from(d.Doc, d.Pos()), line(d.End()), "definition of " + funcName(d)
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				if pos < sp.Pos() || pos > sp.End() {
					continue
				}
				doc, first := specDoc(d, sp), sp.Pos()
				if !d.Lparen.IsValid() {
					first = d.Pos()
				}
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					s, e := from(doc, first), line(sp.End())
					if sp.Name.Pos() == pos {
						return s, e, "definition of type " + sp.Name.Name
					}
					fld, kind := memberAt(sp, pos)
					if fld == nil {
						return 0, 0, ""
					}
					what = kind + " " + obj.Name() + " of " + sp.Name.Name
					if e-s+1 <= g.s.lim.Lines {
						return s, e, what
					}
					return from(fld.Doc, fld.Pos()), line(fld.End()) + 1, what
				case *ast.ValueSpec:
					return from(doc, first), line(sp.End()), "definition of " + obj.Name()
				}
			}
		}
	}
	return 0, 0, ""
}

// specDoc is a spec's doc comment, or its declaration's for a lone spec.
func specDoc(d *ast.GenDecl, sp ast.Spec) *ast.CommentGroup {
	var doc *ast.CommentGroup
	switch sp := sp.(type) {
	case *ast.TypeSpec:
		doc = sp.Doc
	case *ast.ValueSpec:
		doc = sp.Doc
	}
	if doc == nil && !d.Lparen.IsValid() {
		doc = d.Doc
	}
	return doc
}

// memberAt finds the field or interface method of a type spec declared
// at pos.
func memberAt(sp *ast.TypeSpec, pos token.Pos) (*ast.Field, string) {
	var found *ast.Field
	kind := "field"
	ast.Inspect(sp.Type, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch t := n.(type) {
		case *ast.InterfaceType:
			for _, m := range t.Methods.List {
				for _, name := range m.Names {
					if name.Pos() == pos {
						found, kind = m, "method"
					}
				}
			}
		case *ast.Field:
			for _, name := range t.Names {
				if name.Pos() == pos {
					found = t
				}
			}
			if len(t.Names) == 0 && t.Type.Pos() <= pos && pos <= t.Type.End() {
				found = t // an embedded field
			}
		}
		return true
	})
	return found, kind
}

// funcName is "F" or "T.M".
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	return recvName(d.Recv.List[0].Type) + "." + d.Name.Name
}

// recvName is a receiver's type name without pointer or type parameters.
func recvName(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return "?"
		}
	}
}
