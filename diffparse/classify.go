package diffparse

import (
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Class says why a file should not be sent to a reviewer. The zero value
// means the file is ordinary source, tests or docs.
type Class string

// File classes.
const (
	ClassNone      Class = ""
	ClassBinary    Class = "binary"
	ClassLockfile  Class = "lock file"
	ClassGenerated Class = "generated"
	ClassVendored  Class = "vendored"
	ClassMinified  Class = "minified"
	ClassSubmodule Class = "submodule"
	// ClassHuge is a file whose diff exceeds the size limits (see
	// ClassifyOptions) or was truncated by ReadOptions.MaxFileBytes.
	ClassHuge Class = "huge"
	// ClassUnsupported is a file in a diff form this package does not
	// parse: a "diff --cc" combined diff.
	ClassUnsupported Class = "unsupported diff format"
	// ClassNotRead is a file of the change whose diff was not read
	// (File.NotRead): the diff was cut before it.
	ClassNotRead Class = "not read"
)

// Default limits for ClassHuge.
const (
	DefaultHugeLines = 10_000  // added plus removed lines
	DefaultHugeBytes = 1 << 20 // bytes of hunk text
)

// ClassifyOptions set the ClassHuge limits. Zero fields take the defaults;
// a negative field disables that limit.
type ClassifyOptions struct {
	HugeLines int
	HugeBytes int
}

var lockfiles = map[string]bool{
	"go.sum": true, "go.work.sum": true, "package-lock.json": true, "npm-shrinkwrap.json": true,
	"yarn.lock": true, "pnpm-lock.yaml": true, "Cargo.lock": true, "Gemfile.lock": true,
	"poetry.lock": true, "composer.lock": true, "Pipfile.lock": true, "uv.lock": true,
	"bun.lockb": true, "mix.lock": true, "packages.lock.json": true, "gradle.lockfile": true,
	"flake.lock": true, "Podfile.lock": true, "Package.resolved": true, "pubspec.lock": true,
}

var vendorDirs = []string{"vendor/", "node_modules/", "third_party/", "bower_components/", "Pods/", "Godeps/_workspace/"}

// generatedSuffixes are file name endings of common code generators.
var generatedSuffixes = []string{
	".pb.go", ".pb.gw.go", "_pb2.py", "_pb2_grpc.py", ".pb.cc", ".pb.h",
	"_generated.go", ".gen.go", ".g.dart", ".freezed.dart",
	".designer.cs", ".generated.cs", ".generated.ts",
}

// headerLines is how far from the top of a file a generated-code marker is
// looked for.
const headerLines = 30

// Classify tells whether f is unsupported, binary, a submodule, a lock
// file, vendored, minified, generated or huge, with the default limits.
func Classify(f *File) Class { return ClassifyWith(f, ClassifyOptions{}) }

// ClassifyWith is Classify with explicit ClassHuge limits. It looks at the
// path, then at most the first headerLines lines of the file and ten more;
// beyond that its cost is one step per hunk, whatever the size of the diff.
func ClassifyWith(f *File, opts ClassifyOptions) Class {
	p := f.Path()
	base := path.Base(p)
	switch {
	case f.Status == StatusCombined:
		return ClassUnsupported
	case f.Binary:
		return ClassBinary
	case f.Submodule:
		return ClassSubmodule
	case lockfiles[base] || strings.HasSuffix(base, ".lock"):
		return ClassLockfile
	}
	for _, dir := range vendorDirs {
		if strings.HasPrefix(p, dir) || strings.Contains(p, "/"+dir) {
			return ClassVendored
		}
	}
	if strings.HasSuffix(base, ".min.js") || strings.HasSuffix(base, ".min.css") || strings.HasSuffix(base, ".min.mjs") ||
		strings.HasSuffix(base, ".map") {
		return ClassMinified
	}
	if strings.HasPrefix(base, "zz_generated") {
		return ClassGenerated
	}
	for _, s := range generatedSuffixes {
		if strings.HasSuffix(base, s) {
			return ClassGenerated
		}
	}
	if f.NotRead {
		return ClassNotRead
	}
	if c := classifyContent(f); c != ClassNone {
		return c
	}
	if isHuge(f, opts) {
		return ClassHuge
	}
	return ClassNone
}

// classifyContent looks for generated-code markers near the top of the
// file and for minified lines, on the new side (the old side for a deleted
// file).
func classifyContent(f *File) Class {
	side := New
	if f.Status == StatusDeleted {
		side = Old
	}
	seen := 0
	for _, h := range f.Hunks {
		for i := range h.Lines {
			l := &h.Lines[i]
			n := lineNo(l, side)
			if n == 0 {
				continue
			}
			if n <= headerLines && isGeneratedMarker(l.Text) {
				return ClassGenerated
			}
			if len(l.Text) > 1000 && strings.Count(l.Text, " ") < len(l.Text)/50 {
				return ClassMinified
			}
			// Enough: the top of the file and ten lines were seen.
			if seen++; seen >= 10 && n >= headerLines {
				return ClassNone
			}
		}
	}
	return ClassNone
}

// isGeneratedMarker reports a comment line carrying "@generated" or "DO
// NOT EDIT" (which covers Go's "Code generated … DO NOT EDIT."). The line
// must start like a comment so that a generator writing the marker inside
// a string literal is not itself taken for generated code.
func isGeneratedMarker(text string) bool {
	if !strings.Contains(text, "@generated") && !strings.Contains(text, "DO NOT EDIT") {
		return false
	}
	t := strings.TrimLeft(text, " \t")
	return t != "" && strings.IndexByte("/#*-;<%'!({", t[0]) >= 0
}

func isHuge(f *File, opts ClassifyOptions) bool {
	if f.Truncated {
		return true
	}
	maxLines, maxBytes := opts.HugeLines, opts.HugeBytes
	if maxLines == 0 {
		maxLines = DefaultHugeLines
	}
	if maxBytes == 0 {
		maxBytes = DefaultHugeBytes
	}
	lines, size := 0, 0
	for _, h := range f.Hunks {
		// Changed lines: all lines minus context, which both counts hold.
		lines += 2*len(h.Lines) - h.OldCount - h.NewCount
		if h.size > 0 || len(h.Lines) == 0 {
			size += h.size
		} else {
			for i := range h.Lines {
				size += len(h.Lines[i].Text) + 2
			}
		}
	}
	return (maxLines > 0 && lines > maxLines) || (maxBytes > 0 && size > maxBytes)
}

// PathFilter selects paths with doublestar globs ("**" crosses directories).
// Patterns starting with "!" exclude. With no include pattern every path is
// included unless excluded.
type PathFilter struct {
	include, exclude []string
}

// NewPathFilter validates the patterns.
func NewPathFilter(patterns []string) (*PathFilter, error) {
	pf := &PathFilter{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if !doublestar.ValidatePattern(p) {
			return nil, &PatternError{Pattern: p}
		}
		if neg {
			pf.exclude = append(pf.exclude, p)
		} else {
			pf.include = append(pf.include, p)
		}
	}
	return pf, nil
}

// PatternError reports an invalid glob.
type PatternError struct{ Pattern string }

func (e *PatternError) Error() string { return "invalid glob pattern " + e.Pattern }

// Match reports whether p is selected.
func (pf *PathFilter) Match(p string) bool {
	if pf == nil {
		return true
	}
	for _, ex := range pf.exclude {
		if ok, _ := doublestar.Match(ex, p); ok {
			return false
		}
	}
	if len(pf.include) == 0 {
		return true
	}
	for _, in := range pf.include {
		if ok, _ := doublestar.Match(in, p); ok {
			return true
		}
	}
	return false
}
