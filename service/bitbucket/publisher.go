// Package bitbucket connects the review core to Bitbucket Cloud through
// bbapi: it reads the pull request and its diff, and publishes a review as
// inline comments plus one summary comment that later runs edit in place.
package bitbucket

import (
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

// CommentAPI is what publishing needs from a Bitbucket client.
type CommentAPI interface {
	CurrentUser(ctx context.Context) (*bbapi.Account, *bbapi.Response, error)
	ListPullRequestComments(ctx context.Context, workspace, repo string, id int) ([]*bbapi.Comment, error)
	CreatePullRequestComment(ctx context.Context, workspace, repo string, id int, in *bbapi.NewComment) (*bbapi.Comment, *bbapi.Response, error)
	UpdatePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int, in *bbapi.NewComment) (*bbapi.Comment, *bbapi.Response, error)
	DeletePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int) (*bbapi.Response, error)
}

// PR names one pull request.
type PR struct {
	Workspace, Repo string
	ID              int
}

// Publisher posts a review to one pull request.
type Publisher struct {
	api    CommentAPI
	pr     PR
	dryRun io.Writer // non-nil: print instead of posting
}

// NewPublisher returns a publisher. With dryRun non-nil nothing is written
// to Bitbucket; what would be posted is printed there instead.
func NewPublisher(api CommentAPI, pr PR, dryRun io.Writer) *Publisher {
	return &Publisher{api: api, pr: pr, dryRun: dryRun}
}

// Outcome counts what a publish did.
type Outcome struct {
	Posted    int    // inline comments created now
	Existing  int    // inline comments already present from an earlier run
	Rejected  int    // anchors Bitbucket refused; moved to the summary
	Failed    int    // inline comments that could not be posted
	Summary   string // "created", "updated", "unchanged" or "dry-run"
	SummaryID int
}

// Publish posts res: inline comments for anchored findings not posted
// before, then the summary (created once, then edited in place). Only
// comments authored by the token's own account are ever edited or deleted.
func (p *Publisher) Publish(ctx context.Context, res *review.Result, info review.SummaryInfo, st review.State) (*Outcome, error) {
	out := &Outcome{}
	if p.dryRun != nil {
		return p.printDryRun(res, info, st)
	}
	me, _, err := p.api.CurrentUser(ctx)
	if err != nil {
		return out, fmt.Errorf("identify the bot account: %w", err)
	}
	comments, err := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		return out, fmt.Errorf("list comments: %w", err)
	}
	mine := ownComments(comments, me.UUID)
	posted := fingerprints(mine)

	var kept []review.Finding
	var failures []string
	for _, f := range res.Findings {
		if posted[f.Fingerprint] {
			out.Existing++
			kept = append(kept, f)
			continue
		}
		err := p.postInline(ctx, f, me.UUID)
		switch {
		case err == nil:
			out.Posted++
			posted[f.Fingerprint] = true
			kept = append(kept, f)
		case isRejectedAnchor(err):
			out.Rejected++
			f.Unanchored = "Bitbucket refused the line anchor"
			res.Unanchored = append(res.Unanchored, f)
		default:
			if ctx.Err() != nil {
				return out, fmt.Errorf("post comments: %w", err)
			}
			out.Failed++
			failures = append(failures, fmt.Sprintf("%s:%d: %v", f.Path, f.Line, err))
			f.Unanchored = "posting failed"
			res.Unanchored = append(res.Unanchored, f)
		}
	}
	res.Findings = kept
	for _, f := range kept {
		st.Posted = append(st.Posted, f.Fingerprint)
	}
	info.Posted = out.Posted + out.Existing
	if out.Failed > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d inline comment(s) could not be posted; they are listed above.", out.Failed))
	}
	body := review.RenderSummary(res, info, st)
	if err := p.upsertSummary(ctx, mine, body, out); err != nil {
		return out, fmt.Errorf("post summary: %w", err)
	}
	if out.Failed > 0 {
		return out, fmt.Errorf("post comments: %d of %d failed, first: %s", out.Failed, len(res.Findings)+out.Failed, failures[0])
	}
	return out, nil
}

