// Package gitblob reads repository files as git blobs of tracked paths at
// one commit (or tree), from a local repository's object database, never
// through the working tree.
//
// A checkout is shaped by whoever wrote the pull request: a symlink (or a
// chain of them) can point a reviewed path at .git/config, a git-ignored
// .env or /proc/self/environ, and a diff can look the same as the file it
// points to. Reading the blob the commit names for the path closes that:
// a symlink is its target text, never followed; a submodule, a directory,
// a path that is not tracked at the commit, and anything under .git/ are
// not read.
//
// It uses go-git's object storage only (no transports, no worktree), so
// it works where no git binary is installed (the pipe's image is FROM
// scratch).
package gitblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// DefaultMaxSize is the largest file ReadFile returns: the review uses at
// most 1 MiB of a file's source.
const DefaultMaxSize = 1 << 20

// emptyTree is git's well-known empty tree, which git knows without
// storing it (the base of a repository without commits).
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// Source reads the files of one commit or tree of a repository. It is a
// review.FileSource. The repository is opened on the first read; a Source
// is safe for concurrent use (reads are serialized: go-git's storage is
// not safe for concurrent use).
type Source struct {
	dir, rev string
	maxSize  int64

	mu     sync.Mutex
	opened bool
	st     *filesystem.Storage
	root   *object.Tree
	err    error
}

// New returns a Source for rev, a full hexadecimal commit or tree hash, in
// the repository whose working tree (or linked worktree, or submodule
// checkout) is dir. It does no I/O.
func New(dir, rev string) *Source {
	return &Source{dir: dir, rev: strings.ToLower(rev), maxSize: DefaultMaxSize}
}

// ReadFile returns the content of the blob tracked at path: a regular
// file's bytes, or a symlink's target text (the link is never followed).
// A path that is not a tracked file at the commit, or a file larger than
// DefaultMaxSize, is a *RefusedError; a commit or object that is not in
// the local object database is a *MissingError.
func (s *Source) ReadFile(ctx context.Context, path string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.lookup(ctx, path)
	if err != nil {
		return nil, err
	}
	if e.Mode != filemode.Symlink {
		if reason := modeReason(e.Mode); reason != "" {
			return nil, s.refused(path, reason)
		}
	}
	return s.blob(path, e, s.maxSize, false)
}

// ReadRegularFile returns at most limit bytes of path, which must be a
// regular file (mode 100644 or 100755) tracked at the commit; a symlink is
// refused too. It is for files whose content configures the review
// (the repository config, guideline files).
func (s *Source) ReadRegularFile(ctx context.Context, path string, limit int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.lookup(ctx, path)
	if err != nil {
		return nil, err
	}
	if reason := modeReason(e.Mode); reason != "" {
		return nil, s.refused(path, reason)
	}
	return s.blob(path, e, int64(limit), true)
}

// modeReason says why an entry of mode m is not a regular file, or "".
// 100664 is an old spelling of 100644 that git still reads.
func modeReason(m filemode.FileMode) Reason {
	switch m {
	case filemode.Regular, filemode.Executable, filemode.Deprecated:
		return ""
	case filemode.Symlink:
		return Symlink
	case filemode.Submodule:
		return Submodule
	case filemode.Dir:
		return Directory
	}
	return OtherMode
}

func (s *Source) refused(path string, r Reason) *RefusedError {
	return &RefusedError{Path: path, Rev: s.rev, Reason: r}
}

// lookup finds path's entry at the commit, walking the trees one name at a
// time and descending only into directories. The caller holds s.mu.
func (s *Source) lookup(ctx context.Context, path string) (*object.TreeEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if reason := checkPath(path); reason != "" {
		return nil, s.refused(path, reason)
	}
	if err := s.open(); err != nil {
		return nil, err
	}
	tree := s.root
	names := strings.Split(path, "/")
	for i, name := range names {
		e := entry(tree, name)
		if e == nil {
			return nil, s.refused(path, NotTracked)
		}
		if i == len(names)-1 {
			return e, nil
		}
		if e.Mode != filemode.Dir {
			return nil, s.refused(path, NotTracked) // through a file, symlink or submodule
		}
		var err error
		if tree, err = object.GetTree(s.st, e.Hash); err != nil {
			return nil, s.missing("object", e.Hash.String(), err)
		}
	}
	return nil, s.refused(path, NotTracked)
}

func entry(t *object.Tree, name string) *object.TreeEntry {
	for i := range t.Entries {
		if t.Entries[i].Name == name {
			return &t.Entries[i]
		}
	}
	return nil
}

