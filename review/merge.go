package review

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// maxSummaryParts bounds the pull request's summary when it was reviewed in
// several batches: the summaries of the first batches that answered (the
// highest-priority files), in order. Every file has its line in the
// walkthrough whatever its batch.
const maxSummaryParts = 3

// merge folds the batch answers into res: the summary and walkthrough
// notes, anchored findings, noise control and caps.
func (e *Engine) merge(d *diffparse.Diff, plan []batch, answers []*answer, errs []error, res *Result) {
	var summaries []string
	var found []Finding
	dropped := 0
	for i, a := range answers {
		if errs[i] != nil || a == nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s not reviewed: %v", plan[i].describe(), errs[i]))
			for _, f := range plan[i].files {
				res.note(f.Path(), "not reviewed (model error)")
			}
			continue
		}
		if a.Summary != "" && len(summaries) < maxSummaryParts {
			summaries = append(summaries, a.Summary)
		}
		for _, f := range plan[i].files {
			// Only the batch's own files: an answer cannot note a file it
			// was not shown, whatever the pull request's text told it.
			if n, ok := a.Files[f.Path()]; ok {
				res.noteIfEmpty(f.Path(), n)
			}
		}
		found = append(found, a.Findings...)
		dropped += a.Dropped
	}
	if res.Summary == "" {
		res.Summary = strings.Join(summaries, "\n\n")
	}
	if dropped > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d finding(s) in the model's answers did not match the schema and were dropped", dropped))
	}
	var anchored []Finding
	for _, f := range dedupe(found) {
		if isNoise(f) {
			res.HeldBack++
			continue
		}
		af, why := anchor(d, f)
		if why != "" {
			af.Unanchored = why
			res.Unanchored = append(res.Unanchored, af)
			continue
		}
		af.Fingerprint = Fingerprint(af, anchorText(d, af))
		anchored = append(anchored, af)
	}
	sortFindings(anchored)
	for _, f := range anchored {
		switch {
		case f.Severity < e.opts.MinSeverity:
			res.HeldBack++
		case len(res.Findings) >= e.opts.MaxComments:
			f.Unanchored = fmt.Sprintf("over the limit of %d inline comments", e.opts.MaxComments)
			res.Unanchored = append(res.Unanchored, f)
		default:
			res.Findings = append(res.Findings, f)
		}
	}
	sortFindings(res.Unanchored)
}

// addUsage counts u for model.
func (r *Result) addUsage(model string, u Usage) {
	r.Usage.Add(u)
	if u.Calls == 0 {
		return
	}
	if r.UsageByModel == nil {
		r.UsageByModel = map[string]Usage{}
	}
	if model == "" {
		model = "unknown"
	}
	m := r.UsageByModel[model]
	m.Add(u)
	r.UsageByModel[model] = m
}

// note sets the walkthrough note of path.
func (r *Result) note(path, note string) {
	for i := range r.Files {
		if r.Files[i].Path == path {
			r.Files[i].Note = note
			return
		}
	}
}

func (r *Result) noteIfEmpty(path, note string) {
	for i := range r.Files {
		if r.Files[i].Path == path && r.Files[i].Note == "" {
			r.Files[i].Note = note
			return
		}
	}
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		if fs[i].Confidence != fs[j].Confidence {
			return fs[i].Confidence > fs[j].Confidence
		}
		if fs[i].Path != fs[j].Path {
			return fs[i].Path < fs[j].Path
		}
		return fs[i].Line < fs[j].Line
	})
}

// dedupe merges findings on the same place with the same title, keeping
// the most severe.
func dedupe(fs []Finding) []Finding {
	type key struct {
		path  string
		line  int
		title string
	}
	idx := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Path, f.Line, strings.ToLower(normCode(f.Title))}
		if i, ok := idx[k]; ok {
			if f.Severity > out[i].Severity {
				out[i] = f
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, f)
	}
	return out
}

var praise = []string{"looks good", "lgtm", "well done", "nice work", "great job", "good job", "no issues", "nice change", "good change", "well written", "clean code"}

// isNoise drops praise and content-free findings whatever the prompt said.
func isNoise(f Finding) bool {
	t := strings.ToLower(f.Title)
	for _, p := range praise {
		if strings.Contains(t, p) {
			return true
		}
	}
	return strings.TrimSpace(f.Body) == "" && f.Severity <= Low
}
