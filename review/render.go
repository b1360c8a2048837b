package review

import (
	"fmt"
	"path"
	"strings"
)

// SummaryInfo is what the publisher knows that the review does not.
type SummaryInfo struct {
	Version string   // bitreview version
	Range   string   // reviewed commit range, e.g. "abc123..def456"
	Posted  int      // inline comments present for this head
	Notes   []string // extra lines for the footer (incremental, posting errors)
}

var severityIcon = map[Severity]string{Critical: "🔴", High: "🟠", Medium: "🟡", Low: "🔵", Info: "⚪"}

// RenderComment renders an inline comment for f, with its fingerprint.
func RenderComment(f Finding) string {
	return RenderFinding(f) + "\n" + fpPrefix + f.Fingerprint + ")\n"
}

// RenderFinding renders f as RenderComment does, without the hidden
// fingerprint marker: for reading outside a pull request.
func RenderFinding(f Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s **%s", severityIcon[f.Severity], capitalise(f.Severity.String()))
	if f.Category != "" {
		fmt.Fprintf(&b, " · %s", f.Category)
	}
	fmt.Fprintf(&b, "** — %s\n\n", oneLine(Sanitize(f.Title)))
	if body := Sanitize(f.Body); body != "" {
		b.WriteString(body)
		b.WriteString("\n")
	}
	if s := strings.TrimRight(f.Suggestion, "\n"); s != "" && !strings.Contains(s, "```") {
		fmt.Fprintf(&b, "\n**Suggested change**\n```%s\n%s\n```\n", fenceLang(f.Path), stripMarkers(s))
	}
	return FinishComment(b.String())
}

// RenderSummary renders the one summary comment of a PR.
func RenderSummary(res *Result, info SummaryInfo, st State) string {
	return RenderReport(res, info) + "\n" + summaryMarker + "\n" + stateMarker(st) + "\n"
}

// RenderReport renders the summary as RenderSummary does, without the
// hidden markers that let later runs find and update it: for reading
// outside a pull request (bitreview review --format markdown).
func RenderReport(res *Result, info SummaryInfo) string {
	var b strings.Builder
	b.WriteString("## bitreview\n\n")
	b.WriteString(verdict(res, info))
	b.WriteString("\n\n")
	if s := Sanitize(res.Summary); s != "" {
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	writeLinkedIssues(&b, res.Linked)
	if len(res.Errors) > 0 {
		b.WriteString("### ⚠️ Review incomplete\n\n")
		for _, e := range res.Errors {
			fmt.Fprintf(&b, "- %s\n", oneLine(e))
		}
		b.WriteString("\n")
	}
	if len(res.Unanchored) > 0 {
		b.WriteString("### Findings not posted inline\n\n")
		for _, f := range res.Unanchored {
			fmt.Fprintf(&b, "- %s **%s** `%s:%d` — %s", severityIcon[f.Severity], f.Severity, f.Path, f.Line, oneLine(Sanitize(f.Title)))
			if f.Unanchored != "" {
				fmt.Fprintf(&b, " _(%s)_", f.Unanchored)
			}
			b.WriteString("\n")
			if body := oneLine(Sanitize(f.Body)); body != "" {
				fmt.Fprintf(&b, "  %s\n", body)
			}
		}
		b.WriteString("\n")
	}
	writeStatic(&b, res)
	writeWalkthrough(&b, res)
	if len(res.Skipped) > 0 {
		b.WriteString("### Not reviewed\n\n")
		for _, s := range res.Skipped {
			fmt.Fprintf(&b, "- `%s` — %s\n", s.Path, s.Reason)
		}
		b.WriteString("\n")
	}
	b.WriteString("---\n")
	var foot []string
	if info.Range != "" {
		foot = append(foot, "reviewed `"+info.Range+"`")
	}
	if res.Model != "" {
		foot = append(foot, "model `"+res.Model+"`")
	}
	if res.Usage.Calls > 0 {
		foot = append(foot, fmt.Sprintf("%d call(s), %d prompt + %d completion tokens", res.Usage.Calls, res.Usage.PromptTokens, res.Usage.CompletionTokens))
	}
	if res.CostUSD > 0 {
		foot = append(foot, fmt.Sprintf("≈ $%.4f", res.CostUSD))
	}
	if info.Version != "" {
		foot = append(foot, "bitreview "+info.Version)
	}
	fmt.Fprintf(&b, "_%s_\n", strings.Join(foot, " · "))
	if res.Triaged > 0 {
		info.Notes = append(info.Notes, fmt.Sprintf("%d file(s) with trivial changes got the walkthrough only.", res.Triaged))
	}
	for _, n := range append(res.Notes, info.Notes...) {
		fmt.Fprintf(&b, "\n_%s_\n", oneLine(n))
	}
	return FinishComment(b.String())
}

func verdict(res *Result, info SummaryInfo) string {
	n := len(res.Findings) + len(res.Unanchored)
	switch {
	case len(res.Errors) > 0 && res.Usage.Calls == 0 && n == 0:
		return "**⚠️ The review could not run.** No verdict for this change."
	case n == 0 && len(res.Errors) == 0:
		return "**✅ No issues found** in the reviewed files."
	}
	counts := map[Severity]int{}
	for _, f := range append(append([]Finding(nil), res.Findings...), res.Unanchored...) {
		counts[f.Severity]++
	}
	var parts []string
	for s := Critical; s >= Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	v := fmt.Sprintf("**%d finding(s)**", n)
	if len(parts) > 0 {
		v += " (" + strings.Join(parts, ", ") + ")"
	}
	if info.Posted > 0 {
		v += fmt.Sprintf(", %d as inline comments", info.Posted)
	}
	if res.HeldBack > 0 {
		v += fmt.Sprintf("; %d minor or duplicate note(s) held back", res.HeldBack)
	}
	return v + "."
}

func writeWalkthrough(b *strings.Builder, res *Result) {
	if len(res.Files) == 0 {
		return
	}
	b.WriteString("### Walkthrough\n\n| File | Change | Notes |\n|---|---|---|\n")
	for _, f := range res.Files {
		fmt.Fprintf(b, "| `%s` | %s +%d −%d | %s |\n", escapeCell(f.Path), f.Status, f.Added, f.Removed, escapeCell(oneLine(Sanitize(f.Note))))
	}
	b.WriteString("\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var langByExt = map[string]string{
	".go": "go", ".py": "python", ".js": "javascript", ".ts": "typescript", ".tsx": "tsx", ".jsx": "jsx",
	".java": "java", ".kt": "kotlin", ".rb": "ruby", ".rs": "rust", ".c": "c", ".h": "c", ".cpp": "cpp",
	".cs": "csharp", ".php": "php", ".sh": "bash", ".yml": "yaml", ".yaml": "yaml", ".json": "json",
	".sql": "sql", ".swift": "swift", ".scala": "scala", ".md": "markdown",
}

func fenceLang(p string) string { return langByExt[strings.ToLower(path.Ext(p))] }
