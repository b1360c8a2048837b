package lint

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/bitreview/bitreview/review"
)

// go-sarif reads a whole document into memory (FromBytes); a report of
// tens of megabytes would cost several times that, so the document is
// walked here (walker) and go-sarif's types decode each result, rule and
// base on its own.

// sarifRun is one SARIF run as it is read: its results wait for the end
// of the run, since the tool, its rules and the base URIs may come after
// them.
type sarifRun struct {
	tool    string
	rules   map[string]sarifRule
	ordered []sarifRule // the driver's rules, by index
	bases   map[string]*sarif.ArtifactLocation
	workDir string
	pending []*sarif.Result
	over    int // results beyond MaxReportResults
}

// sarifRule is what a result takes from its rule.
type sarifRule struct {
	level    string
	help     string
	security float64 // security-severity (CVSS), -1 without
}

// parseJSON walks a JSON report: "runs" makes it SARIF, "diagnostics"
// rdjson.
func (p *parse) parseJSON(r io.Reader) (string, error) {
	w := newWalker(p.ctx, r)
	format := ""
	rd := &rdjson{}
	version := ""
	err := w.object(func(key string) error {
		switch key {
		case "runs":
			format = "SARIF"
			return w.array(func() error { return p.sarifRun(w) })
		case "version":
			return w.decode(&version)
		case "diagnostics":
			format = "rdjson"
			return w.array(func() error { return p.rdjsonDiagnostic(w, rd) })
		case "source":
			return w.decode(&rd.source)
		}
		return w.skip()
	})
	if format == "" && err == nil {
		return "", errUnknownFormat
	}
	if format == "SARIF" && version != "" && version != "2.1.0" {
		p.warn("not SARIF version 2.1.0; read as 2.1.0")
	}
	if err != nil {
		if format == "" {
			format = "JSON"
		}
		return format, describe(err, w.dec)
	}
	return format, nil
}

// sarifRun reads one run and adds its results.
func (p *parse) sarifRun(w *walker) error {
	run := &sarifRun{rules: map[string]sarifRule{}}
	err := w.object(func(key string) error {
		switch key {
		case "tool":
			return run.readTool(w)
		case "results":
			return w.array(func() error {
				if p.kept+len(run.pending) >= MaxReportResults {
					run.over++
					return w.skip()
				}
				var res sarif.Result
				if err := w.decode(&res); err != nil {
					return skipShape(err)
				}
				run.pending = append(run.pending, &res)
				return nil
			})
		case "originalUriBaseIds":
			return skipShape(w.decode(&run.bases))
		case "invocations":
			var inv []*sarif.Invocation
			if err := w.decode(&inv); err != nil {
				return skipShape(err)
			}
			if len(inv) > 0 && inv[0] != nil && inv[0].WorkingDirectory != nil && inv[0].WorkingDirectory.URI != nil {
				run.workDir = *inv[0].WorkingDirectory.URI
			}
			return nil
		}
		return w.skip()
	})
	p.finishRun(run) // what was read, also when the run broke off
	return err
}

// skipShape ignores a value of the wrong shape (already consumed).
func skipShape(err error) error {
	if errors.Is(err, errShape) {
		return nil
	}
	return err
}

// readTool reads tool.driver and tool.extensions: the tool's name and its
// rules, one at a time.
func (run *sarifRun) readTool(w *walker) error {
	return w.object(func(key string) error {
		switch key {
		case "driver":
			return run.readComponent(w, true)
		case "extensions":
			return w.array(func() error { return run.readComponent(w, false) })
		}
		return w.skip()
	})
}

// readComponent reads a tool component's rules (and, for the driver, the
// tool's name).
func (run *sarifRun) readComponent(w *walker, driver bool) error {
	return w.object(func(key string) error {
		switch {
		case key == "name" && driver:
			var name string
			err := w.decode(&name)
			run.tool = toolName(name, "sarif")
			return skipShape(err)
		case key == "rules":
			return w.array(func() error {
				var d sarif.ReportingDescriptor
				if err := w.decode(&d); err != nil {
					return skipShape(err)
				}
				r := compactRule(&d)
				if driver {
					run.ordered = append(run.ordered, r)
				}
				if d.ID != nil {
					run.rules[*d.ID] = r
				}
				return nil
			})
		}
		return w.skip()
	})
}

// compactRule keeps what a result takes from its rule.
func compactRule(d *sarif.ReportingDescriptor) sarifRule {
	r := sarifRule{security: -1}
	if d.DefaultConfiguration != nil {
		r.level = d.DefaultConfiguration.Level
	}
	if d.HelpURI != nil {
		r.help = *d.HelpURI
	}
	if d.Properties != nil {
		r.security = securitySeverity(d.Properties.Properties["security-severity"])
	}
	return r
}

// securitySeverity reads GitHub's security-severity property (a CVSS
// score, as a string or a number), -1 without one.
func securitySeverity(v any) float64 {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case fmt.Stringer: // json.Number
		s = x.String()
	case float64:
		return x
	default:
		return -1
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 {
		return -1
	}
	return f
}

