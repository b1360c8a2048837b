package bitbucket

import (
	"context"
	"fmt"

	"github.com/bitreview/bitreview/review"
)

// ledger is what Publish knows of the pull request's inline comments of
// ours: each fingerprint posted (→ its comment id; 0 in a dry run), those
// whose thread a person resolved, how many are open, and the earlier
// ones retired as stale or carried.
type ledger struct {
	posted    map[string]int
	dismissed map[string]bool
	open      int
	stale     []*thread
	carried   []review.Finding
}

// sortEarlier goes through our earlier inline comments: one whose finding
// this run produced again stays; a stale one is retired (isStale); one
// this run did not look at again stays open, its finding carried; one
// whose thread is resolved is neither open nor posted again.
func (p *publisher) sortEarlier(ctx context.Context, prior *earlierRuns, res *review.Result, scope review.Scope, out *review.Outcome) *ledger {
	produced := map[string]bool{}
	for _, f := range append(append([]review.Finding(nil), res.Findings...), res.Unanchored...) {
		if f.Fingerprint != "" {
			produced[f.Fingerprint] = true
		}
	}
	l := &ledger{posted: map[string]int{}, dismissed: map[string]bool{}}
	for _, t := range prior.threads() {
		l.posted[t.fp] = t.c.ID
		switch {
		case t.c.Resolution != nil:
			// Resolved by someone (or by us): not open, never re-posted,
			// and not counted against the pull request any more.
			l.dismissed[t.fp] = true
		case produced[t.fp]:
			l.open++
		case isStale(scope, t):
			l.stale = append(l.stale, t)
		default:
			l.open++
			if f, ok := findingOf(t); ok {
				l.carried = append(l.carried, f)
			}
		}
	}
	for _, t := range l.stale {
		p.retire(ctx, t, out)
	}
	out.Carried = len(l.carried)
	return l
}

// postNew posts the findings of res that have no inline comment yet,
// within MaxComments counting those open. It returns the findings that are
// inline now (new and existing) and why posts failed; a finding that
// could not be posted moves to res.Unanchored with the reason.
func (p *publisher) postNew(ctx context.Context, me string, res *review.Result, l *ledger, out *review.Outcome) (kept []review.Finding, failures []string, err error) {
	for _, f := range res.Findings {
		if l.dismissed[f.Fingerprint] {
			out.Dismissed++
			continue
		}
		if _, ok := l.posted[f.Fingerprint]; ok {
			out.Existing++
			kept = append(kept, f)
			continue
		}
		if p.opts.MaxComments > 0 && l.open >= p.opts.MaxComments {
			out.OverBudget++
			f.Unanchored = fmt.Sprintf("over the limit of %d open inline comments (MAX_COMMENTS)", p.opts.MaxComments)
			res.Unanchored = append(res.Unanchored, f)
			continue
		}
		id, err := p.postInline(ctx, f, me)
		switch {
		case err == nil:
			out.Posted++
			l.open++
			l.posted[f.Fingerprint] = id
			kept = append(kept, f)
		case isRejectedAnchor(err):
			out.Rejected++
			f.Unanchored = "Bitbucket refused the line anchor"
			res.Unanchored = append(res.Unanchored, f)
		case ctx.Err() != nil:
			return kept, failures, fmt.Errorf("post comments: %w", err)
		default:
			out.Failed++
			failures = append(failures, fmt.Sprintf("%s:%d: %v", f.Path, f.Line, err))
			f.Unanchored = "posting failed"
			res.Unanchored = append(res.Unanchored, f)
		}
	}
	return kept, failures, nil
}
