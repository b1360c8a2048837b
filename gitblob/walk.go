package gitblob

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// Open opens the repository and finds the commit (or tree) now rather than
// at the first read, so that a caller learns before reading whether the
// local object database has it: nil, or a *MissingError.
func (s *Source) Open(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open()
}

// Walk calls fn with the path and size of every regular file (mode 100644
// or 100755) tracked at the commit: a directory's files, then its
// subdirectories. Symlinks and submodules are not listed, no directory
// named .git (in any case) is entered, and an entry whose blob is not in
// the object database (a partial clone) is left out. An error from fn, or
// the end of ctx, stops the walk and is returned. fn runs without the
// Source's lock, so it may read files of the same Source.
func (s *Source) Walk(ctx context.Context, fn func(path string, size int64) error) error {
	if err := s.Open(ctx); err != nil {
		return err
	}
	return s.walk(ctx, s.root, "", fn)
}

// listed is one directory's content, read under the lock.
type listed struct {
	files []walkedFile
	dirs  []walkedDir
}

type walkedFile struct {
	path string
	size int64
}

type walkedDir struct {
	path string
	tree *object.Tree
}

func (s *Source) walk(ctx context.Context, t *object.Tree, dir string, fn func(string, int64) error) error {
	l, err := s.list(ctx, t, dir)
	if err != nil {
		return err
	}
	for _, f := range l.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(f.path, f.size); err != nil {
			return err
		}
	}
	for _, d := range l.dirs {
		if err := s.walk(ctx, d.tree, d.path, fn); err != nil {
			return err
		}
	}
	return nil
}

// list reads the sizes of t's regular files and the subtrees it holds.
func (s *Source) list(ctx context.Context, t *object.Tree, dir string) (listed, error) {
	if err := ctx.Err(); err != nil {
		return listed{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var l listed
	for _, e := range t.Entries {
		p := e.Name
		if dir != "" {
			p = dir + "/" + e.Name
		}
		if checkPath(p) != "" {
			continue // a .git directory, or a name no checkout could hold
		}
		switch {
		case modeReason(e.Mode) == "":
			size, err := s.st.EncodedObjectSize(e.Hash)
			if err == nil {
				l.files = append(l.files, walkedFile{p, size})
			}
		case modeReason(e.Mode) == Directory:
			sub, err := object.GetTree(s.st, e.Hash)
			if err != nil {
				return listed{}, s.missing("object", e.Hash.String(), err)
			}
			l.dirs = append(l.dirs, walkedDir{p, sub})
		}
	}
	return l, nil
}
