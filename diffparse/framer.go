package diffparse

import (
	"bufio"
	"bytes"
	"fmt"
)

// The framer reads the diff line by line and decides where files and hunks
// start and end. It trusts hunk header counts, as git apply does, which
// go-diff does not: go-diff ends a hunk at the first line that does not look
// like a hunk line, so a removed "-- x" line followed by an added "++ y"
// line and another hunk turns into a phantom file, blank lines after a diff
// become context lines, and a truncated hunk passes silently. Each complete
// hunk is then handed to go-diff on its own (see hunk.go), which keeps
// go-diff's lookahead inside one hunk.

type state uint8

const (
	stOutside  state = iota // before the first file or after a "diff" line git did not write: preamble, junk
	stHeader                // after "diff --git", before "---" or the first hunk
	stPlus                  // after "---", expecting "+++"
	stBody                  // after "+++" or a hunk: expecting "@@", the next file, or the end
	stHunk                  // inside a hunk
	stCombined              // inside an unsupported "diff --cc" file
	stTrailer               // after a format-patch signature "-- ", until the next "diff "
)

type parser struct {
	emit   func(*File) error
	opts   ReadOptions
	st     state
	lineNo int
	f      *File
	fb     fileState
	h      hunkState
	buf    []byte // the current hunk's lines, as handed to go-diff
	rd     bytes.Reader
	br     *bufio.Reader

	// With the whole diff in memory (Parse), a hunk is handed to go-diff
	// as src[hunkStart:hunkEnd] without copying, unless a line had to be
	// normalised; the current line is src[lineStart:lineEnd].
	src                []byte
	lineStart, lineEnd int
	direct             bool
	hunkStart, hunkEnd int
}

// fileState is what the framer knows about the current file beyond File.
type fileState struct {
	git, plain           bool
	gitArgs              string // arguments of the "diff --git" line
	minus, plus          string // rest of the "--- " and "+++ " lines
	hasMinus, hasPlus    bool
	renameFrom, renameTo string
	copyFrom, copyTo     string
	newFile, deleted     bool
	hunks                int  // hunks seen, kept or not
	keptBytes            int  // hunk bytes kept, for ReadOptions.MaxFileBytes
	oldEnd, newEnd       int  // end of the last non-empty hunk range per side
	eofOld, eofNew       bool // a hunk ended that side without a newline
}

// hunkState tracks the hunk being read.
type hunkState struct {
	oldStart, oldCount, newStart, newCount int
	oldLeft, newLeft                       int
	lines                                  int  // body lines so far, markers excluded
	last                                   byte // prefix of the previous body line, 0 before the first
	noNLOld, noNLNew                       int  // index of the line a "\ No newline" marker ends, -1 if none
	startLine                              int
}

func newParser(opts ReadOptions, emit func(*File) error) *parser {
	p := &parser{emit: emit, opts: opts}
	p.br = bufio.NewReaderSize(&p.rd, 64<<10)
	return p
}

// line consumes one line of the diff, without its "\n".
func (p *parser) line(l []byte) error {
	p.lineNo++
	if p.st == stHunk {
		if p.h.oldLeft > 0 || p.h.newLeft > 0 || (len(l) > 0 && l[0] == '\\') {
			return p.hunkLine(l)
		}
		if err := p.finishHunk(); err != nil {
			return err
		}
		p.st = stBody
	}
	return p.headerLine(l)
}

