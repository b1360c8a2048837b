package diffparse

import (
	"bytes"
	"strconv"
	"strings"
)

// extended reads one git extended header line (go-diff keeps these as
// plain strings): file modes, renames, copies, binary markers. Lines of a
// "GIT binary patch" payload match nothing and are dropped.
func (p *parser) extended(t []byte) {
	f, fb := p.f, &p.fb
	switch {
	case hasPrefix(t, "old mode "):
		f.OldMode = string(t[len("old mode "):])
	case hasPrefix(t, "new mode "):
		f.NewMode = string(t[len("new mode "):])
	case hasPrefix(t, "new file mode "):
		f.NewMode, fb.newFile = string(t[len("new file mode "):]), true
	case hasPrefix(t, "deleted file mode "):
		f.OldMode, fb.deleted = string(t[len("deleted file mode "):]), true
	case hasPrefix(t, "similarity index "):
		f.Similarity, _ = strconv.Atoi(string(bytes.TrimSuffix(t[len("similarity index "):], []byte("%"))))
	case hasPrefix(t, "rename from "):
		fb.renameFrom = unquote(string(t[len("rename from "):]))
	case hasPrefix(t, "rename to "):
		fb.renameTo = unquote(string(t[len("rename to "):]))
	case hasPrefix(t, "copy from "):
		fb.copyFrom = unquote(string(t[len("copy from "):]))
	case hasPrefix(t, "copy to "):
		fb.copyTo = unquote(string(t[len("copy to "):]))
	case hasPrefix(t, "index "):
		// "index 1a2b..3c4d 100644": the mode is there only when it did
		// not change.
		if i := bytes.LastIndexByte(t, ' '); i > len("index") && f.OldMode == "" && f.NewMode == "" {
			f.OldMode = string(t[i+1:])
			f.NewMode = f.OldMode
		}
	case hasPrefix(t, "Binary files "), string(t) == "GIT binary patch":
		f.Binary = true
	}
}

// names works out the file's paths: from the "rename/copy from/to" lines,
// else the "---"/"+++" lines, else the "diff --git" line (go-diff leaves
// the names empty for mode-only changes and mode+binary changes).
func (p *parser) names() (oldPath, newPath string) {
	fb := &p.fb
	switch {
	case fb.hasMinus && fb.hasPlus:
		oldPath, newPath = stripAB(headerName(fb.minus), headerName(fb.plus))
	case fb.git:
		oldPath, newPath = gitLinePaths(fb.gitArgs)
	}
	if fb.renameFrom != "" {
		oldPath = fb.renameFrom
	}
	if fb.renameTo != "" {
		newPath = fb.renameTo
	}
	if fb.copyFrom != "" {
		oldPath = fb.copyFrom
	}
	if fb.copyTo != "" {
		newPath = fb.copyTo
	}
	if fb.newFile {
		oldPath = ""
	}
	if fb.deleted {
		newPath = ""
	}
	return oldPath, newPath
}

// path is the best name for the current file, for error messages.
func (p *parser) path() string {
	if p.f == nil {
		return ""
	}
	if p.f.Status == StatusCombined {
		return p.f.NewPath
	}
	o, n := p.names()
	if n != "" {
		return n
	}
	return o
}

// resolve sets the paths, status and kind flags of a finished file.
func (p *parser) resolve(f *File) error {
	fb := &p.fb
	f.OldPath, f.NewPath = p.names()
	if f.OldPath == "" && f.NewPath == "" {
		return p.fail(0, "cannot tell the file's path from %q", truncate("diff --git "+fb.gitArgs, 80))
	}
	switch {
	case fb.newFile || f.OldPath == "":
		f.Status = StatusAdded
	case fb.deleted || f.NewPath == "":
		f.Status = StatusDeleted
	case fb.renameFrom != "" || fb.renameTo != "":
		f.Status = StatusRenamed
	case fb.copyFrom != "" || fb.copyTo != "":
		f.Status = StatusCopied
	case f.OldPath != f.NewPath:
		f.Status = StatusRenamed
	case fb.hunks == 0 && !f.Binary && f.ModeChanged():
		f.Status = StatusModeChanged
	default:
		f.Status = StatusModified
	}
	f.Submodule = f.OldMode == ModeSubmodule || f.NewMode == ModeSubmodule ||
		(f.OldMode == "" && f.NewMode == "" && subprojectOnly(f))
	f.Symlink = f.OldMode == ModeSymlink || f.NewMode == ModeSymlink
	return nil
}

