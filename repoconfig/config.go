// Package repoconfig reads .bitreview.yaml, the per-repository settings
// that teams keep on their main branch, and validates it against the JSON
// Schema in schema.json (embedded, and printed by `bitreview config
// schema` for editors and pre-commit hooks).
package repoconfig

import _ "embed"

// Schema is the JSON Schema of the file.
//
//go:embed schema.json
var Schema []byte

// MaxSize is the largest file read; anything bigger is refused.
const MaxSize = 256 << 10

// Config is the file's content. Pointer and nil fields were not set.
type Config struct {
	Profile        string             `json:"profile,omitempty"`
	Language       string             `json:"language,omitempty"`
	PathFilters    []string           `json:"path_filters,omitempty"`
	Paths          []PathInstructions `json:"paths,omitempty"`
	AutoReview     AutoReview         `json:"auto_review,omitzero"`
	MinSeverity    string             `json:"min_severity,omitempty"`
	FailOn         string             `json:"fail_on,omitempty"`
	MaxFiles       *int               `json:"max_files,omitempty"`
	MaxComments    *int               `json:"max_comments,omitempty"`
	MaxInputTokens *int               `json:"max_input_tokens,omitempty"`
	CodeInsights   *bool              `json:"code_insights,omitempty"`
	Chat           *bool              `json:"chat,omitempty"`
	Guidelines     []string           `json:"guidelines,omitempty"`
}

// PathInstructions are extra reviewer instructions for files matching Path.
type PathInstructions struct {
	Path         string `json:"path"`
	Instructions string `json:"instructions"`
}

// AutoReview says when the pipe reviews without being asked.
type AutoReview struct {
	Enabled             *bool    `json:"enabled,omitempty"`
	Drafts              *bool    `json:"drafts,omitempty"`
	IgnoreTitleKeywords []string `json:"ignore_title_keywords,omitempty"`
	BaseBranches        []string `json:"base_branches,omitempty"`
}
