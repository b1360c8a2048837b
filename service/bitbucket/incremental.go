package bitbucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// CommitAPI is what incremental review needs from a Bitbucket client.
type CommitAPI interface {
	MergeBase(ctx context.Context, workspace, repo, a, b string) (*bbapi.Commit, *bbapi.Response, error)
	GetDiff(ctx context.Context, workspace, repo, spec string, opts *bbapi.DiffOptions, w io.Writer) (*bbapi.Response, error)
}

// reviewPlan says what a run reviews.
type reviewPlan struct {
	// Incremental is true when only the commits after From are reviewed.
	Incremental bool
	From        string
	// FallbackReason says why a review that could have been incremental is
	// full (force-push, rebase, unknown commit); "" otherwise.
	FallbackReason string
}

// planReview decides between an incremental and a full review of head,
// given last, the last commit whose review completed ("" for none). The
// review is incremental only when Bitbucket confirms that last is an
// ancestor of head: their merge base (GET /merge-base/{head}..{last}) is
// last itself. A force-push or rebase, a commit Bitbucket no longer knows,
// or any failure to ask falls back to a full review, with the reason.
func planReview(ctx context.Context, api CommitAPI, pr PR, last, head string) reviewPlan {
	if last == "" {
		return reviewPlan{}
	}
	mb, _, err := api.MergeBase(ctx, pr.Workspace, pr.Repo, head, last)
	var er *bbapi.ErrorResponse
	switch {
	case err != nil && errors.As(err, &er) && er.StatusCode == http.StatusNotFound:
		return reviewPlan{FallbackReason: fmt.Sprintf("the last reviewed commit %s is no longer known to Bitbucket (force-push?)", short(last))}
	case err != nil:
		return reviewPlan{FallbackReason: fmt.Sprintf("could not compare with the last reviewed commit %s (%v)", short(last), err)}
	case !review.SameCommit(mb.Hash, last):
		return reviewPlan{FallbackReason: fmt.Sprintf("the last reviewed commit %s is not an ancestor of %s (force-push or rebase)", short(last), short(head))}
	}
	return reviewPlan{Incremental: true, From: last}
}

// fetchIncrement reads the diff of the commits after from up to head, and
// keeps only the files that are part of the pull request's diff (a merge of
// the destination branch brings in changes that are not the author's).
// Bitbucket's spec puts the commit with the changes first:
// GET /diff/{head}..{from}. A diff longer than limit bytes (no limit when
// limit ≤ 0) is not read further: the error then wraps
// diffparse.ErrTruncated, and the caller reviews the full diff instead.
func fetchIncrement(ctx context.Context, api CommitAPI, pr PR, head, from string, prDiff *diffparse.Diff, limit int64) ([]byte, error) {
	buf := &cappedBuffer{limit: limit}
	if _, err := api.GetDiff(ctx, pr.Workspace, pr.Repo, head+".."+from, nil, buf); err != nil {
		return nil, fmt.Errorf("diff %s..%s: %w", short(from), short(head), err)
	}
	return keepFiles(buf.buf.Bytes(), func(path string) bool { return prDiff.File(path) != nil }), nil
}

// cappedBuffer keeps what is written up to limit bytes (when limit > 0)
// and then fails with diffparse.ErrTruncated, which stops the download.
// It does not embed bytes.Buffer: io.Copy would use the promoted ReadFrom
// and bypass the limit.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int64
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.limit - int64(c.buf.Len()); c.limit > 0 && int64(len(p)) > room {
		n, _ := c.buf.Write(p[:room])
		return n, diffparse.ErrTruncated
	}
	return c.buf.Write(p)
}

// keepFiles keeps the file sections of a unified diff whose path keep
// accepts. Sections start at "diff --git " lines.
func keepFiles(raw []byte, keep func(string) bool) []byte {
	var out bytes.Buffer
	flush := func(sec []byte) {
		if len(sec) == 0 {
			return
		}
		d, err := diffparse.Parse(sec)
		if err != nil || len(d.Files) != 1 {
			return
		}
		f := d.Files[0]
		if keep(f.Path()) || (f.OldPath != "" && keep(f.OldPath)) {
			out.Write(sec)
		}
	}
	start := 0
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		end := len(raw)
		if j >= 0 {
			end = i + j + 1
		}
		if i > start && bytes.HasPrefix(raw[i:], []byte("diff --git ")) {
			flush(raw[start:i])
			start = i
		}
		i = end
	}
	flush(raw[start:])
	return out.Bytes()
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
