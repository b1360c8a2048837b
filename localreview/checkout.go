package localreview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/settings"
)

// emptyTree is git's empty tree: the base of a repository without commits.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// checkout is the repository under review: its top folder, the base of
// the review, and the snapshot tree of its working tree.
type checkout struct {
	root string
	base baseRef
	snap string
}

type baseRef struct{ name, commit string }

// openCheckout resolves the base of dir's checkout and snapshots its
// working tree.
func openCheckout(ctx context.Context, dir, ref string) (checkout, error) {
	base, err := resolveBase(ctx, dir, ref)
	if err != nil {
		return checkout{}, checkoutErr("", err)
	}
	root := dir
	if top, err := git(ctx, dir, "rev-parse", "--show-toplevel"); err == nil {
		root = strings.TrimSpace(string(top))
	}
	snap, err := snapshotTree(ctx, root)
	if err != nil {
		return checkout{}, checkoutErr("snapshot the working tree", err)
	}
	return checkout{root: root, base: base, snap: snap}, nil
}

// diff is the diff from the base to the snapshot. No textconv: the diff
// must show the blobs the context is read from.
func (c checkout) diff(ctx context.Context) (*diffparse.Diff, error) {
	raw, err := git(ctx, c.root, "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", c.base.commit, c.snap)
	if err != nil {
		return nil, checkoutErr("git diff", err)
	}
	d, err := diffparse.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse diff: %w", err)
	}
	return d, nil
}

// resolveBase finds the commit to diff against: the merge base of HEAD
// with --base, or with the remote's default branch, or with a local main or
// master; with none of those, HEAD (uncommitted changes only).
func resolveBase(ctx context.Context, dir, ref string) (baseRef, error) {
	if _, err := git(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		return baseRef{}, fmt.Errorf("%s is not a git checkout: %w", dir, err)
	}
	candidates := []string{ref}
	if ref == "" {
		candidates = nil
		if out, err := git(ctx, dir, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); err == nil {
			candidates = append(candidates, strings.TrimPrefix(strings.TrimSpace(string(out)), "refs/remotes/"))
		}
		candidates = append(candidates, "origin/main", "origin/master", "main", "master")
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		out, err := git(ctx, dir, "merge-base", c, "HEAD")
		if err == nil {
			return baseRef{name: c, commit: strings.TrimSpace(string(out))}, nil
		}
		if ref != "" {
			return baseRef{}, fmt.Errorf("--base %s: no common ancestor with HEAD (is the ref fetched?)", ref)
		}
	}
	head, err := git(ctx, dir, "rev-parse", "--verify", "HEAD")
	if err != nil {
		// A repository without commits: diff against the empty tree.
		return baseRef{name: "the empty tree", commit: emptyTree}, nil
	}
	return baseRef{name: "HEAD", commit: strings.TrimSpace(string(head))}, nil
}

func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return gitEnv(ctx, dir, nil, args...)
}

// gitEnv is git with extra environment variables, added to the ones git
// inherits.
func gitEnv(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "-c", "core.quotepath=false"}, args...)...)
	if env != nil {
		cmd.Env = append(cmd.Environ(), env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return out, nil
}

// snapshotTree writes a tree object holding the working tree's tracked
// files as they are now (staged or not, deletions included; untracked
// files left out: what `git diff <base>` compares) and returns its hash.
// `git add --update` runs against a copy of the index, so the user's
// index, working tree and stash list are left as they were; only objects
// are added to the object database. The review reads its diff and every
// file from this tree, as blobs: a symlink in the checkout is its target
// text, never the file it points to.
func snapshotTree(ctx context.Context, root string) (string, error) {
	out, err := git(ctx, root, "rev-parse", "--git-path", "index")
	if err != nil {
		return "", err
	}
	index := strings.TrimSpace(string(out))
	if !filepath.IsAbs(index) {
		index = filepath.Join(root, index)
	}
	tmp, err := os.MkdirTemp("", "bitreview-index-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	copyIndex := filepath.Join(tmp, "index")
	if err := copyIndexFile(index, copyIndex); err != nil {
		return "", err
	}
	env := []string{"GIT_INDEX_FILE=" + copyIndex}
	if _, err := gitEnv(ctx, root, env, "add", "--update"); err != nil {
		return "", fmt.Errorf("git add --update (on a copy of the index): %w", err)
	}
	out, err = gitEnv(ctx, root, env, "write-tree")
	if err != nil {
		return "", fmt.Errorf("git write-tree: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// copyIndexFile copies the index with its modification time: git checks
// the content of an entry whose file is not older than the index file
// ("racily clean"), and a copy stamped now would make it trust stale stat
// data and miss an edit. A missing index means an empty one.
func copyIndexFile(from, to string) error {
	data, err := os.ReadFile(from)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		return err
	}
	return os.Chtimes(to, fi.ModTime(), fi.ModTime())
}

// repoSource is where a local review reads its configuration. The config
// file is the developer's own, so it is read as the working tree has it
// (edits apply at once), but only if git tracks it as a regular file: it
// is a blob of the snapshot tree, never an untracked file nor a symlink's
// target. Guidelines feed the model what a file says, so they must be
// tracked regular files at the base commit, as the pipe reads them from
// the destination branch: an untracked .env, a symlink, anything under
// .git/ is refused and named.
func (c checkout) repoSource() settings.RepoSource {
	return settings.RepoSource{
		Config:     regularBlobs{gitblob.New(c.root, c.snap)},
		Guidelines: regularBlobs{gitblob.New(c.root, c.base.commit)},
		From:       "the working tree", On: "in the working tree", At: c.base.name,
	}
}

// untrackedConfig warns when the config file exists in the working tree
// but was not used because git does not track it.
func (c checkout) untrackedConfig(name string, rs settings.Repo) string {
	clean, err := settings.RepoPath(name)
	if rs.File != nil || len(rs.Warnings) > 0 || err != nil {
		return ""
	}
	if _, err := os.Lstat(filepath.Join(c.root, filepath.FromSlash(clean))); err != nil {
		return ""
	}
	return fmt.Sprintf("%s is not tracked by git, so it was not used (git add it to use it)", clean)
}

// regularBlobs reads repository files as blobs of a commit or tree:
// regular files only (gitblob refuses symlinks, submodules, directories,
// untracked paths and .git/), at most settings.ReadLimit bytes of each.
type regularBlobs struct{ src *gitblob.Source }

func (r regularBlobs) ReadFile(ctx context.Context, p string) ([]byte, error) {
	return r.src.ReadRegularFile(ctx, p, settings.ReadLimit)
}