// checkPath refuses a path that is not a plain, clean, relative path of
// the repository, or that names anything under .git/.
func checkPath(p string) Reason {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
		return BadPath
	}
	for _, name := range strings.Split(p, "/") {
		switch {
		case name == "" || name == "." || name == "..":
			return BadPath
		case strings.EqualFold(strings.TrimRight(name, ". "), ".git"):
			return UnderGitDir
		}
	}
	return ""
}

// blob reads the entry's blob: at most limit bytes when truncate is set,
// otherwise the whole blob or a TooLarge refusal.
func (s *Source) blob(path string, e *object.TreeEntry, limit int64, truncate bool) ([]byte, error) {
	b, err := object.GetBlob(s.st, e.Hash)
	if err != nil {
		return nil, s.missing("object", e.Hash.String(), err)
	}
	if b.Size > limit && !truncate {
		return nil, &RefusedError{Path: path, Rev: s.rev, Reason: TooLarge, Limit: limit}
	}
	r, err := b.Reader()
	if err != nil {
		return nil, s.missing("object", e.Hash.String(), err)
	}
	defer r.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(r, limit)); err != nil {
		return nil, fmt.Errorf("gitblob: read %s: %w", path, err)
	}
	return buf.Bytes(), nil
}

func (s *Source) missing(what, hash string, err error) *MissingError {
	return &MissingError{Dir: s.dir, What: what, Hash: hash, Err: err}
}

// open finds the repository and the root tree of the commit, once. The
// caller holds s.mu.
func (s *Source) open() error {
	if s.opened {
		return s.err
	}
	s.opened = true
	s.err = s.openRoot()
	return s.err
}

func (s *Source) openRoot() error {
	if !plumbing.IsHash(s.rev) {
		return s.missing("commit", s.rev, errors.New("not a full object name"))
	}
	gd, err := gitDir(s.dir)
	if err != nil {
		return &MissingError{Dir: s.dir, What: "repository", Err: err}
	}
	// Absolute alternates (git clone --reference or --shared) resolve
	// from the file system root.
	s.st = filesystem.NewStorageWithOptions(osfs.New(gd), cache.NewObjectLRUDefault(),
		filesystem.Options{LargeObjectThreshold: s.maxSize, AlternatesFS: osfs.New(string(filepath.Separator))})
	h := plumbing.NewHash(s.rev)
	obj, err := s.st.EncodedObject(plumbing.AnyObject, h)
	switch {
	case errors.Is(err, plumbing.ErrObjectNotFound) && s.rev == emptyTree:
		s.root = &object.Tree{}
		return nil
	case err != nil:
		return s.missing("commit", s.rev, err)
	}
	switch obj.Type() {
	case plumbing.CommitObject:
		c, err := object.DecodeCommit(s.st, obj)
		if err != nil {
			return fmt.Errorf("gitblob: commit %s: %w", short(s.rev), err)
		}
		if s.root, err = object.GetTree(s.st, c.TreeHash); err != nil {
			return s.missing("object", c.TreeHash.String(), err)
		}
	case plumbing.TreeObject:
		if s.root, err = object.DecodeTree(s.st, obj); err != nil {
			return fmt.Errorf("gitblob: tree %s: %w", short(s.rev), err)
		}
	default:
		return fmt.Errorf("gitblob: %s is a %s, not a commit or a tree", short(s.rev), obj.Type())
	}
	return nil
}

// gitDir finds the directory holding the objects of the repository whose
// working tree is dir: dir/.git, or the directory a .git file names (a
// linked worktree or a submodule checkout), then that directory's common
// directory if it has one (a linked worktree keeps its objects there).
func gitDir(dir string) (string, error) {
	dot := filepath.Join(dir, ".git")
	fi, err := os.Stat(dot)
	if err != nil {
		return "", err
	}
	gd := dot
	if !fi.IsDir() {
		data, err := readSmall(dot)
		if err != nil {
			return "", err
		}
		p, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
		if !ok {
			return "", fmt.Errorf("%s is neither a directory nor a gitdir file", dot)
		}
		gd = absFrom(dir, strings.TrimSpace(p))
	}
	if data, err := readSmall(filepath.Join(gd, "commondir")); err == nil {
		gd = absFrom(gd, strings.TrimSpace(string(data)))
	}
	return gd, nil
}

func absFrom(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// readSmall reads a git pointer file (.git, commondir): a line of text.
func readSmall(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 4096))
}
