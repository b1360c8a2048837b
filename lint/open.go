package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// CheckPattern checks a LINT_REPORTS glob: relative to the clone, without
// "..", valid doublestar syntax ("**" crosses directories).
func CheckPattern(p string) error {
	switch {
	case strings.TrimSpace(p) == "":
		return errors.New("an empty pattern")
	case path.IsAbs(p) || strings.HasPrefix(p, "\\"):
		return fmt.Errorf("%s is absolute; patterns are relative to the clone", p)
	case slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Errorf("%s leaves the clone (..)", p)
	case !doublestar.ValidatePattern(p):
		return fmt.Errorf("%s is not a valid glob", p)
	}
	return nil
}

// ReadGlobs reads the reports that patterns (LINT_REPORTS, relative to
// root) name in the checkout root, in pattern order, each file once.
// Only a regular file inside root, reached through no symlink and not
// under .git/, is read: the pull request shapes the tree, and a report
// path that is (or passes through) a link is refused explicitly, since
// os.Root follows links that stay inside it. A pattern that matches
// nothing is a warning.
func ReadGlobs(ctx context.Context, root string, patterns []string) *Reports {
	return Read(ctx, root, patterns, nil)
}

// Read reads the reports patterns name in root (as ReadGlobs), then the
// files a person named (as ReadFiles).
func Read(ctx context.Context, root string, patterns, files []string) *Reports {
	var srcs []source
	var warnings []string
	if len(patterns) > 0 {
		r, err := os.OpenRoot(root)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("LINT_REPORTS: the clone could not be opened (%v); no report was read from it", errors.Unwrap(err)))
		} else {
			defer r.Close()
			srcs, warnings = globSources(r, patterns)
		}
	}
	for _, f := range files {
		srcs = append(srcs, source{name: f, open: func() (io.ReadCloser, int64, error) { return openPlain(f) }})
	}
	return read(ctx, root, srcs, warnings)
}

// globSources lists the files patterns match in r, in pattern order, each
// once, with a warning for a pattern that matches nothing.
func globSources(r *os.Root, patterns []string) ([]source, []string) {
	var srcs []source
	var warnings []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		matches, err := doublestar.Glob(r.FS(), pat, doublestar.WithNoFollow(), doublestar.WithFilesOnly())
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("LINT_REPORTS: %s is not a valid pattern", pat))
			continue
		}
		if len(matches) == 0 {
			warnings = append(warnings, fmt.Sprintf("LINT_REPORTS: %s matched no file (did the command that writes it run?)", pat))
			continue
		}
		sort.Strings(matches)
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				srcs = append(srcs, source{name: m, open: func() (io.ReadCloser, int64, error) { return openInRoot(r, m) }})
			}
		}
	}
	return srcs, warnings
}

// openInRoot opens name, a slash path relative to r, when it is a regular
// file under no .git directory and no component of its path is a
// symlink.
func openInRoot(r *os.Root, name string) (io.ReadCloser, int64, error) {
	parts := strings.Split(path.Clean(name), "/")
	if slices.Contains(parts, ".git") {
		return nil, 0, errors.New("under .git/: refused")
	}
	if slices.Contains(parts, "..") {
		return nil, 0, errors.New("outside the clone: refused")
	}
	var last fs.FileInfo
	for i := range parts {
		fi, err := r.Lstat(strings.Join(parts[:i+1], "/"))
		if err != nil {
			return nil, 0, errors.New("could not be read")
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return nil, 0, errors.New("a symlink, or inside one: refused (the pull request shapes the clone)")
		}
		last = fi
	}
	if !last.Mode().IsRegular() {
		return nil, 0, errors.New("not a regular file: refused")
	}
	f, err := r.Open(name)
	if err != nil {
		return nil, 0, errors.New("could not be opened")
	}
	fi, err := f.Stat()
	if err != nil || !os.SameFile(fi, last) {
		f.Close()
		return nil, 0, errors.New("changed while it was opened: refused")
	}
	return f, fi.Size(), nil
}
