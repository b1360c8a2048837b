package bitbucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// CommitAPI is what incremental review needs from a Bitbucket client.
type CommitAPI interface {
	MergeBase(ctx context.Context, workspace, repo, a, b string) (*bbapi.Commit, *bbapi.Response, error)
	GetDiff(ctx context.Context, workspace, repo, spec string, opts *bbapi.DiffOptions, w io.Writer) (*bbapi.Response, error)
}

// Plan says what a run reviews.
type Plan struct {
	// Incremental is true when only the commits after From are reviewed.
	Incremental bool
	From        string
	// FallbackReason says why a review that could have been incremental is
	// full (force-push, rebase, unknown commit); "" otherwise.
	FallbackReason string
}

// PlanReview decides between an incremental and a full review of head,
// given last, the last commit whose review completed ("" for none). The
// review is incremental only when Bitbucket confirms that last is an
// ancestor of head: their merge base (GET /merge-base/{head}..{last}) is
// last itself. A force-push or rebase, a commit Bitbucket no longer knows,
// or any failure to ask falls back to a full review, with the reason.
func PlanReview(ctx context.Context, api CommitAPI, pr PR, last, head string) Plan {
	if last == "" {
		return Plan{}
	}
	mb, _, err := api.MergeBase(ctx, pr.Workspace, pr.Repo, head, last)
	var er *bbapi.ErrorResponse
	switch {
	case err != nil && errors.As(err, &er) && er.StatusCode == http.StatusNotFound:
		return Plan{FallbackReason: fmt.Sprintf("the last reviewed commit %s is no longer known to Bitbucket (force-push?)", short(last))}
	case err != nil:
		return Plan{FallbackReason: fmt.Sprintf("could not compare with the last reviewed commit %s (%v)", short(last), err)}
	case !SameCommit(mb.Hash, last):
		return Plan{FallbackReason: fmt.Sprintf("the last reviewed commit %s is not an ancestor of %s (force-push or rebase)", short(last), short(head))}
	}
	return Plan{Incremental: true, From: last}
}

// FetchIncrement reads the diff of the commits after from up to head, and
// keeps only the files that are part of the pull request's diff (a merge of
// the destination branch brings in changes that are not the author's).
// Bitbucket's spec puts the commit with the changes first:
// GET /diff/{head}..{from}.
func FetchIncrement(ctx context.Context, api CommitAPI, pr PR, head, from string, prDiff *diffparse.Diff) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := api.GetDiff(ctx, pr.Workspace, pr.Repo, head+".."+from, nil, &buf); err != nil {
		return nil, fmt.Errorf("fetch increment %s..%s: %w", short(from), short(head), err)
	}
	return keepFiles(buf.Bytes(), func(path string) bool { return prDiff.File(path) != nil }), nil
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

// Reanchor moves the findings of an incremental review onto the pull
// request's whole diff, where inline comments are anchored. A new-side line
// keeps its number (both diffs end at head) if the pull request's diff can
// take a comment there; a removed line is found again by its text among the
// pull request's removed lines. Anything else moves to res.Unanchored, and
// a range that spans hunks of the bigger diff shrinks to its last line.
func Reanchor(res *review.Result, inc, prDiff *diffparse.Diff) {
	var kept []review.Finding
	for _, f := range res.Findings {
		nf, why := reanchor(f, inc, prDiff)
		if why != "" {
			f.Unanchored = why
			res.Unanchored = append(res.Unanchored, f)
			continue
		}
		kept = append(kept, nf)
	}
	res.Findings = kept
}

func reanchor(f review.Finding, inc, prDiff *diffparse.Diff) (review.Finding, string) {
	file := prDiff.File(f.Path)
	if file == nil || file.Path() != f.Path {
		return f, "file is not part of the pull request's diff"
	}
	if f.Side == diffparse.Old {
		var text string
		if incFile := inc.File(f.Path); incFile != nil {
			if _, l := incFile.LineAt(diffparse.Old, f.Line); l != nil {
				text = l.Text
			}
		}
		best, dist := 0, -1
		for _, h := range file.Hunks {
			for _, l := range h.Lines {
				if l.Kind == diffparse.Removed && norm(l.Text) == norm(text) && text != "" {
					if d := abs(l.Old - f.Line); dist < 0 || d < dist {
						best, dist = l.Old, d
					}
				}
			}
		}
		if best == 0 {
			return f, "removed line is not part of the pull request's diff"
		}
		f.Line, f.StartLine = best, 0
		f.Fingerprint = review.Fingerprint(f, text)
		return f, ""
	}
	h, l := file.LineAt(diffparse.New, f.Line)
	if l == nil || !file.Commentable(diffparse.New, f.Line) {
		return f, "line is not part of the pull request's diff"
	}
	if f.StartLine > 0 {
		if hs, _ := file.LineAt(diffparse.New, f.StartLine); hs != h {
			f.StartLine = 0
		}
	}
	f.Fingerprint = review.Fingerprint(f, l.Text)
	return f, ""
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
