package xref

import (
	"bytes"
	"strings"
)

// isWordByte reports whether b can be part of an identifier. Bytes of
// multi-byte UTF-8 characters count, so a non-ASCII identifier is one
// word.
func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// ident is an identifier on a changed line.
type ident struct {
	name   string
	member bool // after ".", "->" or "::": a method or a field
	call   bool // before "(": called
}

// idents lists the identifiers of a line's code, string literals and
// comments left out, keywords and names shorter than three bytes too.
func idents(line string, l *language) []ident {
	c := code(line, l)
	var out []ident
	for i := 0; i < len(c); {
		if !isWordByte(c[i]) {
			i++
			continue
		}
		j := i
		for j < len(c) && isWordByte(c[j]) {
			j++
		}
		name := c[i:j]
		if len(name) >= 3 && !(name[0] >= '0' && name[0] <= '9') && !l.keywords[name] {
			before := strings.TrimRight(c[:i], " \t")
			after := strings.TrimLeft(c[j:], " \t")
			out = append(out, ident{
				name:   name,
				member: strings.HasSuffix(before, ".") || strings.HasSuffix(before, "->") || strings.HasSuffix(before, "::"),
				call:   strings.HasPrefix(after, "("),
			})
		}
		i = j
	}
	return out
}

// code returns line with its string literals blanked and a trailing
// comment cut: an approximation, one line at a time (a string or a
// comment spanning lines is read as code).
func code(line string, l *language) string {
	t := strings.TrimSpace(line)
	if l.isComment(t) {
		return ""
	}
	b := []byte(line)
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(b) {
				b[i], b[i+1] = ' ', ' '
				i++
				continue
			}
			if c == quote {
				quote = 0
				continue
			}
			b[i] = ' '
		case strings.IndexByte(l.quotes, c) >= 0:
			quote = c
		case startsComment(b[i:], l):
			return string(b[:i])
		}
	}
	return string(b)
}

// startsComment reports whether a trailing comment starts at b.
func startsComment(b []byte, l *language) bool {
	for _, c := range l.comments {
		if c == "*" || c == "/*" {
			continue // they mark comment lines; "*" within a line multiplies
		}
		if bytes.HasPrefix(b, []byte(c)) {
			return true
		}
	}
	return false
}

// splitLines splits a file into lines without terminators.
func splitLines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// indentOf is a line's indentation in columns (a tab counts 4).
func indentOf(line string) int {
	n := 0
	for _, c := range line {
		switch c {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}
