package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// maxFiles is the files endpoint's ceiling: GitHub lists at most 3000.
const maxFiles = 3000

// fetchPullRequest reads the pull request's metadata.
func fetchPullRequest(ctx context.Context, api PullsAPI, pr PR) (review.PullRequest, error) {
	p, _, err := api.Get(ctx, pr.Owner, pr.Repo, pr.Number)
	if err != nil {
		return review.PullRequest{}, fmt.Errorf("get pull request #%d: %w", pr.Number, err)
	}
	return review.PullRequest{
		ID: p.GetNumber(), Title: p.GetTitle(), Description: p.GetBody(), Author: p.GetUser().GetLogin(),
		SourceBranch: p.GetHead().GetRef(), TargetBranch: p.GetBase().GetRef(),
		SourceCommit: p.GetHead().GetSHA(), TargetCommit: p.GetBase().GetSHA(), Draft: p.GetDraft(),
	}, nil
}

// fetchDiff reads the pull request's diff through the diff media type,
// parsing it as it arrives. GitHub refuses it (406, code too_large) past
// 300 files or 20,000 lines; then the diff is rebuilt from the files
// endpoint (100 per page, up to 3000 files), whose rows carry each file's
// hunks. fromFiles reports that. Either way at most limit bytes are read
// (no limit when limit ≤ 0): a longer diff keeps the files complete within
// the limit, read.Cut is true, and the files after the cut, named from the
// files endpoint, are added as NotRead files (read.ListErr says why when
// they cannot be).
func fetchDiff(ctx context.Context, api API, pr PR, limit int64) (d *diffparse.Diff, read diffparse.Read, fromFiles bool, err error) {
	opts := diffparse.ReadOptions{MaxBytes: limit}
	d, read, err = diffparse.ParseFrom(func(w io.Writer) error { return writeDiff(ctx, api.Raw, pr, w) }, opts)
	if err != nil && tooLarge(err) {
		fromFiles = true
		d, read, err = diffparse.ParseFrom(func(w io.Writer) error { return writeFromFiles(ctx, api.Pulls, pr, w) }, opts)
	}
	var pe *diffparse.ParseError
	switch {
	case errors.As(err, &pe):
		return nil, read, fromFiles, fmt.Errorf("parse diff: %w", err)
	case err != nil:
		return nil, read, fromFiles, fmt.Errorf("get diff: %w", err)
	case !read.Cut:
		return d, read, fromFiles, nil
	}
	files, err := listFiles(ctx, api.Pulls, pr)
	if err != nil {
		read.ListErr = err
		return d, read, fromFiles, nil
	}
	return diffparse.NewDiff(append(d.Files, notRead(d, files)...)), read, fromFiles, nil
}

// writeDiff copies the diff media type of the pull request into w.
func writeDiff(ctx context.Context, api RawAPI, pr PR, w io.Writer) error {
	req, err := api.NewRequest(http.MethodGet, fmt.Sprintf("repos/%v/%v/pulls/%d", pr.Owner, pr.Repo, pr.Number), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/vnd.github.v3.diff")
	_, err = api.Do(ctx, req, w)
	return err
}

func tooLarge(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return false
	}
	if er.Response.StatusCode != http.StatusNotAcceptable && er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == "too_large" {
			return true
		}
	}
	return strings.Contains(er.Message, "diff exceeded")
}

// writeFromFiles pages through the files endpoint and writes a unified
// diff with git headers into w, file by file. A file without a patch
// (binary, or over GitHub's per-file limit) gets headers only, so the
// review lists it as skipped.
func writeFromFiles(ctx context.Context, api PullsAPI, pr PR, w io.Writer) error {
	return eachFilesPage(ctx, api, pr, func(files []*gh.CommitFile) error {
		for _, f := range files {
			var b strings.Builder
			writeFile(&b, f)
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
		}
		return nil
	})
}

