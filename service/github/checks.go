package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// CheckName is the check run's name.
const CheckName = "bitreview"

// annotationsPerRequest is GitHub's limit: further annotations are added
// by updating the run.
const annotationsPerRequest = 50

// CheckInput is what the check run reports.
type CheckInput struct {
	Head     string
	Findings []review.Finding
	Failed   bool // conclusion failure (FAIL_ON reached, or an incomplete review with FAIL_ON_ERROR)
	Summary  string
}

// PublishCheck creates a completed check run on the head commit with one
// annotation per new-side finding, 50 per request. It returns the number
// of requests made.
func PublishCheck(ctx context.Context, api ChecksAPI, pr PR, in CheckInput) (int, error) {
	var anns []*gh.CheckRunAnnotation
	for _, f := range in.Findings {
		if f.Side == diffparse.Old || f.Line <= 0 {
			continue // annotations point at lines of the head commit
		}
		start := f.Line
		if f.StartLine > 0 && f.StartLine < f.Line {
			start = f.StartLine
		}
		anns = append(anns, &gh.CheckRunAnnotation{
			Path: gh.String(f.Path), StartLine: gh.Int(start), EndLine: gh.Int(f.Line),
			AnnotationLevel: gh.String(level(f.Severity)), Title: gh.String(f.Title), Message: gh.String(f.Body),
		})
	}
	conclusion := "success"
	if in.Failed {
		conclusion = "failure"
	} else if len(in.Findings) > 0 {
		conclusion = "neutral"
	}
	title := fmt.Sprintf("%d finding(s)", len(in.Findings))
	first := anns[:min(len(anns), annotationsPerRequest)]
	run, _, err := api.CreateCheckRun(ctx, pr.Owner, pr.Repo, gh.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: in.Head, Status: gh.String("completed"), Conclusion: gh.String(conclusion),
		Output: &gh.CheckRunOutput{Title: gh.String(title), Summary: gh.String(in.Summary), Annotations: first},
	})
	if err != nil {
		return 1, fmt.Errorf("create check run: %w", err)
	}
	requests := 1
	for rest := anns[len(first):]; len(rest) > 0; {
		batch := rest[:min(len(rest), annotationsPerRequest)]
		rest = rest[len(batch):]
		requests++
		if _, _, err := api.UpdateCheckRun(ctx, pr.Owner, pr.Repo, run.GetID(), gh.UpdateCheckRunOptions{
			Name:   CheckName,
			Output: &gh.CheckRunOutput{Title: gh.String(title), Summary: gh.String(in.Summary), Annotations: batch},
		}); err != nil {
			return requests, fmt.Errorf("add annotations: %w", err)
		}
	}
	return requests, nil
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
