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
)

var lockfiles = map[string]bool{
	"go.sum": true, "package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true,
	"Cargo.lock": true, "Gemfile.lock": true, "poetry.lock": true, "composer.lock": true,
	"Pipfile.lock": true, "uv.lock": true, "bun.lockb": true, "mix.lock": true,
	"packages.lock.json": true, "gradle.lockfile": true, "flake.lock": true, "Podfile.lock": true,
}

var vendorDirs = []string{"vendor/", "node_modules/", "third_party/", "bower_components/", "Pods/"}

// Classify tells whether f is binary, a lock file, generated, vendored or
// minified, from its path and the first added lines.
func Classify(f *File) Class {
	p := f.Path()
	switch {
	case f.Binary:
		return ClassBinary
	case lockfiles[path.Base(p)] || strings.HasSuffix(p, ".lock"):
		return ClassLockfile
	}
	for _, dir := range vendorDirs {
		if strings.HasPrefix(p, dir) || strings.Contains(p, "/"+dir) {
			return ClassVendored
		}
	}
	if strings.HasSuffix(p, ".min.js") || strings.HasSuffix(p, ".min.css") || strings.HasSuffix(p, ".map") {
		return ClassMinified
	}
	seen := 0
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if l.Kind == Removed {
				continue
			}
			if strings.Contains(l.Text, "DO NOT EDIT") || strings.Contains(l.Text, "@generated") {
				return ClassGenerated
			}
			if len(l.Text) > 2000 && strings.Count(l.Text, " ") < len(l.Text)/50 {
				return ClassMinified
			}
			if seen++; seen >= 10 {
				return ClassNone
			}
		}
	}
	return ClassNone
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
