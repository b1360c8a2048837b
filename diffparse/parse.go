package diffparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
)

// ParseError reports a diff that could not be parsed, naming the file (and
// hunk, when known) where parsing stopped.
type ParseError struct {
	File string // path of the file being parsed, "" if unknown
	Hunk int    // 1-based hunk index within the file, 0 if unknown
	Line int    // 1-based line of the diff text where parsing stopped, 0 if unknown
	Err  error
}

func (e *ParseError) Error() string {
	at := ""
	if e.Line > 0 {
		at = fmt.Sprintf(" (diff line %d)", e.Line)
	}
	switch {
	case e.File != "" && e.Hunk > 0:
		return fmt.Sprintf("diff of %s, hunk %d%s: %v", e.File, e.Hunk, at, e.Err)
	case e.File != "":
		return fmt.Sprintf("diff of %s%s: %v", e.File, at, e.Err)
	}
	return fmt.Sprintf("diff%s: %v", at, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

var (
	// ErrMalformed is wrapped by every *ParseError about diff text that
	// breaks the unified diff format: a hunk shorter or longer than its
	// header says, a bad hunk header, hunks out of order, a file without a
	// path.
	ErrMalformed = errors.New("malformed diff")
	// ErrParserPanic is wrapped by a *ParseError when go-diff panicked.
	ErrParserPanic = errors.New("diff parser panicked")
)

// Parse parses a multi-file unified diff as produced by git or by
// Bitbucket's diff endpoint. Errors are *ParseError; a panic inside the
// underlying parser becomes one too. It keeps no reference to data. For very
// large diffs use ParseReader, which holds one file at a time.
func Parse(data []byte) (*Diff, error) {
	var files []*File
	p := newParser(ReadOptions{}, func(f *File) error {
		files = append(files, f)
		return nil
	})
	p.src = data
	for off := 0; off < len(data); {
		p.lineStart = off
		line := data[off:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
			off += i + 1
		} else {
			off = len(data)
		}
		p.lineEnd = off
		if err := p.line(line); err != nil {
			return nil, err
		}
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return NewDiff(files), nil
}

// ReadOptions tune ParseReaderOptions. The zero value sets no limits.
type ReadOptions struct {
	// MaxFileBytes, when positive, bounds the hunk text kept per file: the
	// hunk that would exceed it and all later hunks of that file are
	// checked and counted but dropped, and File.Truncated is set.
	MaxFileBytes int
	// MaxBytes, when positive, is how much of the diff is read: the files
	// complete within it reach fn, the file it cuts and all later ones do
	// not, and ParseReaderOptions returns an error wrapping ErrTruncated.
	MaxBytes int64
}

// ParseReader parses a multi-file diff from r file by file and calls fn with
// each file as soon as it is complete, so memory stays bounded by the
// largest file rather than the whole diff. An error from fn stops parsing
// and is returned unchanged; parse errors are *ParseError, read errors are
// wrapped.
//
// Files reach fn in diff order and are identical to the ones Parse returns.
// Errors from fetching the diff (for example Bitbucket's 555 "diff too
// large") are the caller's to report; ParseReader only sees the bytes.
func ParseReader(r io.Reader, fn func(*File) error) error {
	return ParseReaderOptions(r, ReadOptions{}, fn)
}

// ParseReaderOptions is ParseReader with options.
func ParseReaderOptions(r io.Reader, opts ReadOptions, fn func(*File) error) error {
	p := newParser(opts, fn)
	if opts.MaxBytes > 0 {
		r = &limitReader{r: r, left: opts.MaxBytes}
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // a line longer than br's buffer
	for {
		chunk, err := br.ReadSlice('\n')
		switch {
		case err == bufio.ErrBufferFull:
			long = append(long, chunk...)
			continue
		case err != nil && err != io.EOF:
			return fmt.Errorf("read diff: %w", err)
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			if perr := p.line(line); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			return p.end()
		}
	}
}

// Stream is ParseReader as an iterator. Iteration stops after the first
// error, which is yielded with a nil file.
func Stream(r io.Reader) iter.Seq2[*File, error] {
	return func(yield func(*File, error) bool) {
		stop := errors.New("stop")
		err := ParseReader(r, func(f *File) error {
			if !yield(f, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yield(nil, err)
		}
	}
}
