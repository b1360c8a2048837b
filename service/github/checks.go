package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// checkName is the check run's name.
const checkName = "bitreview"

// annotationsPerRequest is GitHub's limit: further annotations are added
// by updating the run.
const annotationsPerRequest = 50

// maxAnnotationTitle is GitHub's limit on an annotation's title.
const maxAnnotationTitle = 255

// checkRun is a completed check run to create.
type checkRun struct {
	head, conclusion, title, summary string
	annotations                      []*gh.CheckRunAnnotation
}

// postCheck creates run with its first 50 annotations and adds the rest by
// updating it, 50 per request. It returns the number of requests made.
func postCheck(ctx context.Context, api ChecksAPI, pr PR, run checkRun) (int, error) {
	anns := run.annotations
	first := anns[:min(len(anns), annotationsPerRequest)]
	created, _, err := api.CreateCheckRun(ctx, pr.Owner, pr.Repo, gh.CreateCheckRunOptions{
		Name: checkName, HeadSHA: run.head, Status: gh.String("completed"), Conclusion: gh.String(run.conclusion),
		Output: &gh.CheckRunOutput{Title: gh.String(run.title), Summary: gh.String(run.summary), Annotations: first},
	})
	if err != nil {
		return 1, fmt.Errorf("create check run: %w", err)
	}
	requests := 1
	for rest := anns[len(first):]; len(rest) > 0; {
		batch := rest[:min(len(rest), annotationsPerRequest)]
		rest = rest[len(batch):]
		requests++
		if _, _, err := api.UpdateCheckRun(ctx, pr.Owner, pr.Repo, created.GetID(), gh.UpdateCheckRunOptions{
			Name:   checkName,
			Output: &gh.CheckRunOutput{Title: gh.String(run.title), Summary: gh.String(run.summary), Annotations: batch},
		}); err != nil {
			return requests, fmt.Errorf("add annotations: %w", err)
		}
	}
	return requests, nil
}

// annotations maps the findings that have a place on the head commit to
// annotations. With d, a finding's path must name a file of d
// (review.DiffPath, as inline comments resolve it) and its line must be
// one d can take a comment on; without d, any new-side line is a place.
// Annotations sit on the head commit, so a removed line has none.
func annotations(fs []review.Finding, d *diffparse.Diff) []*gh.CheckRunAnnotation {
	var anns []*gh.CheckRunAnnotation
	for _, f := range fs {
		path := f.Path
		if f.Side == diffparse.Old || f.Line <= 0 {
			continue
		}
		if d != nil {
			var ok bool
			if path, ok = review.DiffPath(d, f.Path); !ok || !d.Commentable(path, diffparse.New, f.Line) {
				continue
			}
		}
		start := f.Line
		if f.StartLine > 0 && f.StartLine < f.Line {
			start = f.StartLine
		}
		msg := f.Body
		if msg == "" {
			msg = f.Title
		}
		anns = append(anns, &gh.CheckRunAnnotation{
			Path: gh.String(path), StartLine: gh.Int(start), EndLine: gh.Int(f.Line),
			AnnotationLevel: gh.String(level(f.Severity)), Title: gh.String(capRunes(f.Title, maxAnnotationTitle)), Message: gh.String(msg),
		})
	}
	return anns
}

func level(s review.Severity) string {
	switch {
	case s >= review.High:
		return "failure"
	case s == review.Medium:
		return "warning"
	}
	return "notice"
}

func capRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
