// Package review is the core of bitreview: it turns a parsed diff and the
// pull request's metadata into findings and a summary by asking a Model, and
// anchors every finding to a line the diff really has. It knows nothing of
// Bitbucket, GitHub or any LLM library; those live behind the small
// interfaces declared here.
package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// Severity orders findings. The zero value is Info.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// SeverityNames lists the accepted severity names, lowest first.
func SeverityNames() []string { return severityNames[:] }

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(name), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one review comment about a place in the diff.
type Finding struct {
	Path string         `json:"path"`
	Side diffparse.Side `json:"side"`
	// Line is the anchor line on Side; for a range it is the last line.
	Line int `json:"line"`
	// StartLine is the first line of a range on Side, 0 for a single line.
	StartLine  int      `json:"start_line,omitempty"`
	Code       string   `json:"code,omitempty"` // the code the finding quotes
	Severity   Severity `json:"severity"`
	Category   string   `json:"category,omitempty"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Suggestion string   `json:"suggestion,omitempty"` // replacement for the anchored lines
	Confidence float64  `json:"confidence,omitempty"` // 0..1 as the model judged it
	// Why a finding could not be anchored (only on Result.Unanchored).
	Unanchored string `json:"unanchored,omitempty"`
	// Fingerprint identifies an anchored finding across runs.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Tool names the static-analysis tool that reported the finding
	// ("staticcheck"); "" for the model's and the built-in checks'.
	// Rule is the tool's rule id, Help its documentation URL as the report
	// gave it (shown only when its host is allowed, LinkAllowed).
	Tool string `json:"tool,omitempty"`
	Rule string `json:"rule,omitempty"`
	Help string `json:"help,omitempty"`
}

// PullRequest is the metadata of the change under review. Title and
// Description are written by the PR author and are untrusted.
type PullRequest struct {
	ID           int
	Title        string
	Description  string
	Author       string
	SourceBranch string
	TargetBranch string
	SourceCommit string
	TargetCommit string
	Draft        bool
}

// FileNote is one row of the walkthrough.
type FileNote struct {
	Path    string `json:"path"`
	Status  string `json:"status"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Note    string `json:"note,omitempty"`
}

// Skipped names a file that was not sent to the model and why.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// reasonHunkTooLarge is the Skipped reason for a file whose single hunk
// exceeds one request.
const reasonHunkTooLarge = "a single hunk is larger than one request"

// OverBudget reports whether the file was left out for a budget
// (MAX_FILES, MAX_INPUT_TOKENS, request size) rather than by choice
// (filters) or nature (binary, generated): the review did not cover
// something it was meant to, and must not read as a clean pass.
func (s Skipped) OverBudget() bool {
	return strings.HasPrefix(s.Reason, "over MAX_") || s.Reason == reasonHunkTooLarge
}

// OverBudget counts the files left out for a budget.
func (r *Result) OverBudget() int {
	n := 0
	for _, s := range r.Skipped {
		if s.OverBudget() {
			n++
		}
	}
	return n
}

// Usage counts model calls and tokens.
type Usage struct {
	Calls            int `json:"calls"`
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Add adds o to u.
func (u *Usage) Add(o Usage) {
	u.Calls += o.Calls
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
}

// Result is everything a review produced.
type Result struct {
	Summary    string     `json:"summary"`
	Files      []FileNote `json:"files"`
	Findings   []Finding  `json:"findings"`   // anchored: safe to post inline
	Unanchored []Finding  `json:"unanchored"` // go to the summary instead
	Skipped    []Skipped  `json:"skipped"`
	HeldBack   int        `json:"held_back"` // findings dropped by severity or count limits
	Triaged    int        `json:"triaged"`   // files the light pass found trivial
	// Notes are non-fatal remarks for the summary footer.
	Notes []string `json:"notes,omitempty"`
	Model string   `json:"model,omitempty"`
	Usage Usage    `json:"usage"`
	// UsageByModel splits Usage by the model that answered (light and
	// heavy passes), for cost estimates.
	UsageByModel map[string]Usage `json:"usage_by_model,omitempty"`
	// CostUSD is the estimated cost, set by the caller from a price table;
	// 0 when unknown.
	CostUSD float64 `json:"cost_usd,omitempty"`
	// CrossFile says what cross-file context was sent; nil when off.
	CrossFile *CrossFileStats `json:"cross_file,omitempty"`
	// Linked are the issues the pull request names, with the model's
	// assessment of each (issues.go).
	Linked []LinkedIssue `json:"linked_issues,omitempty"`
	// Errors lists what could not be reviewed (a failed model call, an
	// invalid answer). A review with errors is incomplete and says so.
	Errors []string `json:"errors,omitempty"`
	// Static is what the static-analysis reports (LINT_REPORTS) gave, for
	// the summary's section; nil when none were asked for.
	Static *StaticAnalysis `json:"static_analysis,omitempty"`
}

// Request is one call to a model. The answer must be a JSON document valid
// against Schema.
type Request struct {
	System     string
	Prompt     string
	SchemaName string
	Schema     json.RawMessage
	MaxTokens  int
	// Light asks for the cheaper model (the light pass: triage).
	Light bool
}

// Response is a model's answer.
type Response struct {
	Text             string
	Model            string
	PromptTokens     int
	CompletionTokens int
}

// Model is what the engine needs from an LLM.
type Model interface {
	Generate(ctx context.Context, req Request) (*Response, error)
}
