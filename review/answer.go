package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
)

// answer is a model's review of one batch, after validation.
type answer struct {
	Summary  string
	Files    map[string]string
	Findings []Finding
	Dropped  int // findings that did not match the schema
}

// errNoJSON means the reply held no JSON object at all (empty, refusal,
// prose only).
var errNoJSON = errors.New("answer contains no JSON object")

// parseAnswer extracts and validates a review answer. It tries the text as
// JSON, then the first ```json fence, then the first balanced {...} object.
// Findings with wrong types or values are dropped and counted, unknown
// fields ignored, and at most maxFindingsPerAnswer are kept.
func parseAnswer(text string) (*answer, error) {
	raw, err := extractJSON(text)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Summary  *string           `json:"summary"`
		Files    []json.RawMessage `json:"files"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("answer is not a review object: %w", err)
	}
	if doc.Findings == nil {
		return nil, errors.New(`answer lacks the required "findings"`)
	}
	a := &answer{Files: map[string]string{}}
	if doc.Summary != nil {
		a.Summary = strings.TrimSpace(*doc.Summary)
	}
	for _, f := range doc.Files {
		var fn struct{ Path, Note string }
		if json.Unmarshal(f, &fn) == nil && fn.Path != "" {
			a.Files[normalizePath(fn.Path)] = strings.TrimSpace(fn.Note)
		}
	}
	for _, rf := range doc.Findings {
		if len(a.Findings) == maxFindingsPerAnswer {
			a.Dropped += len(doc.Findings) - maxFindingsPerAnswer
			break
		}
		f, ok := decodeFinding(rf)
		if !ok {
			a.Dropped++
			continue
		}
		a.Findings = append(a.Findings, f)
	}
	return a, nil
}

func decodeFinding(raw json.RawMessage) (Finding, bool) {
	var w struct {
		Path       string  `json:"path"`
		Side       string  `json:"side"`
		Line       int     `json:"line"`
		StartLine  int     `json:"start_line"`
		Code       string  `json:"code"`
		Severity   string  `json:"severity"`
		Category   string  `json:"category"`
		Title      string  `json:"title"`
		Body       string  `json:"body"`
		Suggestion string  `json:"suggestion"`
		Confidence float64 `json:"confidence"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Finding{}, false
	}
	sev, err := ParseSeverity(w.Severity)
	if err != nil || w.Path == "" || w.Line < 1 || w.StartLine < 0 || strings.TrimSpace(w.Title) == "" {
		return Finding{}, false
	}
	side := diffparse.New
	switch strings.ToLower(w.Side) {
	case "", "new", "right", "to":
	case "old", "left", "from":
		side = diffparse.Old
	default:
		return Finding{}, false
	}
	return Finding{
		Path: normalizePath(w.Path), Side: side, Line: w.Line, StartLine: w.StartLine,
		Code: w.Code, Severity: sev, Category: strings.ToLower(strings.TrimSpace(w.Category)),
		Title: strings.TrimSpace(w.Title), Body: strings.TrimSpace(w.Body), Suggestion: w.Suggestion,
		Confidence: min(max(w.Confidence, 0), 1),
	}, true
}

func extractJSON(text string) ([]byte, error) {
	t := bytes.TrimSpace([]byte(text))
	if len(t) == 0 {
		return nil, errNoJSON
	}
	if json.Valid(t) && t[0] == '{' {
		return t, nil
	}
	if i := bytes.Index(t, []byte("```")); i >= 0 {
		rest := t[i+3:]
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			rest = rest[nl+1:]
			if j := bytes.Index(rest, []byte("```")); j >= 0 {
				if body := bytes.TrimSpace(rest[:j]); json.Valid(body) && len(body) > 0 && body[0] == '{' {
					return body, nil
				}
			}
		}
	}
	if obj := firstBalancedObject(t); obj != nil {
		return obj, nil
	}
	return nil, errNoJSON
}

// firstBalancedObject returns the first {...} in b that is valid JSON,
// tracking strings so braces inside them do not count.
func firstBalancedObject(b []byte) []byte {
	for start := bytes.IndexByte(b, '{'); start >= 0; {
		depth, inStr, esc := 0, false, false
		for i := start; i < len(b); i++ {
			c := b[i]
			switch {
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			case inStr:
			case c == '{':
				depth++
			case c == '}':
				depth--
				if depth == 0 {
					if json.Valid(b[start : i+1]) {
						return b[start : i+1]
					}
					i = len(b)
				}
			}
		}
		next := bytes.IndexByte(b[start+1:], '{')
		if next < 0 {
			return nil
		}
		start += 1 + next
	}
	return nil
}

// normalizePath undoes the decorations models add to paths.
func normalizePath(p string) string {
	p = strings.TrimSpace(strings.Trim(strings.TrimSpace(p), "`\"'"))
	p = strings.TrimPrefix(p, "./")
	return p
}
