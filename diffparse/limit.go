package diffparse

import (
	"errors"
	"io"
)

// ErrTruncated is wrapped by the error ParseReaderOptions returns when the
// diff is longer than ReadOptions.MaxBytes.
var ErrTruncated = errors.New("diff is longer than the byte limit")

// Read says how much of a diff ReadAll or ParseFrom read.
type Read struct {
	Bytes int64 // bytes read, at most ReadOptions.MaxBytes
	// Cut is true when the diff is longer than ReadOptions.MaxBytes: only
	// the files complete within the limit were read.
	Cut bool
	// LastRead is the path of the last file read, "" when none was.
	LastRead string
	// ListErr is set by a caller that names the files after a cut from a
	// file listing (adding them as NotRead files) when the listing failed.
	ListErr error
}

// errStopped is what a ParseFrom writer's Write returns once parsing has
// stopped.
var errStopped = errors.New("diffparse: parsing stopped")

// ReadAll parses the diff r yields, with opts, and returns its files. When
// the diff is longer than opts.MaxBytes, d holds the files complete within
// the limit, read.Cut is true and err is nil: the file the limit cut (which
// might have had more hunks after it) and all later ones are left out, so
// every file returned is exactly what Parse would return for it.
func ReadAll(r io.Reader, opts ReadOptions) (d *Diff, read Read, err error) {
	cr := &countingReader{r: r}
	var files []*File
	err = ParseReaderOptions(cr, opts, func(f *File) error {
		files = append(files, f)
		return nil
	})
	read.Bytes = cr.n
	switch {
	case errors.Is(err, ErrTruncated):
		read.Cut, read.Bytes = true, opts.MaxBytes // not the byte that showed there was more
	case err != nil:
		return nil, read, err
	}
	if len(files) > 0 {
		read.LastRead = files[len(files)-1].Path()
	}
	return NewDiff(files), read, nil
}

// ParseFrom is ReadAll for a diff that is written rather than read, such
// as an HTTP client copying a response body into an io.Writer: write runs
// in its own goroutine, writing into a pipe that ReadAll parses, so the
// diff is parsed as it arrives and never held whole. Once parsing stops
// (the limit is reached, or the diff is malformed) write's next Write
// fails, which ends a download early. An error of write's own (a failed
// request) is returned in preference to the parse error it causes.
func ParseFrom(write func(w io.Writer) error, opts ReadOptions) (d *Diff, read Read, err error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		werr := write(pw)
		pw.CloseWithError(werr) // nil: the reader sees io.EOF
		done <- werr
	}()
	d, read, err = ReadAll(pr, opts)
	pr.CloseWithError(errStopped)
	werr := <-done
	switch {
	case werr != nil && !errors.Is(werr, errStopped):
		return nil, read, werr
	case err != nil:
		return nil, read, err
	}
	return d, read, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// limitReader reads at most left bytes of r, then reports ErrTruncated if
// r has more, or r's own io.EOF.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var probe [1]byte
		for {
			n, err := l.r.Read(probe[:])
			switch {
			case n > 0:
				return 0, ErrTruncated
			case err != nil:
				return 0, err
			}
		}
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
