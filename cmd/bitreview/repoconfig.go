package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/gitblob"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	"github.com/bitreview/bitreview/settings"
)

// The repository's configuration is read by settings.LoadRepo; this file
// gives it the files of each platform.

// fileGetter reads a file, or its metadata, at a commit (bbapi.Client).
type fileGetter = bbservice.FileAPI

// loadRepoSettings reads CONFIG_FILE and its guideline files from the
// destination commit — never from the PR's own changes, so a PR cannot
// reconfigure its own review. A guideline must be a regular file there: a
// symlink, a submodule or a directory is refused.
func loadRepoSettings(ctx context.Context, api fileGetter, ws, repo, branch, commit, name string) settings.Repo {
	files := bbFiles{api: api, ws: ws, repo: repo, commit: commit}
	guidelines := files
	guidelines.regular = bbservice.NewFiles(api, bbservice.PR{Workspace: ws, Repo: repo}, commit)
	src := settings.OnBranch(guidelines, branch, commit)
	src.Config = files
	return settings.LoadRepo(ctx, src, name)
}

// bbFiles reads files at a commit through the src endpoint, at most
// settings.ReadLimit bytes of each; with regular set, only a regular
// file (checked with ?format=meta first). A missing file wraps
// fs.ErrNotExist.
type bbFiles struct {
	api              fileGetter
	ws, repo, commit string
	regular          *bbservice.Files
}

func (f bbFiles) ReadFile(ctx context.Context, p string) ([]byte, error) {
	if f.regular != nil {
		if err := f.regular.CheckRegular(ctx, p); err != nil {
			return nil, notExist(p, err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.api.GetFile(ctx, f.ws, f.repo, f.commit, p, &limitWriter{w: &buf, n: settings.ReadLimit}); err != nil {
		return nil, notExist(p, err)
	}
	return buf.Bytes(), nil
}

// notExist turns Bitbucket's 404 into fs.ErrNotExist.
func notExist(p string, err error) error {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) && er.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	return err
}

// fileFunc is a review.FileSource made of a function.
type fileFunc func(ctx context.Context, path string) ([]byte, error)

func (f fileFunc) ReadFile(ctx context.Context, path string) ([]byte, error) { return f(ctx, path) }

// regularBlobs reads repository files as blobs of src's commit or tree:
// regular files only (gitblob refuses symlinks, submodules, directories,
// untracked paths and .git/).
func regularBlobs(src *gitblob.Source) fileFunc {
	return func(ctx context.Context, p string) ([]byte, error) {
		return src.ReadRegularFile(ctx, p, settings.ReadLimit)
	}
}

// limitWriter keeps the first n bytes and drops the rest.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	keep := p
	if len(keep) > l.n {
		keep = keep[:l.n]
	}
	l.n -= len(keep)
	if _, err := l.w.Write(keep); err != nil {
		return 0, err
	}
	return len(p), nil
}
