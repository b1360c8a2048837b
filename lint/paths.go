package lint

import (
	"net/url"
	"path"
	"path/filepath"
	"strings"
)

// normaliser turns the paths and URIs of a report into repository paths.
type normaliser struct {
	// roots are the checkout's absolute path and, when it differs, the
	// path with its symlinks resolved (a tool may print either).
	roots []string
}

func newNormaliser(root string) normaliser {
	abs := absRoot(root)
	n := normaliser{roots: []string{filepath.ToSlash(abs)}}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		n.roots = append(n.roots, filepath.ToSlash(real))
	}
	return n
}

// base is the directory a relative path of a report is relative to: the
// checkout ("") or an absolute directory.
type base string

// uriPath reads a SARIF URI (RFC 3986: percent-encoded, a file:// URI or a
// reference relative to dir) and returns its absolute or relative path;
// false for another scheme or a URI that does not parse.
func uriPath(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return "", false
		}
		return u.Path, true
	case "":
		return u.Path, true
	}
	return "", false
}

// dirOf reads a SARIF base URI (originalUriBaseIds, workingDirectory) as a
// directory: an absolute file:// URI, or a path relative to the checkout.
func (n normaliser) dirOf(uri string, parent base) (base, bool) {
	p, ok := uriPath(uri)
	if !ok {
		return "", false
	}
	if path.IsAbs(p) {
		return base(path.Clean(p)), true
	}
	if parent == "" {
		return base(path.Clean(p)), true // relative to the checkout
	}
	return base(path.Join(string(parent), p)), true
}

// repoPath turns p, a path relative to dir or absolute, into a repository
// path: "" with true for no path at all, false for a path outside the
// checkout or under .git/.
func (n normaliser) repoPath(p string, dir base) (string, bool) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", true
	}
	if !path.IsAbs(p) {
		p = path.Join(string(dir), p)
	}
	rel := path.Clean(p)
	if path.IsAbs(rel) {
		var ok bool
		if rel, ok = n.relative(rel); !ok {
			return "", false
		}
	}
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return "", false
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".git" {
			return "", false
		}
	}
	return rel, true
}

// relative makes an absolute path relative to the checkout, false when
// it is not under it.
func (n normaliser) relative(abs string) (string, bool) {
	for _, root := range n.roots {
		if rel, ok := strings.CutPrefix(abs, strings.TrimSuffix(root, "/")+"/"); ok && rel != "" {
			return rel, true
		}
	}
	return "", false
}
