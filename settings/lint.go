package settings

import (
	"github.com/bitreview/bitreview/lint"
)

// Lint are the variables of static-analysis reports (issue 20), embedded
// in Settings.
type Lint struct {
	// LintReports are globs, relative to the clone, of the reports that
	// earlier commands of the step wrote (LINT_REPORTS: a list variable,
	// read by readList).
	LintReports []string `env:"-"`
	// LintFilter says which tool findings count (LINT_FILTER).
	LintFilter string `env:"LINT_FILTER" envDefault:"added"`
}

// readLint reads LINT_REPORTS, the list variable.
func readLint(vars map[string]string, l *Lint) []string {
	var problems []string
	l.LintReports, problems = readList(vars, "LINT_REPORTS")
	return problems
}

// lintProblems checks LINT_FILTER and every LINT_REPORTS pattern.
func (l Lint) lintProblems() []string {
	var p []string
	if _, err := lint.ParseFilter(l.LintFilter); err != nil {
		p = append(p, "LINT_FILTER: "+err.Error())
	}
	for _, pat := range l.LintReports {
		if err := lint.CheckPattern(pat); err != nil {
			p = append(p, "LINT_REPORTS: "+err.Error())
		}
	}
	return p
}

// LintFilterMode is LINT_FILTER, parsed (the default when it does not
// parse; Validate reports that).
func (l Lint) LintFilterMode() lint.Filter {
	f, err := lint.ParseFilter(l.LintFilter)
	if err != nil {
		return lint.Added
	}
	return f
}
