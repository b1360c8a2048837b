package lint

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// Checkstyle XML has no schema library worth a dependency: the format is
// two elements (<file name>, <error line column severity message source>),
// read here with encoding/xml's streaming decoder, which expands no
// custom entities (no entity bombs).

// checkstyleError is one <error> element.
type checkstyleError struct {
	Line     string `xml:"line,attr"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// parseCheckstyle reads a Checkstyle report: a <checkstyle> root whose
// <file> elements hold <error> elements.
func (p *parse) parseCheckstyle(r io.Reader) error {
	dec := xml.NewDecoder(r)
	root := true
	file := ""
	for {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		t, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if root {
				return errUnknownFormat
			}
			return nil
		}
		if err != nil {
			if root {
				return errUnknownFormat
			}
			return describe(err, nil)
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case root && se.Name.Local != "checkstyle":
			return errUnknownFormat
		case root:
			root = false
		case se.Name.Local == "file":
			file = attr(se, "name")
		case se.Name.Local == "error":
			var e checkstyleError
			if err := dec.DecodeElement(&e, &se); err != nil {
				return describe(err, nil)
			}
			p.addCheckstyle(file, e)
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// addCheckstyle adds one <error> of file (an absolute path of the clone,
// or relative to it).
func (p *parse) addCheckstyle(file string, e checkstyleError) {
	tool, rule := checkstyleSource(e.Source)
	line, _ := strconv.Atoi(strings.TrimSpace(e.Line))
	r := Result{Rule: rule, Severity: checkstyleSeverity(e.Severity), Message: e.Message, Line: line}
	p.add(tool, r, func(n normaliser) (string, bool) { return n.repoPath(file, "") })
}

// checkstyleSource splits a source attribute into the tool and the rule:
// "ShellCheck.SC2086" is shellcheck's SC2086, "eslint.rules.no-undef"
// eslint's no-undef, Checkstyle's own
// "com.puppycrawl.tools.checkstyle.checks.….XCheck" checkstyle's XCheck;
// a source without a dot is the rule of the tool "checkstyle".
func checkstyleSource(source string) (tool, rule string) {
	source = strings.TrimSpace(source)
	if strings.HasPrefix(source, "com.puppycrawl.tools.checkstyle.") {
		return "checkstyle", source[strings.LastIndex(source, ".")+1:]
	}
	first, _, ok := strings.Cut(source, ".")
	if !ok {
		return "checkstyle", source
	}
	return toolName(first, "checkstyle"), source[strings.LastIndex(source, ".")+1:]
}

// checkstyleSeverity: error high, warning medium, info low, anything else
// (ignore) info; the same scale as SARIF's levels.
func checkstyleSeverity(s string) review.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return review.High
	case "warning":
		return review.Medium
	case "info":
		return review.Low
	}
	return review.Info
}
