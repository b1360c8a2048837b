package xref

import (
	"context"
	"errors"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// goSearch is the Go side of a search: files parsed and packages
// type-checked from the tree alone. Imports of the repository's own
// modules (go.mod's module path) are type-checked from source, without
// function bodies, at most maxImportDepth deep; every other import (the
// standard library, dependencies) is left unresolved, which go/types
// tolerates: what uses it has no type, everything else resolves.
type goSearch struct {
	s     *search
	fset  *token.FileSet
	mods  []module
	files map[string]*ast.File      // parsed, by path; nil when unreadable
	pkgs  map[string]*types.Package // by import path; nil when it failed or is being checked
	ours  map[*types.Package]bool
	// declared marks the definition wants whose candidate is made.
	declared map[*want]bool
}

// maxImportDepth is how deep in-module imports are type-checked: the
// changed package's imports and theirs, enough for selectors through a
// field of an imported type.
const maxImportDepth = 2

var errNotLoaded = errors.New("not type-checked here")

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// golang records what a Go change needs: the declarations its added lines
// use, resolved by the type checker (their candidates are ready), and the
// uses of the declarations its hunks change. It reports false when the
// file cannot be parsed, for the word search to take over.
func (s *search) golang(ctx context.Context, c *change) bool {
	if c.lines == nil {
		return false
	}
	if s.gs == nil {
		s.gs = &goSearch{s: s, fset: token.NewFileSet(), mods: s.r.modules(ctx),
			files: map[string]*ast.File{}, pkgs: map[string]*types.Package{}, ours: map[*types.Package]bool{}, declared: map[*want]bool{}}
	}
	g := s.gs
	f := g.parse(ctx, c.path)
	if f == nil {
		return false
	}
	dir := path.Dir(c.path)
	files := g.pkgFiles(ctx, dir, f.Name.Name, strings.HasSuffix(c.path, "_test.go"))
	if !containsFile(files, f) {
		files = append(files, f)
	}
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
	g.check(ctx, g.importPath(dir, f.Name.Name), files, info, 0)
	g.definitions(c, info)
	g.changedDecls(c, f)
	return true
}

func containsFile(files []*ast.File, f *ast.File) bool {
	for _, x := range files {
		if x == f {
			return true
		}
	}
	return false
}

// parse parses a listed Go file once; a file with syntax errors gives
// what the parser recovered.
func (g *goSearch) parse(ctx context.Context, p string) *ast.File {
	if f, ok := g.files[p]; ok {
		return f
	}
	lines, ok := g.s.r.lines(ctx, p)
	if !ok {
		g.files[p] = nil
		return nil
	}
	f, _ := parser.ParseFile(g.fset, p, strings.Join(lines, "\n"), parser.ParseComments|parser.SkipObjectResolution)
	if f != nil && f.Name == nil {
		f = nil
	}
	g.files[p] = f
	return f
}

// pkgFiles parses the buildable files of package name in dir (name ""
// takes the most common), with its _test.go files when tests is set.
func (g *goSearch) pkgFiles(ctx context.Context, dir, name string, tests bool) []*ast.File {
	var all []*ast.File
	count := map[string]int{}
	for _, i := range g.s.r.dirs[dir] {
		e := g.s.r.files[i]
		if e.lang.name != "go" || strings.HasSuffix(e.path, "_test.go") && !tests {
			continue
		}
		f := g.parse(ctx, e.path)
		if f == nil || !buildable(f, e.path) {
			continue
		}
		all = append(all, f)
		count[f.Name.Name]++
	}
	if name == "" {
		for n, k := range count {
			if k > count[name] || k == count[name] && n < name {
				name = n
			}
		}
	}
	var out []*ast.File
	for _, f := range all {
		if f.Name.Name == name {
			out = append(out, f)
		}
	}
	return out
}

// buildable reports whether a file builds on linux/amd64: its name's
// GOOS and GOARCH suffixes and its //go:build line agree.
func buildable(f *ast.File, p string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(path.Base(p), ".go"), "_test")
	parts := strings.Split(base, "_")
	for _, part := range parts[1:] {
		if knownOS[part] && part != "linux" || knownArch[part] && part != "amd64" {
			return false
		}
	}
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if expr, err := constraint.Parse(c.Text); err == nil {
				return expr.Eval(func(tag string) bool {
					return tag == "linux" || tag == "amd64" || tag == "unix" || tag == "gc" || strings.HasPrefix(tag, "go1.")
				})
			}
		}
	}
	return true
}

var (
	knownOS   = words("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos")
	knownArch = words("386 amd64 arm arm64 loong64 mips mipsle mips64 mips64le ppc64 ppc64le riscv64 s390x wasm")
)

