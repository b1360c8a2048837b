package lint

import (
	"strings"

	"github.com/bitreview/bitreview/review"
)

// reviewdog's rdjson (its Diagnostic Format) is a protocol buffer's JSON
// form; its Go package brings gRPC along, so the few fields used are
// declared here.

// rdjson is what the document's top level says of its diagnostics.
type rdjson struct {
	source rdSource
}

type rdSource struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// rdDiagnostic is one diagnostic.
type rdDiagnostic struct {
	Message  string `json:"message"`
	Severity string `json:"severity"`
	Location struct {
		Path  string `json:"path"`
		Range struct {
			Start struct {
				Line int `json:"line"`
			} `json:"start"`
		} `json:"range"`
	} `json:"location"`
	Source *rdSource `json:"source"`
	Code   *struct {
		Value string `json:"value"`
		URL   string `json:"url"`
	} `json:"code"`
}

// rdjsonDiagnostic reads and adds one diagnostic; its tool is its source,
// else the document's (when it came first), else "rdjson".
func (p *parse) rdjsonDiagnostic(w *walker, doc *rdjson) error {
	if p.kept >= MaxReportResults {
		p.rs.Cut[toolName(doc.source.Name, "rdjson")]++
		return w.skip()
	}
	var d rdDiagnostic
	if err := w.decode(&d); err != nil {
		return skipShape(err)
	}
	name := doc.source.Name
	if d.Source != nil && d.Source.Name != "" {
		name = d.Source.Name
	}
	r := Result{Severity: rdSeverity(d.Severity), Message: d.Message, Line: d.Location.Range.Start.Line}
	if d.Code != nil {
		r.Rule, r.Help = d.Code.Value, d.Code.URL
	}
	path := d.Location.Path
	p.add(toolName(name, "rdjson"), r, func(n normaliser) (string, bool) { return n.repoPath(path, "") })
	return nil
}

// rdSeverity: ERROR high, WARNING medium, INFO low, unknown medium (as
// SARIF's default level, warning).
func rdSeverity(s string) review.Severity {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ERROR":
		return review.High
	case "INFO":
		return review.Low
	}
	return review.Medium
}
