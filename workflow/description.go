package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// DescriptionWriter is what a Platform may implement besides: replacing
// the pull request's description (Bitbucket: write:pullrequest). The flow
// re-reads the description right before it writes, and writes only when
// its block changed.
type DescriptionWriter interface {
	SetDescription(ctx context.Context, description string) error
}

// describe writes the summary (overview and linked issues) into the pull
// request's description, as DESCRIPTION_SUMMARY says: at the author's
// "@bitreview summary", between the markers of an earlier run, or (append)
// at the end. It never changes the author's text outside the markers,
// skips the write when nothing changed, and gives up for this run when
// the author edited the description meanwhile (re-read right before the
// write). A failure here is a warning: the review stands.
func (r *run) describe(ctx context.Context, res *review.Result) {
	mode := r.s.DescriptionSummary
	if mode == settings.DescriptionOff || r.d.Commands == nil {
		return
	}
	t := time.Now()
	next, err := review.FillDescription(r.description, review.RenderDescriptionSummary(res), mode == settings.DescriptionAppend, r.d.Commands.Placeholder)
	switch {
	case err != nil:
		r.log.Warn("Description not updated: %v", err)
		return
	case next == r.description:
		r.log.Debugf("description: nothing to write (no placeholder, or the summary there is unchanged)")
		return
	}
	w, ok := r.p.(DescriptionWriter)
	if !ok {
		r.log.Info("The description asks for the summary, but bitreview cannot edit descriptions on this host")
		return
	}
	cur, err := r.p.PullRequest(ctx)
	switch {
	case err != nil:
		r.log.Warn("Description not updated: could not read it again before writing: %v", err)
		return
	case cur.Description != r.description:
		r.log.Warn("Description not updated: it was edited during the run, and bitreview never overwrites an edit; the next run updates it")
		return
	}
	if err := w.SetDescription(ctx, next); err != nil {
		if fix := r.p.Fix(err); fix != "" {
			err = errors.Join(err, errors.New("fix: "+fix))
		}
		r.log.Warn("Description not updated: %v", err)
		return
	}
	if !r.s.DryRun {
		r.log.OK(t, "Description summary updated (the text around bitreview's markers is untouched)")
	}
}
