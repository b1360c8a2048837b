package review

import (
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/bitreview/bitreview/diffparse"
)

// PathInstruction is extra guidance for files matching Glob, from the
// repository's config on the destination branch.
type PathInstruction struct {
	Glob string
	Text string
}

// Guideline is a repository document (CONTRIBUTING.md, AGENTS.md…) read
// from the destination branch and given to the reviewer as context.
type Guideline struct {
	Name string
	Text string
}

// Bounds on what repository documents add to every prompt.
const (
	maxGuidelineBytes = 16 << 10
	maxGuidelinesAll  = 32 << 10
)

// repoInstructions renders the instructions that apply to files, and the
// guidelines, for the system prompt. They come from the destination
// branch, which the PR cannot change, so they sit with our instructions.
func repoInstructions(files []*diffparse.File, ins []PathInstruction, guides []Guideline) string {
	var b strings.Builder
	var lines []string
	for _, in := range ins {
		var matched []string
		for _, f := range files {
			if ok, _ := doublestar.Match(in.Glob, f.Path()); ok {
				matched = append(matched, f.Path())
			}
		}
		if len(matched) > 0 {
			lines = append(lines, fmt.Sprintf("- For %s (%s): %s", in.Glob, strings.Join(matched, ", "), oneLine(in.Text)))
		}
	}
	if len(lines) > 0 {
		b.WriteString("\nRepository instructions from the maintainers (.bitreview.yaml on the target branch):\n")
		b.WriteString(strings.Join(lines, "\n"))
		b.WriteString("\n")
	}
	budget := maxGuidelinesAll
	for _, g := range guides {
		text := g.Text
		if len(text) > maxGuidelineBytes {
			text = text[:maxGuidelineBytes] + "\n[… cut]"
		}
		if len(text) > budget {
			break
		}
		budget -= len(text)
		fmt.Fprintf(&b, "\nRepository guideline %s (target branch), for context:\n<guideline name=%q>\n%s\n</guideline>\n", g.Name, g.Name, strings.ReplaceAll(text, "</guideline", "<\\/guideline"))
	}
	return b.String()
}
