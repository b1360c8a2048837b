package review

import (
	"errors"
	"strings"
)

// The pull request description's summary: bitreview writes the overview
// and the linked issues between two hidden markers, where the author put
// "@bitreview summary" (or at the end, DESCRIPTION_SUMMARY=append), and on
// later runs replaces only what is between them. The author's text
// outside the markers is never changed, byte for byte.

// The markers around the description's summary. They are Markdown link
// reference definitions: invisible when rendered, like the summary
// comment's markers.
const (
	DescriptionStart = "[//]: # (bitreview:description-start)"
	DescriptionEnd   = "[//]: # (bitreview:description-end)"
)

// ErrDescriptionMarkers is a description whose markers are not one start
// followed by one end (an edit cut them): it is left alone.
var ErrDescriptionMarkers = errors.New("the description's bitreview markers are damaged (not one start followed by one end), so it is left as it is; delete both marker lines, or restore them")

// RenderDescriptionSummary renders the block written into the description:
// the walkthrough's overview and the linked-issues table, between the
// markers. It holds nothing that changes from run to run by itself (no
// commit range, no counts of calls), so an unchanged review writes
// nothing.
func RenderDescriptionSummary(res *Result) string {
	var b strings.Builder
	b.WriteString(DescriptionStart + "\n**bitreview summary**\n\n")
	if s := Sanitize(res.Summary); s != "" {
		b.WriteString(s + "\n\n")
	}
	writeLinkedIssues(&b, res.Linked)
	if res.Summary == "" && len(res.Linked) == 0 {
		b.WriteString("_Nothing to summarise yet._\n\n")
	}
	b.WriteString(DescriptionEnd)
	return capComment(b.String(), maxCommentChars)
}

// StripDescriptionSummary is desc without bitreview's block (markers
// included), so that bitreview's own words are neither linked nor fed
// back to the model as the author's description. A description with
// damaged markers is returned as it is.
func StripDescriptionSummary(desc string) string {
	i, j := strings.Index(desc, DescriptionStart), strings.Index(desc, DescriptionEnd)
	if i < 0 || j < i || strings.Count(desc, DescriptionStart) != 1 || strings.Count(desc, DescriptionEnd) != 1 {
		return desc
	}
	return desc[:i] + desc[j+len(DescriptionEnd):]
}

// FillDescription returns desc with block in place: between the markers
// of an earlier run, else instead of the placeholder that at finds (the
// source range of "@bitreview summary"), else, with appendBlock, after
// the description. It returns desc itself when there is nowhere to put
// the block, and ErrDescriptionMarkers (with desc) when the markers are
// damaged.
func FillDescription(desc, block string, appendBlock bool, at func(string) (int, int, bool)) (string, error) {
	starts, ends := strings.Count(desc, DescriptionStart), strings.Count(desc, DescriptionEnd)
	switch {
	case starts == 1 && ends == 1:
		i, j := strings.Index(desc, DescriptionStart), strings.Index(desc, DescriptionEnd)
		if j < i {
			return desc, ErrDescriptionMarkers
		}
		return desc[:i] + block + desc[j+len(DescriptionEnd):], nil
	case starts != 0 || ends != 0:
		return desc, ErrDescriptionMarkers
	}
	if i, j, ok := at(desc); ok {
		return desc[:i] + block + desc[j:], nil
	}
	if !appendBlock {
		return desc, nil
	}
	if strings.TrimSpace(desc) == "" {
		return block, nil
	}
	return strings.TrimRight(desc, " \t\r\n") + "\n\n" + block, nil
}
