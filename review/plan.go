package review

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// batch is the set of files (or parts of one large file) sent in one call.
type batch struct {
	files  []*diffparse.File
	tokens int
}

func (b batch) describe() string {
	if len(b.files) == 1 {
		return b.files[0].Path()
	}
	return fmt.Sprintf("%d files (%s, …)", len(b.files), b.files[0].Path())
}

// EstimateTokens estimates prompt tokens offline, with nothing to load or
// download. One token per 3 bytes overestimates cl100k_base by about 15%
// on our prompts and Go sources and never undercounts a file by more than
// 10% (TestEstimateTokensIsCalibrated), so budgets err on the safe side.
func EstimateTokens(s string) int { return len(s)/3 + 1 }

// priority orders files for the budget: source first, then tests, then
// docs and config. Lower sorts first.
func priority(p string) int {
	base := strings.ToLower(path.Base(p))
	ext := strings.ToLower(path.Ext(p))
	switch {
	case strings.Contains(base, "_test.") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") ||
		strings.HasPrefix(p, "test/") || strings.HasPrefix(p, "tests/") || strings.Contains(p, "/test/") || strings.Contains(p, "/tests/"):
		return 1
	case ext == ".md" || ext == ".rst" || ext == ".txt" || ext == ".adoc" || strings.HasPrefix(p, "docs/"):
		return 3
	case ext == ".json" || ext == ".yaml" || ext == ".yml" || ext == ".toml" || ext == ".ini" || ext == ".xml":
		return 2
	}
	return 0
}

// selectFiles fills res.Files and res.Skipped and returns the files worth
// sending to a model, in a deterministic priority order, at most MaxFiles.
func (e *Engine) selectFiles(d *diffparse.Diff, res *Result) []*diffparse.File {
	var candidates []*diffparse.File
	for _, f := range d.Files {
		added, removed := f.Stats()
		res.Files = append(res.Files, FileNote{Path: f.Path(), Status: string(f.Status), Added: added, Removed: removed})
		switch class := diffparse.Classify(f); {
		case !e.opts.Filter.Match(f.Path()):
			res.Skipped = append(res.Skipped, Skipped{f.Path(), "excluded by PATH_FILTERS"})
		case class != diffparse.ClassNone:
			res.Skipped = append(res.Skipped, Skipped{f.Path(), string(class)})
		case len(f.Hunks) == 0:
			// Pure renames and mode changes: nothing to review, not an omission.
			res.Files[len(res.Files)-1].Note = describeNoContent(f)
		case added == 0 && f.Status == diffparse.StatusDeleted:
			res.Files[len(res.Files)-1].Note = "deleted"
		default:
			candidates = append(candidates, f)
		}
	}
	sort.SliceStable(candidates, func(i, j int) bool {
		pi, pj := priority(candidates[i].Path()), priority(candidates[j].Path())
		if pi != pj {
			return pi < pj
		}
		return candidates[i].Path() < candidates[j].Path()
	})
	if len(candidates) > e.opts.MaxFiles {
		for _, f := range candidates[e.opts.MaxFiles:] {
			res.Skipped = append(res.Skipped, Skipped{f.Path(), fmt.Sprintf("over MAX_FILES (%d)", e.opts.MaxFiles)})
		}
		candidates = candidates[:e.opts.MaxFiles]
	}
	return candidates
}

// pack puts files into batches under BatchTokens each and MaxInputTokens
// in all, splitting files too large for one request by hunk. What does not
// fit is recorded in res.Skipped.
func (e *Engine) pack(files []*diffparse.File, r renderer, res *Result) []batch {
	a := e.admit(files, e.opts.MaxInputTokens, r.tokens)
	res.Skipped = append(res.Skipped, a.skipped...)
	return e.batches(a.pieces)
}

// piece is a request-sized part of a file (the whole file, or some of its
// hunks) with its estimated prompt tokens.
type piece struct {
	part   *diffparse.File
	whole  *diffparse.File // the file part comes from
	tokens int
}

// admission is the outcome of the budget pass over files.
type admission struct {
	pieces  []piece   // what fits, in the files' order
	skipped []Skipped // what does not, and why
	used    int       // tokens of pieces
}

// admit takes files in order while they fit budget tokens in all, a file
// too large for one request split by hunk. A file stops at its first part
// over the budget (recorded as over MAX_INPUT_TOKENS) or over BatchTokens
// alone; a later, smaller file may still fit.
func (e *Engine) admit(files []*diffparse.File, budget int, cost func(*diffparse.File) int) admission {
	var a admission
	for _, f := range files {
		for _, part := range splitFile(f, e.opts.BatchTokens, cost) {
			t := cost(part)
			if a.used+t > budget {
				a.skipped = append(a.skipped, Skipped{f.Path(), fmt.Sprintf("over MAX_INPUT_TOKENS (%d)", e.opts.MaxInputTokens)})
				break
			}
			if t > e.opts.BatchTokens {
				a.skipped = append(a.skipped, Skipped{f.Path(), reasonHunkTooLarge})
				break
			}
			a.pieces = append(a.pieces, piece{part: part, whole: f, tokens: t})
			a.used += t
		}
	}
	return a
}

// batches packs pieces in order into batches of at most BatchTokens.
func (e *Engine) batches(pieces []piece) []batch {
	var plan []batch
	var cur batch
	for _, p := range pieces {
		if len(cur.files) > 0 && cur.tokens+p.tokens > e.opts.BatchTokens {
			plan = append(plan, cur)
			cur = batch{}
		}
		cur.files = append(cur.files, p.part)
		cur.tokens += p.tokens
	}
	if len(cur.files) > 0 {
		plan = append(plan, cur)
	}
	return plan
}

// splitFile cuts a file whose hunks exceed one request into parts of whole
// hunks.
func splitFile(f *diffparse.File, budget int, cost func(*diffparse.File) int) []*diffparse.File {
	if cost(f) <= budget || len(f.Hunks) < 2 {
		return []*diffparse.File{f}
	}
	var parts []*diffparse.File
	part := *f
	part.Hunks = nil
	for _, h := range f.Hunks {
		one := part
		one.Hunks = []*diffparse.Hunk{h}
		if len(part.Hunks) > 0 && cost(&part)+cost(&one) > budget {
			p := part
			parts = append(parts, &p)
			part.Hunks = nil
		}
		part.Hunks = append(part.Hunks, h)
	}
	parts = append(parts, &part)
	return parts
}

func describeNoContent(f *diffparse.File) string {
	switch {
	case f.Status == diffparse.StatusRenamed:
		return "renamed from " + f.OldPath
	case f.Status == diffparse.StatusCopied:
		return "copied from " + f.OldPath
	case f.OldMode != f.NewMode && f.NewMode != "":
		return "mode " + f.OldMode + " → " + f.NewMode
	}
	return "no content change"
}