// finishRun adds the run's results, now that its tool, rules and bases
// are known.
func (p *parse) finishRun(run *sarifRun) {
	if run.tool == "" {
		run.tool = "sarif"
	}
	p.tools[run.tool] = true
	if run.over > 0 {
		p.rs.Cut[run.tool] += run.over
	}
	for _, res := range run.pending {
		if skipResult(res) {
			continue
		}
		rule := run.ruleOf(res)
		out := Result{
			Rule: ruleID(res), Severity: sarifSeverity(res, rule), Message: messageOf(res), Help: rule.help,
		}
		uri, baseID, line := locationOf(res)
		out.Line = line
		p.add(run.tool, out, func(n normaliser) (string, bool) { return run.resolve(n, uri, baseID) })
	}
}

// skipResult leaves out results that are no problem: suppressed ones,
// those a baseline says are gone, and the kinds pass and notApplicable.
func skipResult(r *sarif.Result) bool {
	for _, s := range r.Suppressions {
		if s != nil && (s.Status == nil || *s.Status == "" || *s.Status == "accepted") {
			return true
		}
	}
	if r.BaselineState != nil && *r.BaselineState == "absent" {
		return true
	}
	return r.Kind == "pass" || r.Kind == "notApplicable"
}

// ruleOf finds a result's rule by id, or by its index in the driver's
// rules.
func (run *sarifRun) ruleOf(r *sarif.Result) sarifRule {
	if id := ruleID(r); id != "" {
		if rule, ok := run.rules[id]; ok {
			return rule
		}
		return sarifRule{security: -1}
	}
	if r.RuleIndex > 0 && r.RuleIndex < len(run.ordered) {
		return run.ordered[r.RuleIndex]
	}
	return sarifRule{security: -1}
}

func ruleID(r *sarif.Result) string {
	switch {
	case r.RuleID != nil:
		return strings.TrimSpace(*r.RuleID)
	case r.Rule != nil && r.Rule.ID != nil:
		return strings.TrimSpace(*r.Rule.ID)
	}
	return ""
}

// sarifSeverity maps a result to our severities: a security-severity
// (CVSS) first, as GitHub code scanning does (9.0 critical, 7.0 high, 4.0
// medium, else low); else the level (the result's, else its rule's
// default, else "warning"; a kind other than fail means "none"): error
// high, warning medium, note low, none info.
func sarifSeverity(r *sarif.Result, rule sarifRule) review.Severity {
	if s := rule.security; s >= 0 {
		switch {
		case s >= 9:
			return review.Critical
		case s >= 7:
			return review.High
		case s >= 4:
			return review.Medium
		case s > 0:
			return review.Low
		}
	}
	level := r.Level
	switch {
	case level != "":
	case r.Kind != "" && r.Kind != "fail":
		level = "none"
	case rule.level != "":
		level = rule.level
	default:
		level = "warning"
	}
	switch level {
	case "error":
		return review.High
	case "warning":
		return review.Medium
	case "note":
		return review.Low
	}
	return review.Info
}

// messageOf is a result's message text (or Markdown), its {0}…{n}
// placeholders filled from its arguments.
func messageOf(r *sarif.Result) string {
	if r.Message == nil {
		return ""
	}
	msg := ""
	switch {
	case r.Message.Text != nil:
		msg = *r.Message.Text
	case r.Message.Markdown != nil:
		msg = *r.Message.Markdown
	}
	for i, a := range r.Message.Arguments {
		if i >= 20 {
			break
		}
		msg = strings.ReplaceAll(msg, "{"+strconv.Itoa(i)+"}", a)
	}
	return msg
}

// locationOf is a result's first physical location: its URI, base id and
// start line.
func locationOf(r *sarif.Result) (uri, baseID string, line int) {
	if len(r.Locations) == 0 || r.Locations[0] == nil || r.Locations[0].PhysicalLocation == nil {
		return "", "", 0
	}
	pl := r.Locations[0].PhysicalLocation
	if al := pl.ArtifactLocation; al != nil {
		if al.URI != nil {
			uri = *al.URI
		}
		if al.URIBaseID != nil {
			baseID = *al.URIBaseID
		}
	}
	if pl.Region != nil && pl.Region.StartLine != nil {
		line = *pl.Region.StartLine
	}
	return uri, baseID, line
}

// resolve turns a result's URI into a repository path: relative to its
// base (originalUriBaseIds, followed at most 5 deep), else to the run's
// working directory, else to the checkout.
func (run *sarifRun) resolve(n normaliser, uri, baseID string) (string, bool) {
	if strings.TrimSpace(uri) == "" {
		return "", true
	}
	p, ok := uriPath(uri)
	if !ok {
		return "", false
	}
	dir, ok := run.baseDir(n, baseID, 0)
	if !ok {
		return "", false
	}
	return n.repoPath(p, dir)
}

// baseDir resolves a base id to a directory; an unknown id (such as
// %SRCROOT% left undefined) is the working directory or the checkout.
func (run *sarifRun) baseDir(n normaliser, id string, depth int) (base, bool) {
	if loc, ok := run.bases[id]; ok && id != "" && loc != nil && loc.URI != nil && depth < 5 {
		parent := base("")
		if loc.URIBaseID != nil {
			var ok bool
			if parent, ok = run.baseDir(n, *loc.URIBaseID, depth+1); !ok {
				return "", false
			}
		}
		return n.dirOf(*loc.URI, parent)
	}
	if run.workDir != "" {
		return n.dirOf(run.workDir, "")
	}
	return "", true
}
