package command

import (
	"strings"
	"unicode/utf8"
)

// Goldmark, like most CommonMark parsers, takes quadratic time on some
// inputs (thousands of unmatched emphasis delimiters or link brackets,
// quotes nested thousands deep). A comment is therefore parsed only up to
// MaxScan bytes, cut at a paragraph boundary, and quote markers beyond
// maxQuoteDepth on a line are blanked; a mention further on is not seen.
const (
	// MaxScan is how much of a comment is searched for a mention.
	MaxScan       = 32 << 10
	maxQuoteDepth = 16
)

// scanned is the part of raw that is parsed: all of it up to MaxScan,
// else the text before the last blank line (so that no code span or
// inline HTML is cut open), else before the last line break.
func scanned(raw string) string {
	if len(raw) <= MaxScan {
		return raw
	}
	head := raw[:MaxScan]
	if i := strings.LastIndex(head, "\n\n"); i > 0 {
		return head[:i+1]
	}
	if i := strings.LastIndexByte(head, '\n'); i > 0 {
		return head[:i+1]
	}
	i := MaxScan
	for i > 0 && !utf8.RuneStart(raw[i]) {
		i--
	}
	return raw[:i]
}

// candidate reports whether raw contains the bot's name or one of its ids
// after an "@", ignoring case: without one there is nothing to parse.
func (p *Parser) candidate(raw string) bool {
	lower := strings.ToLower(raw)
	if p.name != "" && strings.Contains(lower, "@"+strings.ToLower(p.name)) {
		return true
	}
	for _, id := range p.ids {
		if strings.Contains(lower, "@"+strings.ToLower(id)) {
			return true
		}
	}
	return false
}

// flattenQuotes blanks the quote markers of a line beyond maxQuoteDepth
// (in place, keeping every offset): the line stays quoted.
func flattenQuotes(src []byte) {
	for start := 0; start < len(src); {
		end := start
		for end < len(src) && src[end] != '\n' {
			end++
		}
		depth := 0
		for i := start; i < end; i++ {
			c := src[i]
			if c == '>' {
				depth++
				if depth > maxQuoteDepth {
					src[i] = ' '
				}
				continue
			}
			if c != ' ' && c != '\t' {
				break
			}
		}
		start = end + 1
	}
}
