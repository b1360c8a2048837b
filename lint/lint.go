// Package lint reads the reports of static-analysis tools that earlier
// commands of a pipeline step wrote into the clone (LINT_REPORTS, or
// `bitreview review --lint-report FILE`) and places their results on a
// pull request's diff (Place), so that one review posts them beside the
// model's findings.
//
// Formats are told apart by content: SARIF 2.1.0 (the types of
// github.com/owenrumney/go-sarif), Checkstyle XML and reviewdog's rdjson.
// Paths may be relative, file:// URIs, relative to a SARIF base such as
// %SRCROOT%, or absolute paths of the clone; all become repository paths,
// and a result anywhere else is ignored and counted.
//
// A report is untrusted: the pull request shapes the tree it sits in and
// the text the tools quote. A report path that is a symlink, or that
// passes through one, anything under .git/ and anything outside the clone
// is refused; a report is read streaming, at most MaxReportBytes of it and
// MaxReportResults results; a malformed or truncated report keeps what was
// read before the fault. Warnings name the file and what was used, never
// its content.
package lint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// Limits on what is read.
const (
	// MaxReportBytes is the most of one report that is read.
	MaxReportBytes = 50 << 20
	// MaxReportResults is the most results kept of one report.
	MaxReportResults = 10_000
	// MaxReports is the most report files read.
	MaxReports = 50
	// maxMessageRunes caps one result's message.
	maxMessageRunes = 2000
)

// Result is one result of a tool, its path made a repository path.
type Result struct {
	Tool     string // lower case, such as "staticcheck"
	Rule     string // "SA4006"; "" when the tool names none
	Severity review.Severity
	Message  string
	// Path is the repository path ("" when the result names no file), Line
	// its 1-based line (0 for the whole file).
	Path string
	Line int
	Help string // the rule's documentation URL, as the report gave it
}

// Reports is what the reports gave.
type Reports struct {
	// Files names the reports read, as the caller named them.
	Files   []string
	Results []Result
	// Outside counts per tool the results on paths outside the
	// repository, ignored; Cut those over MaxReportResults.
	Outside map[string]int
	Cut     map[string]int
	// Tools are the tools of every report read, even those with no
	// result, sorted.
	Tools []string
	// Warnings name a report that could not be used whole and what was
	// used of it, or a pattern that matched nothing.
	Warnings []string
}

func newReports() *Reports {
	return &Reports{Outside: map[string]int{}, Cut: map[string]int{}}
}

// source is one report to read.
type source struct {
	name string // for warnings, as the user named it
	open func() (io.ReadCloser, int64, error)
}

// ReadFiles reads the report files a person named (`bitreview review
// --lint-report FILE`); result paths are made relative to root, the
// repository's checkout.
func ReadFiles(ctx context.Context, root string, files []string) *Reports {
	return Read(ctx, root, nil, files)
}

// openPlain opens a report a person named: a regular file (symlinks are
// followed: the person chose the file).
func openPlain(name string) (io.ReadCloser, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, errors.Unwrap(err) // the *PathError would repeat the name
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// read reads srcs in order, at most MaxReports, after the warnings of
// their lookup.
func read(ctx context.Context, root string, srcs []source, warnings []string) *Reports {
	rs := newReports()
	rs.Warnings = warnings
	norm := newNormaliser(root)
	tools := map[string]bool{}
	for i, src := range srcs {
		if ctx.Err() != nil {
			rs.Warnings = append(rs.Warnings, fmt.Sprintf("%d report(s) not read: %v", len(srcs)-i, context.Cause(ctx)))
			break
		}
		if i == MaxReports {
			rs.Warnings = append(rs.Warnings, fmt.Sprintf("%d report(s) not read: at most %d are", len(srcs)-i, MaxReports))
			break
		}
		p := &parse{ctx: ctx, name: src.name, norm: norm, rs: rs, tools: tools}
		p.readSource(src)
	}
	for t := range tools {
		rs.Tools = append(rs.Tools, t)
	}
	sort.Strings(rs.Tools)
	return rs
}

// parse is the reading of one report.
type parse struct {
	ctx   context.Context
	name  string
	norm  normaliser
	rs    *Reports
	tools map[string]bool
	kept  int // results of this report kept
}

// readSource opens, detects and parses one report, warning about what it
// could not use.
func (p *parse) readSource(src source) {
	r, size, err := src.open()
	if err != nil {
		p.warn("not read: %v", err)
		return
	}
	defer r.Close()
	p.rs.Files = append(p.rs.Files, src.name)
	var in io.Reader = r
	over := size > MaxReportBytes
	if over {
		in = io.LimitReader(r, MaxReportBytes)
	}
	format, err := p.parseAny(in)
	used := fmt.Sprintf("%d result(s) used", p.kept)
	switch {
	case errors.Is(err, errUnknownFormat):
		p.warn("not a SARIF 2.1.0, Checkstyle XML or rdjson report; ignored")
	case over:
		p.warn("larger than %d MiB: only its first %d MiB were read (%s)", MaxReportBytes>>20, MaxReportBytes>>20, used)
	case err != nil:
		p.warn("%s %v: %s, those read before it", format, err, used)
	}
}

// warn adds a warning about the report being read.
func (p *parse) warn(format string, args ...any) {
	p.rs.Warnings = append(p.rs.Warnings, fmt.Sprintf("Report %s: %s", p.name, fmt.Sprintf(format, args...)))
}

// add keeps one result of tool, its location resolved by loc, counting it
// as cut over MaxReportResults and as outside when loc refuses it.
func (p *parse) add(tool string, r Result, loc func(normaliser) (string, bool)) {
	r.Tool = tool
	p.tools[tool] = true
	if p.kept >= MaxReportResults {
		p.rs.Cut[tool]++
		return
	}
	path, ok := loc(p.norm)
	if !ok {
		p.rs.Outside[tool]++
		return
	}
	r.Path = path
	if r.Path == "" || r.Line < 0 {
		r.Line = 0
	}
	r.Message = capRunes(strings.TrimSpace(r.Message), maxMessageRunes)
	p.kept++
	p.rs.Results = append(p.rs.Results, r)
}

// toolName makes a tool's name a lower-case word of letters, digits, ".",
// "_" and "-" (at most 40), or fallback.
func toolName(name, fallback string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		case r == ' ' || r == '/':
			b.WriteRune('-')
		}
	}
	out := strings.Trim(b.String(), "-.")
	if len(out) > 40 {
		out = out[:40]
	}
	if out == "" {
		return fallback
	}
	return out
}

func capRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// absRoot is root made absolute and clean.
func absRoot(root string) string {
	if abs, err := filepath.Abs(root); err == nil {
		return abs
	}
	return filepath.Clean(root)
}
