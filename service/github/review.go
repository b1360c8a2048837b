package github

import (
	"context"
	"fmt"
	"net/http"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

const refused = "GitHub refused the line anchor"

// postReview posts fresh as one pull-request review (event COMMENT: it
// never approves or requests changes). GitHub refuses a whole review when
// one comment is off the diff (422), so then each comment is posted alone
// and only the refused ones move to the summary. A failure without a clear
// answer may still have stored the review: the comments are listed again
// before anything is re-posted. It returns, per fingerprint, "" when
// posted or the reason it was not.
func (p *publisher) postReview(ctx context.Context, prior *earlierRuns, fresh []review.Finding, out *review.Outcome) (map[string]string, []string, error) {
	result := map[string]string{}
	if len(fresh) == 0 {
		return result, nil, nil
	}
	if p.opts.DryRun != nil {
		for _, f := range fresh {
			fmt.Fprintf(p.opts.DryRun, "--- would post inline comment on %s (%s line %d) ---\n%s\n", f.Path, f.Side, f.Line, review.RenderComment(f))
		}
		out.Posted += len(fresh)
		return result, nil, nil
	}
	rr := &gh.PullRequestReviewRequest{
		CommitID: gh.String(p.opts.Head), Event: gh.String("COMMENT"),
		Body: gh.String(fmt.Sprintf("bitreview: %d new inline comment(s); the summary is in the conversation.", len(fresh))),
	}
	for _, f := range fresh {
		rr.Comments = append(rr.Comments, draftFor(f))
	}
	_, _, err := p.api.Pulls.CreateReview(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, rr)
	if err == nil {
		out.Posted += len(fresh)
		return result, nil, nil
	}
	if ctx.Err() != nil {
		return nil, nil, fmt.Errorf("post review: %w", err)
	}
	stored := map[string]bool{}
	if statusOf(err) != http.StatusUnprocessableEntity {
		stored = p.storedFingerprints(ctx, prior.Me)
	}
	var failures []string
	for _, f := range fresh {
		if stored[f.Fingerprint] {
			out.Posted++
			continue
		}
		cerr := p.postOne(ctx, prior.Me, f)
		switch {
		case cerr == nil:
			out.Posted++
		case statusOf(cerr) == http.StatusUnprocessableEntity:
			out.Rejected++
			result[f.Fingerprint] = refused
		case ctx.Err() != nil:
			return nil, nil, fmt.Errorf("post comments: %w", cerr)
		default:
			out.Failed++
			result[f.Fingerprint] = "posting failed"
			failures = append(failures, fmt.Sprintf("%s:%d: %v", f.Path, f.Line, cerr))
		}
	}
	return result, failures, nil
}

// postOne posts a single review comment; an unclear failure is checked by
// listing before it is believed.
func (p *publisher) postOne(ctx context.Context, me string, f review.Finding) error {
	d := draftFor(f)
	_, _, err := p.api.Pulls.CreateComment(ctx, p.pr.Owner, p.pr.Repo, p.pr.Number, &gh.PullRequestComment{
		Body: d.Body, CommitID: gh.String(p.opts.Head), Path: d.Path, Line: d.Line, Side: d.Side,
		StartLine: d.StartLine, StartSide: d.StartSide,
	})
	if err == nil || statusOf(err) == http.StatusUnprocessableEntity || ctx.Err() != nil {
		return err
	}
	if p.storedFingerprints(ctx, me)[f.Fingerprint] {
		return nil
	}
	return err
}

func (p *publisher) storedFingerprints(ctx context.Context, me string) map[string]bool {
	out := map[string]bool{}
	cs, err := listReviewComments(ctx, p.api.Pulls, p.pr)
	if err != nil {
		return out
	}
	for _, c := range cs {
		if fp, ok := review.FingerprintOf(c.GetBody()); ok && c.GetUser().GetLogin() == me {
			out[fp] = true
		}
	}
	return out
}

// draftFor anchors f with line/side (and start_line/start_side for a
// range), never the deprecated diff position.
func draftFor(f review.Finding) *gh.DraftReviewComment {
	side := "RIGHT"
	if f.Side == diffparse.Old {
		side = "LEFT"
	}
	d := &gh.DraftReviewComment{Path: gh.String(f.Path), Body: gh.String(review.RenderComment(f)), Line: gh.Int(f.Line), Side: gh.String(side)}
	if f.StartLine > 0 && f.StartLine < f.Line {
		d.StartLine, d.StartSide = gh.Int(f.StartLine), gh.String(side)
	}
	return d
}
