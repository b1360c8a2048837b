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

// maxAnswerBytes bounds the answer text that is searched for JSON. A
// review answer is at most a few tens of KB (MaxTokens 8192); a larger one
// is refused as an invalid answer, which costs the batch one attempt.
const maxAnswerBytes = 1 << 20

// maxObjectStarts bounds how many "{" positions firstBalancedObject scans
// from, so the search stays linear in the answer's length.
const maxObjectStarts = 8

func extractJSON(text string) ([]byte, error) {
	if len(text) > maxAnswerBytes {
		return nil, fmt.Errorf("answer is %d KB, over the %d MB limit", len(text)>>10, maxAnswerBytes>>20)
	}
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
// tracking strings so braces inside them do not count. One pass from a
// "{" matches braces with a stack and keeps the outermost closed spans, so
// an object after an unclosed brace in prose ("if x {") is still found;
// those spans do not overlap, so validating them is linear too. Only when
// none is valid does it start again from the next "{" (string tracking
// from a quote in prose can be off), at most maxObjectStarts times: a
// search restarted from every "{" is quadratic (9 s for 100k "{").
func firstBalancedObject(b []byte) []byte {
	var open []int // reused across starts
	start := bytes.IndexByte(b, '{')
	for tries := 0; start >= 0 && tries < maxObjectStarts; tries++ {
		var spans [][2]int
		open, spans = outermostObjects(b, start, open[:0])
		for _, s := range spans {
			if json.Valid(b[s[0]:s[1]]) {
				return b[s[0]:s[1]]
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

// outermostObjects scans b from start once and returns the balanced {...}
// spans that no other balanced span contains, in order, as [from, to).
// open is scratch space for the positions of unclosed braces, returned for
// reuse.
func outermostObjects(b []byte, start int, open []int) ([]int, [][2]int) {
	var spans [][2]int // closed spans, none inside another
	inStr, esc := false, false
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
			open = append(open, i)
		case c == '}' && len(open) > 0:
			s := open[len(open)-1]
			open = open[:len(open)-1]
			for len(spans) > 0 && spans[len(spans)-1][0] > s {
				spans = spans[:len(spans)-1]
			}
			spans = append(spans, [2]int{s, i + 1})
		}
	}
	return open, spans
}

// normalizePath undoes the decorations models add to paths.
func normalizePath(p string) string {
	p = strings.TrimSpace(strings.Trim(strings.TrimSpace(p), "`\"'"))
	p = strings.TrimPrefix(p, "./")
	return p
}
