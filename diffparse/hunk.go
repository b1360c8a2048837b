package diffparse

import (
	"fmt"
	"io"
	"strings"
	"unsafe"

	godiff "github.com/sourcegraph/go-diff/diff"
)

type hunkHeader struct {
	oldStart, oldCount, newStart, newCount int
}

// parseHunkHeader reads "@@ -l[,s] +l[,s] @@[ section]", the form go-diff
// accepts, with unsigned numbers that fit go-diff's int32.
func parseHunkHeader(t []byte) (hunkHeader, bool) {
	var h hunkHeader
	if !hasPrefix(t, "@@ -") {
		return h, false
	}
	t = t[len("@@ -"):]
	var ok bool
	if h.oldStart, h.oldCount, t, ok = parseRange(t); !ok || !hasPrefix(t, " +") {
		return h, false
	}
	if h.newStart, h.newCount, t, ok = parseRange(t[2:]); !ok {
		return h, false
	}
	if string(t) != " @@" && !hasPrefix(t, " @@ ") {
		return h, false
	}
	return h, true
}

// parseRange reads "l" or "l,s" (s defaults to 1).
func parseRange(t []byte) (start, count int, rest []byte, ok bool) {
	if start, t, ok = parseNum(t); !ok {
		return
	}
	count = 1
	if len(t) > 0 && t[0] == ',' {
		if count, t, ok = parseNum(t[1:]); !ok {
			return
		}
	}
	return start, count, t, true
}

func parseNum(t []byte) (n int, rest []byte, ok bool) {
	i := 0
	for ; i < len(t) && '0' <= t[i] && t[i] <= '9'; i++ {
		n = n*10 + int(t[i]-'0')
		if n > 1<<31-1 {
			return 0, t, false
		}
	}
	return n, t[i:], i > 0
}

// readHunks is go-diff's hunk reader; tests replace it to inject panics.
var readHunks = func(r io.Reader) ([]*godiff.Hunk, error) {
	// KeepCR: the "\r" of CRLF lines is ours to interpret (Line.CRLF).
	return godiff.NewHunksReaderOptions(r, godiff.ParseOptions{KeepCR: true}).ReadAllHunks()
}

// goDiffHunk parses the framed hunk with go-diff. A panic inside
// go-diff becomes an error wrapping ErrParserPanic.
func (p *parser) goDiffHunk() (h *godiff.Hunk, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("%w: %v", ErrParserPanic, r)
		}
	}()
	p.rd.Reset(p.hunkBytes())
	p.br.Reset(&p.rd) // go-diff's bufio.NewReader reuses p.br: it is big enough
	hunks, err := readHunks(p.br)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(hunks) != 1 {
		return nil, fmt.Errorf("%w: go-diff read %d hunks where the framer saw one", ErrMalformed, len(hunks))
	}
	return hunks[0], nil
}

// buildHunk turns go-diff's hunk into Lines: every Text is a slice of the
// hunk's Body, so a hunk costs two allocations (Hunk, Lines) on top of
// go-diff's own.
func (p *parser) buildHunk() (*Hunk, error) {
	gh, err := p.goDiffHunk()
	if err != nil {
		return nil, err
	}
	hs := &p.h
	if int(gh.OrigStartLine) != hs.oldStart || int(gh.OrigLines) != hs.oldCount ||
		int(gh.NewStartLine) != hs.newStart || int(gh.NewLines) != hs.newCount {
		return nil, fmt.Errorf("%w: go-diff read the header as -%d,%d +%d,%d, want -%d,%d +%d,%d", ErrMalformed,
			gh.OrigStartLine, gh.OrigLines, gh.NewStartLine, gh.NewLines, hs.oldStart, hs.oldCount, hs.newStart, hs.newCount)
	}
	// Every Text is a slice of go-diff's Body, viewed as a string without
	// a copy: go-diff allocates a fresh Body per hunk and never touches it
	// after ReadAllHunks returns, and nothing here writes to it. Copying
	// instead costs about 3% more time and a 50 MB allocation per 50 MB of
	// diff, which decided the 1.5x budget (BENCHMARKS.md). The golden and
	// property tests compare every Text after the whole diff is parsed, so
	// a go-diff that reused its buffers would fail them.
	s := unsafe.String(unsafe.SliceData(gh.Body), len(gh.Body))
	h := &Hunk{
		OldStart: hs.oldStart, OldCount: hs.oldCount,
		NewStart: hs.newStart, NewCount: hs.newCount,
		Section:      gh.Section,
		Lines:        make([]Line, 0, hs.lines),
		NoNewlineOld: hs.noNLOld >= 0,
		NoNewlineNew: hs.noNLNew >= 0,
		size:         len(s),
	}
	oldN, newN := hs.oldStart, hs.newStart
	for len(s) > 0 {
		var raw string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			raw, s = s[:i], s[i+1:]
		} else {
			// go-diff drops the "\n" before a new-side "\ No newline".
			raw, s = s, ""
		}
		kind := Context
		if raw != "" {
			kind = Kind(raw[0])
			raw = raw[1:]
		}
		if kind == '\\' { // a marker go-diff did not recognise; the framer saw it
			continue
		}
		// The line before a "\ No newline" marker has no terminator, so a
		// "\r" at its end is content; on any other line it is half of CRLF.
		crlf := false
		if j := len(h.Lines); raw != "" && raw[len(raw)-1] == '\r' && j != hs.noNLOld && j != hs.noNLNew {
			raw, crlf = raw[:len(raw)-1], true
		}
		switch kind {
		case Context:
			h.Lines = append(h.Lines, Line{Kind: Context, CRLF: crlf, Old: oldN, New: newN, Text: raw})
			oldN++
			newN++
		case Added:
			h.Lines = append(h.Lines, Line{Kind: Added, CRLF: crlf, New: newN, Text: raw})
			newN++
		case Removed:
			h.Lines = append(h.Lines, Line{Kind: Removed, CRLF: crlf, Old: oldN, Text: raw})
			oldN++
		default:
			return nil, fmt.Errorf("%w: go-diff returned line %q with prefix %q", ErrMalformed, truncate(raw, 40), byte(kind))
		}
	}
	if len(h.Lines) != hs.lines || oldN-hs.oldStart != hs.oldCount || newN-hs.newStart != hs.newCount {
		return nil, fmt.Errorf("%w: go-diff returned %d lines (-%d +%d), the framer counted %d (-%d +%d)", ErrMalformed,
			len(h.Lines), oldN-hs.oldStart, newN-hs.newStart, hs.lines, hs.oldCount, hs.newCount)
	}
	return h, nil
}
