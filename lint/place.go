package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Filter is LINT_FILTER: which results count, as reviewdog's filter
// modes. Whatever the filter, only a result on a line of the diff is
// posted inline; the others within the filter are listed in the summary,
// and the rest only counted.
type Filter string

// The filters.
const (
	// Added keeps results on lines the pull request adds or changes.
	Added Filter = "added"
	// DiffContext keeps results on any line of a hunk (added or context).
	DiffContext Filter = "diff_context"
	// File keeps results anywhere in a file the pull request changes.
	File Filter = "file"
	// NoFilter keeps every result in the repository.
	NoFilter Filter = "nofilter"
)

// Filters names the filters, the default first.
func Filters() []string {
	return []string{string(Added), string(DiffContext), string(File), string(NoFilter)}
}

// ParseFilter reads a LINT_FILTER value.
func ParseFilter(s string) (Filter, error) {
	for _, f := range Filters() {
		if strings.EqualFold(strings.TrimSpace(s), f) {
			return Filter(f), nil
		}
	}
	return "", fmt.Errorf("must be one of %s", strings.Join(Filters(), ", "))
}

// maxListedPerTool caps the findings of one tool listed in the summary
// off the diff (the worst first); the tool's report annotates them all.
const maxListedPerTool = 20

// Placement is the reports placed on a pull request's diff.
type Placement struct {
	// Inline are the findings within the filter on a line of the diff,
	// with their fingerprints; Listed those within the filter elsewhere,
	// for the summary.
	Inline, Listed []review.Finding
	// Static is what the summary and the hosts' reports say: per tool
	// its findings within the filter and its counts.
	Static *review.StaticAnalysis
}

// Place places the results on d, the pull request's diff at its head.
func (rs *Reports) Place(d *diffparse.Diff, filter Filter) Placement {
	st := &review.StaticAnalysis{Reports: len(rs.Files), Filter: string(filter), Warnings: append([]string(nil), rs.Warnings...)}
	byTool := map[string]*review.ToolReport{}
	for _, t := range rs.Tools {
		byTool[t] = &review.ToolReport{Tool: t, Cut: rs.Cut[t]}
		st.Outside += rs.Outside[t]
	}
	var pl Placement
	listed := map[string][]review.Finding{}
	seen := map[string]bool{}
	for _, r := range rs.Results {
		tr := byTool[r.Tool]
		onLine, within := where(d, r, filter)
		f := finding(r, d, onLine)
		key := f.Fingerprint
		if key == "" {
			key = fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%s", r.Tool, r.Rule, r.Path, r.Line, f.Title)
		}
		if seen[key] {
			continue // the same result twice (two reports of one tool)
		}
		seen[key] = true
		switch {
		case onLine && within:
			tr.OnDiff++
			pl.Inline = append(pl.Inline, f)
		case within:
			tr.OffDiff++
			listed[r.Tool] = append(listed[r.Tool], f)
		default:
			tr.OffDiff++
			continue
		}
		tr.Findings = append(tr.Findings, f)
	}
	for _, t := range rs.Tools {
		tr := byTool[t]
		worstFirst(tr.Findings)
		if n := len(tr.Findings) - review.MaxToolFindings; n > 0 {
			tr.Cut += n
			tr.Findings = tr.Findings[:review.MaxToolFindings]
		}
		l := listed[t]
		worstFirst(l)
		pl.Listed = append(pl.Listed, l[:min(len(l), maxListedPerTool)]...)
		st.Tools = append(st.Tools, *tr)
	}
	var more []string
	for t, l := range listed {
		if extra := len(l) - maxListedPerTool; extra > 0 {
			more = append(more, fmt.Sprintf("%d more finding(s) of %s off the diff are not listed here; its report on the commit has them", extra, t))
		}
	}
	sort.Strings(more)
	st.Warnings = append(st.Warnings, more...)
	pl.Static = st
	return pl
}

// where says whether r is on a line of d that can take an inline comment,
// and whether filter keeps it.
func where(d *diffparse.Diff, r Result, filter Filter) (onLine, within bool) {
	file := d.File(r.Path)
	inDiff := r.Path != "" && file != nil && file.NewPath == r.Path
	var line *diffparse.Line
	if inDiff && r.Line > 0 {
		_, line = file.LineAt(diffparse.New, r.Line)
	}
	onLine = line != nil
	switch filter {
	case DiffContext:
		return onLine, onLine
	case File:
		return onLine, inDiff
	case NoFilter:
		return onLine, true
	}
	return onLine, onLine && line.Kind == diffparse.Added
}

// finding is r as a finding: "Rule: first line of the message" for a
// title, the rest of the message, the tool and the rule's documentation
// (when its host is allowed) for a body, a fingerprint when it is on a
// line of the diff.
func finding(r Result, d *diffparse.Diff, onLine bool) review.Finding {
	first, rest, _ := strings.Cut(r.Message, "\n")
	title := capRunes(strings.TrimSpace(first), 200)
	if title == "" {
		title = "finding"
	}
	if r.Rule != "" {
		title = r.Rule + ": " + title
	}
	credit := "_Reported by " + r.Tool
	if r.Rule != "" {
		credit += " (rule " + r.Rule
		if review.LinkAllowed(r.Help) {
			credit += ", [documentation](" + r.Help + ")"
		}
		credit += ")"
	}
	body := strings.TrimSpace(strings.TrimSpace(rest) + "\n\n" + credit + "._")
	f := review.Finding{
		Path: r.Path, Side: diffparse.New, Line: r.Line, Severity: r.Severity, Category: r.Tool,
		Title: title, Body: body, Tool: r.Tool, Rule: r.Rule, Help: r.Help,
	}
	if onLine {
		_, l := d.File(r.Path).LineAt(diffparse.New, r.Line)
		f.Fingerprint = review.Fingerprint(f, l.Text)
	}
	return f
}

// worstFirst sorts findings by severity, then place.
func worstFirst(fs []review.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line
	})
}
