package review

import (
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// BuiltinChecks finds problems that need no model: merge-conflict markers
// and private keys in added lines. They run even when no LLM is configured.
func BuiltinChecks(d *diffparse.Diff) []Finding {
	var out []Finding
	for _, f := range d.Files {
		if f.Binary {
			continue
		}
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				if l.Kind != diffparse.Added {
					continue
				}
				if fd, ok := checkLine(f.Path(), l); ok {
					fd.Fingerprint = Fingerprint(fd, l.Text)
					out = append(out, fd)
				}
			}
		}
	}
	return out
}

func checkLine(path string, l diffparse.Line) (Finding, bool) {
	t := l.Text
	base := Finding{Path: path, Side: diffparse.New, Line: l.New, Category: "bug"}
	switch {
	case strings.HasPrefix(t, "<<<<<<< ") || strings.HasPrefix(t, ">>>>>>> ") || t == "<<<<<<<" || t == ">>>>>>>":
		base.Severity = High
		base.Title = "Unresolved merge-conflict marker"
		base.Body = "This line is a leftover conflict marker from a merge or rebase; the file will not compile or will behave unexpectedly. Resolve the conflict and remove the markers."
		return base, true
	case strings.Contains(t, "-----BEGIN ") && strings.Contains(t, "PRIVATE KEY-----"):
		base.Severity = Critical
		base.Category = "security"
		base.Title = "Private key added to the repository"
		base.Body = "A private key is being committed. Anyone with read access to the repository (and its history) can use it. Remove it, rotate the key, and load it from a secret store instead."
		return base, true
	}
	return Finding{}, false
}

// AddBuiltinChecks adds BuiltinChecks' findings to res, except on a line a
// critical security finding already covers: a private key is found both
// here and by the secret scanner, and one key deserves one comment.
func AddBuiltinChecks(res *Result, d *diffparse.Diff) {
	type at struct {
		path string
		side diffparse.Side
		line int
	}
	covered := map[at]bool{}
	for _, f := range res.Findings {
		if f.Category == "security" && f.Severity == Critical {
			covered[at{f.Path, f.Side, f.Line}] = true
		}
	}
	for _, f := range BuiltinChecks(d) {
		if f.Category == "security" && covered[at{f.Path, f.Side, f.Line}] {
			continue
		}
		res.Findings = append(res.Findings, f)
	}
}