// listFiles lists the pull request's files without their patches.
func listFiles(ctx context.Context, api PullsAPI, pr PR) ([]*gh.CommitFile, error) {
	var all []*gh.CommitFile
	err := eachFilesPage(ctx, api, pr, func(files []*gh.CommitFile) error {
		for _, f := range files {
			f.Patch = nil
			all = append(all, f)
		}
		return nil
	})
	return all, err
}

// eachFilesPage calls fn with each page of the files endpoint, up to
// maxFiles files.
func eachFilesPage(ctx context.Context, api PullsAPI, pr PR, fn func([]*gh.CommitFile) error) error {
	opts := &gh.ListOptions{PerPage: 100}
	n := 0
	for {
		files, resp, err := api.ListFiles(ctx, pr.Owner, pr.Repo, pr.Number, opts)
		if err != nil {
			return fmt.Errorf("list files (page %d): %w", max(opts.Page, 1), err)
		}
		if err := fn(files); err != nil {
			return err
		}
		n += len(files)
		if resp.NextPage == 0 || n >= maxFiles {
			return nil
		}
		opts.Page = resp.NextPage
	}
}

// notRead returns a NotRead file for each listed file that d lacks.
func notRead(d *diffparse.Diff, files []*gh.CommitFile) []*diffparse.File {
	listed := make([]review.ListedFile, 0, len(files))
	for _, cf := range files {
		old := cf.GetPreviousFilename()
		if old == "" {
			old = cf.GetFilename()
		}
		listed = append(listed, review.ListedFile{Status: cf.GetStatus(), OldPath: old, NewPath: cf.GetFilename()})
	}
	return review.NotRead(d, listed)
}

func writeFile(b *strings.Builder, f *gh.CommitFile) {
	name, old := f.GetFilename(), f.GetPreviousFilename()
	if old == "" {
		old = name
	}
	fmt.Fprintf(b, "diff --git a/%s b/%s\n", old, name)
	from, to := "a/"+old, "b/"+name
	switch f.GetStatus() {
	case "added":
		b.WriteString("new file mode 100644\n")
		from = "/dev/null"
	case "removed":
		b.WriteString("deleted file mode 100644\n")
		to = "/dev/null"
	case "renamed":
		fmt.Fprintf(b, "rename from %s\nrename to %s\n", old, name)
	}
	patch := f.GetPatch()
	if patch == "" {
		if f.GetStatus() != "renamed" {
			fmt.Fprintf(b, "Binary files %s and %s differ\n", from, to)
		}
		return
	}
	fmt.Fprintf(b, "--- %s\n+++ %s\n%s\n", from, to, strings.TrimSuffix(patch, "\n"))
}

// reviewPlan says what a run reviews.
type reviewPlan struct {
	Incremental    bool
	From           string
	FallbackReason string
}

// planReview decides between an incremental and a full review of head
// given last, the last commit whose review completed. It is incremental
// only when the compare endpoint says head is ahead of last (last is an
// ancestor); a force-push, an unknown commit or any failure falls back to
// a full review, with the reason.
func planReview(ctx context.Context, api ReposAPI, pr PR, last, head string) reviewPlan {
	if last == "" {
		return reviewPlan{}
	}
	cmp, _, err := api.CompareCommits(ctx, pr.Owner, pr.Repo, last, head, &gh.ListOptions{PerPage: 1})
	switch {
	case statusOf(err) == http.StatusNotFound:
		return reviewPlan{FallbackReason: fmt.Sprintf("the last reviewed commit %s is no longer known to GitHub (force-push?)", short(last))}
	case err != nil:
		return reviewPlan{FallbackReason: fmt.Sprintf("could not compare with the last reviewed commit %s (%v)", short(last), err)}
	case cmp.GetStatus() != "ahead":
		return reviewPlan{FallbackReason: fmt.Sprintf("the last reviewed commit %s is not an ancestor of %s (force-push or rebase)", short(last), short(head))}
	}
	return reviewPlan{Incremental: true, From: last}
}

