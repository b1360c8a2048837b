package bitbucket

import (
	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// findingOf rebuilds the finding an earlier run posted as t, for the
// verdict, gating and Code Insights of a run that did not review its code
// again. Its line is where it was posted.
func findingOf(t *thread) (review.Finding, bool) {
	pc, ok := review.ParseComment(t.c.Content.Raw)
	if !ok {
		return review.Finding{}, false
	}
	f := review.Finding{
		Path: t.c.Inline.Path, Severity: pc.Severity, Category: pc.Category,
		Title: pc.Title, Body: pc.Body, Fingerprint: t.fp, Side: diffparse.New,
	}
	in := t.c.Inline
	switch {
	case in.To != nil:
		f.Line = *in.To
	case in.From != nil:
		f.Side, f.Line = diffparse.Old, *in.From
	}
	return f, true
}

func inlineFor(f review.Finding) *bbapi.Inline {
	in := &bbapi.Inline{Path: f.Path}
	if f.Side == diffparse.Old {
		in.From = bbapi.Int(f.Line)
		if f.StartLine > 0 && f.StartLine < f.Line {
			in.StartFrom = bbapi.Int(f.StartLine)
		}
		return in
	}
	in.To = bbapi.Int(f.Line)
	if f.StartLine > 0 && f.StartLine < f.Line {
		in.StartTo = bbapi.Int(f.StartLine)
	}
	return in
}