// subprojectOnly reports a plain diff of a gitlink: every line is
// "Subproject commit <sha>".
func subprojectOnly(f *File) bool {
	n := 0
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if !strings.HasPrefix(l.Text, "Subproject commit ") {
				return false
			}
			n++
		}
	}
	return n > 0
}

// headerName reads the name of a "--- " or "+++ " line: quoted, or up to
// the tab git adds after names with spaces (and diff -u before a
// timestamp). /dev/null becomes "".
func headerName(rest string) string {
	if strings.HasPrefix(rest, `"`) {
		if v, _, ok := cutQuoted(rest); ok {
			rest = v
		}
	} else if i := strings.IndexByte(rest, '\t'); i >= 0 {
		rest = rest[:i]
	}
	if rest == "/dev/null" {
		return ""
	}
	return rest
}

// stripAB removes git's a/ and b/ prefixes when both names have them (a
// missing side counts as having it). Diffs made with --no-prefix keep
// their names.
func stripAB(oldName, newName string) (string, string) {
	if (oldName == "" || strings.HasPrefix(oldName, "a/")) && (newName == "" || strings.HasPrefix(newName, "b/")) {
		return strings.TrimPrefix(oldName, "a/"), strings.TrimPrefix(newName, "b/")
	}
	return oldName, newName
}

// gitLinePaths splits the arguments of a "diff --git a/x b/x" line. A
// quoted name ends at its closing quote, and git quotes every name that
// holds a quote, so an unquoted first name ends at ` "`. With two unquoted
// names containing spaces the split is ambiguous; the line then only stands
// alone (no ---/+++ or rename lines) when both names are the same, which
// lets us split in the middle.
func gitLinePaths(args string) (oldPath, newPath string) {
	var o, n string
	switch {
	case strings.HasPrefix(args, `"`):
		v, rest, ok := cutQuoted(args)
		if !ok || !strings.HasPrefix(rest, " ") {
			return "", ""
		}
		o, n = v, unquote(rest[1:])
	case strings.HasSuffix(args, `"`):
		i := strings.Index(args, ` "`)
		if i < 0 {
			return "", ""
		}
		o, n = args[:i], unquote(args[i+1:])
	default:
		if l := len(args); l%2 == 1 && args[l/2] == ' ' {
			a, b := args[:l/2], args[l/2+1:]
			if sa, sb := stripAB(a, b); sa == sb {
				return sa, sb
			}
		}
		sep := " "
		if strings.Count(args, " ") > 1 {
			sep = " b/"
		}
		i := strings.Index(args, sep)
		if i < 0 || strings.Contains(args[i+1:], sep) {
			return "", ""
		}
		o, n = args[:i], args[i+1:]
	}
	return stripAB(o, n)
}

// unquote decodes s if it is a git C-style quoted name, else returns it.
func unquote(s string) string {
	if strings.HasPrefix(s, `"`) {
		if v, rest, ok := cutQuoted(s); ok && rest == "" {
			return v
		}
	}
	return s
}

// cutQuoted decodes the git C-style quoted string at the start of s
// (`"a\tb\303\274"`): \a \b \t \n \v \f \r \" \\ and three-digit octal
// escapes for any byte. It returns the value and the text after the
// closing quote.
func cutQuoted(s string) (val, rest string, ok bool) {
	var b []byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return string(b), s[i+1:], true
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			switch e := s[i]; e {
			case 'a':
				b = append(b, '\a')
			case 'b':
				b = append(b, '\b')
			case 't':
				b = append(b, '\t')
			case 'n':
				b = append(b, '\n')
			case 'v':
				b = append(b, '\v')
			case 'f':
				b = append(b, '\f')
			case 'r':
				b = append(b, '\r')
			case '"', '\\':
				b = append(b, e)
			case '0', '1', '2', '3':
				if i+2 >= len(s) || !isOctal(s[i+1]) || !isOctal(s[i+2]) {
					return "", "", false
				}
				b = append(b, (e-'0')<<6|(s[i+1]-'0')<<3|(s[i+2]-'0'))
				i += 2
			default:
				return "", "", false
			}
		default:
			b = append(b, c)
		}
	}
	return "", "", false
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