// postInline creates one inline comment. A create that fails without a
// clear answer (timeout, 5xx, reset) may still have been stored, so the
// comments are listed again and the fingerprint looked for before the
// failure is believed; POSTs are never blindly repeated.
func (p *Publisher) postInline(ctx context.Context, f review.Finding, me string) error {
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: review.RenderComment(f)}, Inline: inlineFor(f)}
	_, _, err := p.api.CreatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in)
	if err == nil || isRejectedAnchor(err) || ctx.Err() != nil {
		return err
	}
	comments, lerr := p.api.ListPullRequestComments(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if lerr == nil && fingerprints(ownComments(comments, me))[f.Fingerprint] {
		return nil
	}
	return err
}

func inlineFor(f review.Finding) *bbapi.Inline {
	in := &bbapi.Inline{Path: f.Path}
	if f.Side == diffparse.Old {
		in.From = bbapi.Int(f.Line)
		if f.StartLine > 0 {
			in.StartFrom = bbapi.Int(f.StartLine)
		}
		return in
	}
	in.To = bbapi.Int(f.Line)
	if f.StartLine > 0 {
		in.StartTo = bbapi.Int(f.StartLine)
	}
	return in
}

// upsertSummary edits our newest summary comment (or creates one), and
// deletes any older duplicates of ours.
func (p *Publisher) upsertSummary(ctx context.Context, mine []*bbapi.Comment, body string, out *Outcome) error {
	var summaries []*bbapi.Comment
	for _, c := range mine {
		if c.Inline == nil && c.Parent == nil && review.IsSummary(c.Content.Raw) {
			summaries = append(summaries, c)
		}
	}
	in := &bbapi.NewComment{Content: bbapi.Content{Raw: body}}
	if len(summaries) == 0 {
		c, _, err := p.api.CreatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in)
		if err != nil {
			return err
		}
		out.Summary, out.SummaryID = "created", c.ID
		return nil
	}
	newest := summaries[0]
	for _, c := range summaries[1:] {
		if c.ID > newest.ID {
			newest = c
		}
	}
	for _, c := range summaries {
		if c.ID != newest.ID {
			if _, err := p.api.DeletePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, c.ID); err != nil {
				return fmt.Errorf("delete duplicate summary %d: %w", c.ID, err)
			}
		}
	}
	out.SummaryID = newest.ID
	if strings.TrimSpace(newest.Content.Raw) == strings.TrimSpace(body) {
		out.Summary = "unchanged"
		return nil
	}
	if _, _, err := p.api.UpdatePullRequestComment(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, newest.ID, in); err != nil {
		return err
	}
	out.Summary = "updated"
	return nil
}

func (p *Publisher) printDryRun(res *review.Result, info review.SummaryInfo, st review.State) (*Outcome, error) {
	out := &Outcome{Summary: "dry-run"}
	for _, f := range res.Findings {
		in := inlineFor(f)
		fmt.Fprintf(p.dryRun, "--- would post inline comment on %s (%s line %d) ---\n%s\n", in.Path, f.Side, f.Line, review.RenderComment(f))
		st.Posted = append(st.Posted, f.Fingerprint)
		out.Posted++
	}
	info.Posted = out.Posted
	fmt.Fprintf(p.dryRun, "--- would post summary comment ---\n%s\n", review.RenderSummary(res, info, st))
	return out, nil
}

// ownComments keeps the live comments written by the bot's account. A
// comment by anyone else is never ours, whatever markers it carries.
func ownComments(cs []*bbapi.Comment, me string) []*bbapi.Comment {
	var out []*bbapi.Comment
	for _, c := range cs {
		if c.Deleted || c.User == nil || me == "" || c.User.UUID != me {
			continue
		}
		out = append(out, c)
	}
	return out
}

func fingerprints(cs []*bbapi.Comment) map[string]bool {
	out := map[string]bool{}
	for _, c := range cs {
		if c.Inline == nil {
			continue
		}
		if fp, ok := review.FingerprintOf(c.Content.Raw); ok {
			out[fp] = true
		}
	}
	return out
}

func isRejectedAnchor(err error) bool {
	var er *bbapi.ErrorResponse
	return errors.As(err, &er) && (er.StatusCode == http.StatusBadRequest || er.StatusCode == http.StatusUnprocessableEntity)
}