// end finishes the diff.
func (p *parser) end() error {
	if p.st == stHunk {
		if p.h.oldLeft > 0 || p.h.newLeft > 0 {
			return p.fail(p.fb.hunks, "the diff ends inside the hunk: %d old and %d new lines missing", p.h.oldLeft, p.h.newLeft)
		}
		if err := p.finishHunk(); err != nil {
			return err
		}
		p.st = stBody
	}
	return p.finishFile()
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

func (p *parser) headerLine(l []byte) error {
	t := l
	if n := len(t); n > 0 && t[n-1] == '\r' {
		t = t[:n-1]
	}
	if hasPrefix(t, "diff ") {
		if err := p.finishFile(); err != nil {
			return err
		}
		switch {
		case hasPrefix(t, "diff --git "):
			p.startFile()
			p.fb.git = true
			p.fb.gitArgs = string(t[len("diff --git "):])
			p.st = stHeader
		case hasPrefix(t, "diff --cc "), hasPrefix(t, "diff --combined "):
			p.startFile()
			_, arg, _ := bytes.Cut(t[len("diff --"):], []byte(" "))
			name := unquote(string(arg))
			p.f.OldPath, p.f.NewPath, p.f.Status = name, name, StatusCombined
			p.st = stCombined
			if name == "" {
				return p.fail(0, "%q names no file", truncate(string(t), 60))
			}
		default:
			p.st = stOutside
		}
		return nil
	}
	switch p.st {
	case stCombined, stTrailer:
		return nil
	case stOutside:
		switch {
		case hasPrefix(t, "--- "):
			p.startFile()
			p.fb.plain = true
			p.setMinus(t)
		case hasPrefix(t, "@@ "):
			return p.fail(0, "hunk header %q without a file header", truncate(string(t), 60))
		}
		return nil
	case stHeader:
		switch {
		case hasPrefix(t, "--- "):
			p.setMinus(t)
		case hasPrefix(t, "@@ "):
			return p.startHunk(t)
		default:
			p.extended(t)
		}
		return nil
	case stPlus:
		if hasPrefix(t, "+++ ") {
			p.fb.plus, p.fb.hasPlus = string(t[4:]), true
			p.st = stBody
			return nil
		}
		if p.fb.plain { // a "--- " line in free text, not a file header
			p.f, p.st = nil, stOutside
			return p.headerLine(l)
		}
		return p.fail(0, "%q is not followed by a \"+++ \" line", truncate("--- "+p.fb.minus, 60))
	case stBody:
		switch {
		case hasPrefix(t, "@@ "):
			return p.startHunk(t)
		case hasPrefix(t, "--- "):
			if err := p.finishFile(); err != nil {
				return err
			}
			p.startFile()
			p.fb.plain = true
			p.setMinus(t)
		case len(t) == 0:
			// Blank lines between or after files (mail, copy and paste).
		case string(t) == "-- " || string(t) == "--":
			// git format-patch signature: the rest until the next
			// "diff " is the version line and the next mail.
			if err := p.finishFile(); err != nil {
				return err
			}
			p.st = stTrailer
		case t[0] == '+' || t[0] == '-' || t[0] == ' ' || t[0] == '\\':
			return p.fail(p.fb.hunks, "line %q after the end of the hunk: the hunk has more lines than its header counts", truncate(string(t), 60))
		}
		return nil
	}
	return nil
}

func (p *parser) setMinus(t []byte) {
	p.fb.minus, p.fb.hasMinus = string(t[4:]), true
	p.st = stPlus
}

func (p *parser) startFile() {
	p.f = &File{}
	p.fb = fileState{}
}

func (p *parser) startHunk(t []byte) error {
	n := p.fb.hunks + 1
	p.fb.hunks = n
	hh, ok := parseHunkHeader(t)
	if !ok {
		return p.fail(n, "bad hunk header %q", truncate(string(t), 80))
	}
	if (hh.oldCount > 0 && hh.oldStart == 0) || (hh.newCount > 0 && hh.newStart == 0) {
		return p.fail(n, "hunk header %q starts at line 0", truncate(string(t), 80))
	}
	if hh.oldCount > 0 {
		if hh.oldStart < p.fb.oldEnd || p.fb.eofOld {
			return p.fail(n, "hunk %q overlaps or precedes the previous one on the old side", truncate(string(t), 80))
		}
		p.fb.oldEnd = hh.oldStart + hh.oldCount
	}
	if hh.newCount > 0 {
		if hh.newStart < p.fb.newEnd || p.fb.eofNew {
			return p.fail(n, "hunk %q overlaps or precedes the previous one on the new side", truncate(string(t), 80))
		}
		p.fb.newEnd = hh.newStart + hh.newCount
	}
	p.h = hunkState{
		oldStart: hh.oldStart, oldCount: hh.oldCount, newStart: hh.newStart, newCount: hh.newCount,
		oldLeft: hh.oldCount, newLeft: hh.newCount,
		noNLOld: -1, noNLNew: -1, startLine: p.lineNo,
	}
	p.buf = p.buf[:0]
	if p.src != nil {
		p.direct = true
		p.hunkStart, p.hunkEnd = p.lineStart, p.lineEnd
	} else {
		p.direct = false
		p.buf = append(append(p.buf, t...), '\n')
	}
	p.st = stHunk
	return nil
}

// hunkBytes is the current hunk as read so far.
func (p *parser) hunkBytes() []byte {
	if p.direct {
		return p.src[p.hunkStart:p.hunkEnd]
	}
	return p.buf
}

func (p *parser) hunkLine(l []byte) error {
	h := &p.h
	c := byte(' ')
	// An empty context line whose leading space was stripped (by an
	// editor or a mail client): go-diff takes "" but not "\r", so the
	// space is put back for both.
	normalise := len(l) == 0 || (len(l) == 1 && l[0] == '\r')
	if !normalise {
		c = l[0]
	}
	switch c {
	case ' ', '-', '+':
		if h.noNLNew >= 0 || (h.noNLOld >= 0 && c != '+') {
			return p.fail(p.fb.hunks, "line %q after \"\\ No newline at end of file\" on its side", truncate(string(l), 60))
		}
		switch {
		case c == ' ' && h.oldLeft > 0 && h.newLeft > 0:
			h.oldLeft--
			h.newLeft--
		case c == '-' && h.oldLeft > 0:
			h.oldLeft--
		case c == '+' && h.newLeft > 0:
			h.newLeft--
		default:
			return p.fail(p.fb.hunks, "line %q is one more %s line than the hunk header -%d,%d +%d,%d counts",
				truncate(string(l), 60), map[byte]string{' ': "context", '-': "removed", '+': "added"}[c],
				h.oldStart, h.oldCount, h.newStart, h.newCount)
		}
		h.last = c
		h.lines++
	case '\\':
		switch h.last {
		case '-':
			h.noNLOld = h.lines - 1
		case '+':
			h.noNLNew = h.lines - 1
		case ' ':
			h.noNLOld, h.noNLNew = h.lines-1, h.lines-1
		default:
			return p.fail(p.fb.hunks, "%q before any line of the hunk", truncate(string(l), 60))
		}
	default:
		return p.fail(p.fb.hunks, "the hunk ends early at %q: %d old and %d new lines missing", truncate(string(l), 60), h.oldLeft, h.newLeft)
	}
	if p.f.Truncated {
		return nil
	}
	switch {
	case p.direct && !normalise:
		p.hunkEnd = p.lineEnd
	case p.direct:
		p.buf = append(p.buf[:0], p.src[p.hunkStart:p.hunkEnd]...)
		p.direct = false
		fallthrough
	default:
		if normalise {
			p.buf = append(p.buf, ' ')
		}
		p.buf = append(append(p.buf, l...), '\n')
	}
	if lim := p.opts.MaxFileBytes; lim > 0 && p.fb.keptBytes+len(p.hunkBytes()) > lim {
		p.f.Truncated = true
		p.buf, p.direct = p.buf[:0], false
	}
	return nil
}

func (p *parser) finishHunk() error {
	if p.f.Truncated {
		return nil
	}
	h, err := p.buildHunk()
	if err != nil {
		return &ParseError{File: p.path(), Hunk: p.fb.hunks, Line: p.h.startLine, Err: err}
	}
	p.f.Hunks = append(p.f.Hunks, h)
	p.fb.keptBytes += len(p.hunkBytes())
	p.fb.eofOld = p.fb.eofOld || h.NoNewlineOld
	p.fb.eofNew = p.fb.eofNew || h.NoNewlineNew
	return nil
}

func (p *parser) finishFile() error {
	f := p.f
	if f == nil {
		return nil
	}
	p.f = nil
	if p.st == stPlus {
		if p.fb.plain {
			return nil
		}
		p.f = f // for the error's path
		return p.fail(0, "%q is not followed by a \"+++ \" line", truncate("--- "+p.fb.minus, 60))
	}
	if f.Status != StatusCombined {
		if err := p.resolve(f); err != nil {
			p.f = f
			return err
		}
	}
	return p.emit(f)
}

func (p *parser) fail(hunk int, format string, args ...any) error {
	return &ParseError{File: p.path(), Hunk: hunk, Line: p.lineNo,
		Err: fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
