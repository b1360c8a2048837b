package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/settings"
)

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

// localSettings is where a local review reads its configuration. The
// config file is the developer's own, so it is read as the working tree
// has it (edits apply at once), but only if git tracks it as a regular
// file: it is a blob of the snapshot tree, never an untracked file nor a
// symlink's target. Guidelines feed the model what a file says, so they
// must be tracked regular files at the base commit, as the pipe reads them
// from the destination branch: an untracked .env, a symlink, anything
// under .git/ is refused and named.
func localSettings(root string, base baseRef, snap string) settings.RepoSource {
	return settings.RepoSource{
		Config:     regularBlobs(gitblob.New(root, snap)),
		Guidelines: regularBlobs(gitblob.New(root, base.commit)),
		From:       "the working tree", On: "in the working tree", At: base.name,
	}
}

// untrackedConfig warns when the config file exists in the working tree
// but was not used because git does not track it.
func untrackedConfig(root, name string, rs settings.Repo) string {
	clean, err := settings.RepoPath(name)
	if rs.File != nil || len(rs.Warnings) > 0 || err != nil {
		return ""
	}
	if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(clean))); err != nil {
		return ""
	}
	return fmt.Sprintf("%s is not tracked by git, so it was not used (git add it to use it)", clean)
}
