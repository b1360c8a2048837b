package diffparse

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	godiff "github.com/sourcegraph/go-diff/diff"
)

// ParseError reports a diff that could not be parsed, naming the file (and
// hunk, when known) where parsing stopped.
type ParseError struct {
	File string // path of the file being parsed, "" if unknown
	Hunk int    // 1-based hunk index within the file, 0 if unknown
	Err  error
}

func (e *ParseError) Error() string {
	switch {
	case e.File != "" && e.Hunk > 0:
		return fmt.Sprintf("diff of %s, hunk %d: %v", e.File, e.Hunk, e.Err)
	case e.File != "":
		return fmt.Sprintf("diff of %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("diff: %v", e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse parses a multi-file unified diff as produced by git or by
// Bitbucket's diff endpoint. A panic inside the underlying parser is turned
// into a *ParseError.
func Parse(data []byte) (d *Diff, err error) {
	var fds []*godiff.FileDiff
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = &ParseError{Err: fmt.Errorf("parser panic: %v", r)}
			}
		}()
		fds, err = godiff.ParseMultiFileDiff(data)
	}()
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, &ParseError{Err: err}
	}
	files := make([]*File, 0, len(fds))
	for _, fd := range fds {
		f, err := convertFile(fd)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return newDiff(files), nil
}

func convertFile(fd *godiff.FileDiff) (*File, error) {
	f := &File{OldPath: stripPrefix(fd.OrigName, "a/"), NewPath: stripPrefix(fd.NewName, "b/")}
	readExtended(f, fd.Extended)
	switch {
	case f.Status != "":
	case f.OldPath == "" && f.NewPath != "":
		f.Status = StatusAdded
	case f.NewPath == "" && f.OldPath != "":
		f.Status = StatusDeleted
	case f.OldPath != f.NewPath:
		f.Status = StatusRenamed
	default:
		f.Status = StatusModified
	}
	for i, gh := range fd.Hunks {
		h, err := convertHunk(gh)
		if err != nil {
			return nil, &ParseError{File: f.Path(), Hunk: i + 1, Err: err}
		}
		f.Hunks = append(f.Hunks, h)
	}
	return f, nil
}

// readExtended reads the git extended header lines that go-diff keeps as
// plain strings: file modes, renames, copies, binary markers, and the paths
// of the "diff --git" line when go-diff left the names empty.
func readExtended(f *File, ext []string) {
	for _, line := range ext {
		switch {
		case strings.HasPrefix(line, "diff --git "):
			if f.OldPath == "" && f.NewPath == "" {
				f.OldPath, f.NewPath = gitLinePaths(strings.TrimPrefix(line, "diff --git "))
			}
		case strings.HasPrefix(line, "new file mode "):
			f.Status, f.NewMode, f.OldPath = StatusAdded, strings.TrimPrefix(line, "new file mode "), ""
		case strings.HasPrefix(line, "deleted file mode "):
			f.Status, f.OldMode, f.NewPath = StatusDeleted, strings.TrimPrefix(line, "deleted file mode "), ""
		case strings.HasPrefix(line, "old mode "):
			f.OldMode = strings.TrimPrefix(line, "old mode ")
		case strings.HasPrefix(line, "new mode "):
			f.NewMode = strings.TrimPrefix(line, "new mode ")
		case strings.HasPrefix(line, "similarity index "):
			f.Similarity, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "similarity index "), "%"))
		case strings.HasPrefix(line, "rename from "):
			f.Status, f.OldPath = StatusRenamed, unquote(strings.TrimPrefix(line, "rename from "))
		case strings.HasPrefix(line, "rename to "):
			f.Status, f.NewPath = StatusRenamed, unquote(strings.TrimPrefix(line, "rename to "))
		case strings.HasPrefix(line, "copy from "):
			f.Status, f.OldPath = StatusCopied, unquote(strings.TrimPrefix(line, "copy from "))
		case strings.HasPrefix(line, "copy to "):
			f.Status, f.NewPath = StatusCopied, unquote(strings.TrimPrefix(line, "copy to "))
		case strings.HasPrefix(line, "Binary files "), line == "GIT binary patch":
			f.Binary = true
		}
	}
}

// gitLinePaths splits the arguments of a "diff --git a/x b/x" line. With
// unquoted paths that contain spaces the split is ambiguous; git then writes
// the same path twice, which lets us split in the middle.
func gitLinePaths(args string) (oldPath, newPath string) {
	if strings.HasPrefix(args, `"`) {
		if o, rest, ok := cutQuoted(args); ok {
			return stripPrefix(o, "a/"), stripPrefix(unquote(strings.TrimSpace(rest)), "b/")
		}
	}
	if n := len(args); n%2 == 1 && args[n/2] == ' ' {
		return stripPrefix(args[:n/2], "a/"), stripPrefix(args[n/2+1:], "b/")
	}
	if i := strings.Index(args, " b/"); i >= 0 {
		return stripPrefix(args[:i], "a/"), stripPrefix(args[i+1:], "b/")
	}
	return "", ""
}

func cutQuoted(s string) (val, rest string, ok bool) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", "", false
			}
			return v, s[i+1:], true
		}
	}
	return "", "", false
}

func unquote(s string) string {
	if strings.HasPrefix(s, `"`) {
		if v, _, ok := cutQuoted(s); ok {
			return v
		}
	}
	return s
}

func stripPrefix(name, prefix string) string {
	if name == "/dev/null" {
		return ""
	}
	return strings.TrimPrefix(name, prefix)
}

func convertHunk(gh *godiff.Hunk) (*Hunk, error) {
	h := &Hunk{
		OldStart: int(gh.OrigStartLine), OldCount: int(gh.OrigLines),
		NewStart: int(gh.NewStartLine), NewCount: int(gh.NewLines),
		Section:      gh.Section,
		NoNewlineOld: gh.OrigNoNewlineAt > 0,
	}
	body := gh.Body
	if len(body) > 0 && body[len(body)-1] == '\n' {
		body = body[:len(body)-1]
	} else if len(body) > 0 && gh.OrigNoNewlineAt == 0 {
		// go-diff drops the newline before "\ No newline at end of file"
		// on the new side.
		h.NoNewlineNew = true
	}
	oldN, newN := h.OldStart, h.NewStart
	for len(body) > 0 || (len(h.Lines) == 0 && len(gh.Body) > 0) {
		var line []byte
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if len(line) == 0 {
			// An empty context line whose leading space was stripped.
			h.Lines = append(h.Lines, Line{Kind: Context, Old: oldN, New: newN})
			oldN++
			newN++
			continue
		}
		text := string(line[1:])
		switch line[0] {
		case ' ':
			h.Lines = append(h.Lines, Line{Kind: Context, Old: oldN, New: newN, Text: text})
			oldN++
			newN++
		case '+':
			h.Lines = append(h.Lines, Line{Kind: Added, New: newN, Text: text})
			newN++
		case '-':
			h.Lines = append(h.Lines, Line{Kind: Removed, Old: oldN, Text: text})
			oldN++
		case '\\':
			// "\ No newline at end of file" in a form go-diff did not remove.
		default:
			return nil, fmt.Errorf("line %q: unexpected prefix %q", truncate(string(line), 40), line[0])
		}
	}
	return h, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
