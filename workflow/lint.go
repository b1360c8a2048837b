package workflow

import (
	"context"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/lint"
	"github.com/bitreview/bitreview/review"
)

// lintStage reads the static-analysis reports (LINT_REPORTS) that earlier
// commands of the step wrote into the checkout and places them on the
// pull request's diff (LINT_FILTER). It returns nil when none are asked
// for. A report it cannot use is a warning; the review goes on.
func (r *run) lintStage(ctx context.Context, prDiff *diffparse.Diff) *lint.Placement {
	if len(r.s.LintReports) == 0 {
		return nil
	}
	t := time.Now()
	if r.d.Checkout == "" {
		r.log.Warn("LINT_REPORTS is set, but there is no checkout to read the reports from (BITBUCKET_CLONE_DIR); none was read")
		return nil
	}
	reports := lint.ReadGlobs(ctx, r.d.Checkout, r.s.LintReports)
	pl := reports.Place(prDiff, r.s.LintFilterMode())
	for _, w := range pl.Static.Warnings {
		r.log.Warn("%s", w)
	}
	onDiff, offDiff := 0, 0
	for _, tr := range pl.Static.Tools {
		onDiff += tr.OnDiff
		offDiff += tr.OffDiff
	}
	r.log.OK(t, "Static analysis: %d report(s) of %s, %d finding(s) on the diff, %d off it, %d outside the repository (LINT_FILTER=%s)",
		pl.Static.Reports, Plural(len(pl.Static.Tools), "tool", "tools"), onDiff, offDiff, pl.Static.Outside, r.s.LintFilterMode())
	return &pl
}

// addTools adds the tool findings to res after the model's review
// (review.AddToolFindings: a model finding that repeats one joins it).
func (r *run) addTools(res *review.Result, pl *lint.Placement) {
	if pl == nil {
		return
	}
	minSev, _ := review.ParseSeverity(r.s.MinSeverity)
	review.AddToolFindings(res, pl.Inline, pl.Listed, minSev)
	res.Static = pl.Static
}

// toolReports are the tools' own reports for the host, each failed when
// one of its findings reaches FAIL_ON.
func (r *run) toolReports(pl *lint.Placement) []review.ToolReport {
	if pl == nil {
		return nil
	}
	out := make([]review.ToolReport, 0, len(pl.Static.Tools))
	for _, tr := range pl.Static.Tools {
		tr.Failed = r.s.Fails(review.VerdictOf(tr.Findings))
		out = append(out, tr)
	}
	return out
}

// withoutTools returns the findings the model and the built-in checks
// made: the tools' have their own reports.
func withoutTools(fs []review.Finding) []review.Finding {
	var out []review.Finding
	for _, f := range fs {
		if f.Tool == "" {
			out = append(out, f)
		}
	}
	return out
}