// check type-checks files as package path, ignoring every error; deeper
// than the changed package, function bodies are skipped.
func (g *goSearch) check(ctx context.Context, p string, files []*ast.File, info *types.Info, depth int) (pkg *types.Package) {
	defer func() {
		if recover() != nil { // go/types on a file the parser only half recovered
			pkg = nil
		}
	}()
	conf := types.Config{
		Importer:         importerFunc(func(ip string) (*types.Package, error) { return g.importPkg(ctx, ip, depth+1) }),
		Error:            func(error) {},
		FakeImportC:      true,
		IgnoreFuncBodies: depth > 0,
	}
	pkg, _ = conf.Check(p, g.fset, files, info)
	if pkg != nil {
		g.ours[pkg] = true
	}
	return pkg
}

// importPkg type-checks an in-module import from the tree, within half of
// the search's byte and file budget (the word search needs the rest).
func (g *goSearch) importPkg(ctx context.Context, ip string, depth int) (*types.Package, error) {
	if ip == "unsafe" {
		return types.Unsafe, nil
	}
	if pkg, ok := g.pkgs[ip]; ok {
		if pkg == nil {
			return nil, errNotLoaded
		}
		return pkg, nil
	}
	r := g.s.r
	dir, ok := g.dirOfImport(ip)
	if !ok || depth > maxImportDepth || ctx.Err() != nil || r.bytes > r.lim.Bytes/2 || r.read > r.lim.Files/2 {
		return nil, errNotLoaded
	}
	g.pkgs[ip] = nil // being checked: an import cycle fails
	files := g.pkgFiles(ctx, dir, "", false)
	if len(files) == 0 {
		return nil, errNotLoaded
	}
	pkg := g.check(ctx, ip, files, nil, depth)
	g.pkgs[ip] = pkg
	if pkg == nil {
		return nil, errNotLoaded
	}
	return pkg, nil
}

// importPath is the import path of dir by the module that holds it;
// without a go.mod above it, the directory itself.
func (g *goSearch) importPath(dir, name string) string {
	for _, m := range g.mods {
		switch {
		case m.dir == dir:
			return m.path
		case m.dir == ".":
			if dir == "." {
				return m.path
			}
			return m.path + "/" + dir
		case strings.HasPrefix(dir, m.dir+"/"):
			return m.path + strings.TrimPrefix(dir, m.dir)
		}
	}
	if dir == "." {
		return name
	}
	return dir
}

// dirOfImport is the directory of an in-module import path that holds Go
// files.
func (g *goSearch) dirOfImport(ip string) (string, bool) {
	for _, m := range g.mods {
		var dir string
		switch {
		case ip == m.path:
			dir = m.dir
		case strings.HasPrefix(ip, m.path+"/"):
			dir = path.Join(m.dir, strings.TrimPrefix(ip, m.path+"/"))
		default:
			continue
		}
		_, ok := g.s.r.dirs[dir]
		return dir, ok
	}
	return "", false
}

// definitions makes a found want, with its candidate, for every
// declaration of the repository that an added line of c uses.
func (g *goSearch) definitions(c *change, info *types.Info) {
	type use struct {
		id  *ast.Ident
		obj types.Object
	}
	var uses []use
	for id, obj := range info.Uses {
		pos := g.fset.Position(id.Pos())
		if pos.Filename == c.path && c.added[pos.Line] && g.interesting(obj) {
			uses = append(uses, use{id, obj})
		}
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].id.Pos() < uses[j].id.Pos() })
	for _, u := range uses {
		at := review.Place{Path: c.path, Line: g.fset.Position(u.id.Pos()).Line}
		decl := g.fset.Position(u.obj.Pos())
		key := decl.Filename + ":" + u.obj.Name() + "@" + strconv.Itoa(decl.Line)
		w := g.s.add(&want{kind: wantDef, name: key, family: "go", lang: c.lang, from: c, uses: []review.Place{at}, found: true, weight: objWeight(u.obj)})
		if w == nil || g.declared[w] {
			continue // over the cap, or its candidate is there
		}
		g.declared[w] = true
		if cand, ok := g.declCandidate(w, u.obj); ok {
			g.s.cands = append(g.s.cands, cand)
		}
	}
}

// interesting reports whether obj is a declaration of the repository
// worth showing: a function, a method, a field, or a package-level type,
// constant or variable of a package checked here.
func (g *goSearch) interesting(obj types.Object) bool {
	if obj == nil || obj.Pkg() == nil || !g.ours[obj.Pkg()] || !obj.Pos().IsValid() {
		return false
	}
	switch o := obj.(type) {
	case *types.Func:
		return true
	case *types.Var:
		return o.IsField() || o.Parent() == o.Pkg().Scope()
	case *types.Const, *types.TypeName:
		return obj.Parent() == obj.Pkg().Scope()
	}
	return false
}

func objWeight(obj types.Object) int {
	switch o := obj.(type) {
	case *types.Func:
		return 0
	case *types.Var:
		if o.IsField() {
			return 1
		}
	case *types.TypeName:
		return 1
	}
	return 2
}
