// Package termsafe makes untrusted text safe to print on a terminal or in
// a CI log: file names, pull request titles and model output can carry
// escape sequences (ESC]0;…BEL retitles the window, ESC[2J clears it, a
// raw 0x9b starts a sequence on 8-bit terminals), carriage returns that
// overwrite a line, and bidirectional overrides that make a name read
// differently from what it is.
//
// Nothing here parses escape sequences: removing the control characters
// that start and end them leaves their parameters as plain, harmless text.
// That is a few lines over the standard unicode tables, so no library is
// used for it.
package termsafe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s for a single-line field (a file name, a title): every
// control character removed, line breaks and tabs turned into spaces.
func Line(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return keep(r)
	}, s)
}

// Text returns s for multi-line output: newlines (CRLF and Unicode line
// separators become "\n") and tabs are kept, every other control
// character removed.
func Text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\t':
			return r
		case '\u2028', '\u2029':
			return '\n'
		}
		return keep(r)
	}, s)
}

// keep returns r, -1 to drop it, or U+FFFD for a byte that is not UTF-8
// (strings.Map passes such bytes as utf8.RuneError and writes the rune
// returned, so no raw 0x80–0xff byte survives).
func keep(r rune) rune {
	if dangerous(r) {
		return -1
	}
	return r
}

// dangerous reports C0 and C1 controls (ESC, BEL, CR, CSI 0x9b, …), DEL,
// and the invisible direction controls (LRM/RLM/ALM, embeddings,
// overrides, isolates).
func dangerous(r rune) bool {
	switch {
	case unicode.IsControl(r): // C0, DEL and C1
		return true
	case r == '\u200e', r == '\u200f', r == '\u061c':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// Safe reports whether s holds nothing Text would remove: no control
// character but newline and tab, no direction control, valid UTF-8.
func Safe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && dangerous(r) {
			return false
		}
	}
	return true
}

// JSON escapes, as \uXXXX, what Text would remove from an encoded JSON
// document: encoding/json already escapes C0 controls (and replaces
// invalid UTF-8), but writes DEL, C1 controls and direction overrides
// as they are. Outside strings JSON is ASCII, so every such rune is inside
// a string and the document keeps its meaning.
func JSON(doc []byte) []byte {
	var b strings.Builder
	b.Grow(len(doc))
	for _, r := range string(doc) {
		if r != '\n' && r != '\t' && dangerous(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}

// EncodeJSON writes v as an indented JSON document, HTML characters as
// they are, made safe to print (JSON): a consumer reads the exact values.
func EncodeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(JSON(b.Bytes()))
	return err
}

// Writer returns a writer that passes everything written through Text,
// for commands whose every line may carry a value from the network or a
// file. Each Write is cleaned on its own, so callers write whole messages
// (fmt.Fprintf does), never a multi-byte character in two writes. It
// reports len(p) written when the cleaned text was written in full.
func Writer(w io.Writer) io.Writer { return textWriter{w} }

type textWriter struct{ w io.Writer }

func (t textWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