// fetchIncrement reads the diff of from...head and keeps the files that
// are in the pull request's diff (a merge of the base branch brings in
// changes that are not the author's). A diff longer than limit bytes (no
// limit when limit ≤ 0) is not read further: the error then wraps
// diffparse.ErrTruncated, and the caller reviews the full diff instead.
func fetchIncrement(ctx context.Context, api RawAPI, pr PR, from, head string, prDiff *diffparse.Diff, limit int64) (*diffparse.Diff, error) {
	d, read, err := diffparse.ParseFrom(func(w io.Writer) error {
		u := fmt.Sprintf("repos/%v/%v/compare/%v...%v", pr.Owner, pr.Repo, url.QueryEscape(from), url.QueryEscape(head))
		req, err := api.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Accept", "application/vnd.github.v3.diff")
		_, err = api.Do(ctx, req, w)
		return err
	}, diffparse.ReadOptions{MaxBytes: limit})
	switch {
	case err != nil:
		return nil, fmt.Errorf("compare %s...%s: %w", short(from), short(head), err)
	case read.Cut:
		return nil, fmt.Errorf("compare %s...%s: %w", short(from), short(head), diffparse.ErrTruncated)
	}
	var keep []*diffparse.File
	for _, f := range d.Files {
		if prDiff.File(f.Path()) != nil {
			keep = append(keep, f)
		}
	}
	return diffparse.NewDiff(keep), nil
}

// contentFiles reads files at one commit through the contents endpoint;
// it is a review.FileSource and reads the repository config.
type contentFiles struct {
	api    ReposAPI
	pr     PR
	commit string
}

var _ review.FileSource = (*contentFiles)(nil)

// newContentFiles returns a FileSource for commit.
func newContentFiles(api ReposAPI, pr PR, commit string) *contentFiles {
	return &contentFiles{api: api, pr: pr, commit: commit}
}

// NotRegularError is a path that is not a regular file at the commit.
// Kind is "a symlink", "a submodule", "a directory" or "not a regular
// file".
type NotRegularError struct {
	Path, Kind string
}

func (e *NotRegularError) Error() string { return e.Path + ": " + e.Kind }

// Why is Kind: the refusal in words, without the path, as gitblob's
// refusals say it (settings.Refusal names a refused guideline with it).
func (e *NotRegularError) Why() string { return e.Kind }

// ReadFile returns the file's content at the commit; a missing file wraps
// fs.ErrNotExist. A symlink yields its target text and is never followed:
// GitHub answers a link to a file of the repository with that file, which
// is refused (*NotRegularError), as are submodules and directories.
func (f *contentFiles) ReadFile(ctx context.Context, path string) ([]byte, error) {
	return f.read(ctx, path, false)
}

// ReadRegularFile is ReadFile for a regular file only: a symlink is
// refused too. It reads files that configure the review (guidelines).
func (f *contentFiles) ReadRegularFile(ctx context.Context, path string) ([]byte, error) {
	return f.read(ctx, path, true)
}

func (f *contentFiles) read(ctx context.Context, path string, regularOnly bool) ([]byte, error) {
	fc, _, _, err := f.api.GetContents(ctx, f.pr.Owner, f.pr.Repo, path, &gh.RepositoryContentGetOptions{Ref: f.commit})
	if statusOf(err) == http.StatusNotFound {
		return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	if fc == nil {
		return nil, &NotRegularError{Path: path, Kind: "a directory"}
	}
	switch fc.GetType() {
	case "file":
		if fc.GetPath() != path {
			return nil, &NotRegularError{Path: path, Kind: "a symlink"} // followed by GitHub to fc.Path
		}
	case "symlink":
		if regularOnly {
			return nil, &NotRegularError{Path: path, Kind: "a symlink"}
		}
		return []byte(fc.GetTarget()), nil
	case "submodule":
		return nil, &NotRegularError{Path: path, Kind: "a submodule"}
	default:
		return nil, &NotRegularError{Path: path, Kind: "not a regular file"}
	}
	s, err := fc.GetContent()
	return []byte(s), err
}
