package review

import (
	"encoding/json"
	"strings"
)

// SchemaName names the review answer's schema (a tool name for providers
// that take structured output as a tool call).
const SchemaName = "submit_review"

// maxFindingsPerAnswer bounds what one answer may contribute; a model that
// returns thousands of findings is not reviewing any more.
const maxFindingsPerAnswer = 100

// answerSchema is the JSON Schema every review answer must satisfy.
func answerSchema() json.RawMessage {
	sev := `"enum":["` + strings.Join(SeverityNames(), `","`) + `"]`
	return json.RawMessage(`{
  "type": "object",
  "properties": {
    "summary": {"type": "string", "description": "One or two sentences on the main risks, or empty."},
    "findings": {
      "type": "array",
      "description": "Problems worth a reviewer's attention. Empty when there are none; never praise.",
      "items": {
        "type": "object",
        "properties": {
          "path": {"type": "string", "description": "File path exactly as in the diff header."},
          "side": {"type": "string", "enum": ["new", "old"], "description": "new for added/context lines, old for removed lines."},
          "line": {"type": "integer", "minimum": 1, "description": "Line number as printed in the diff (last line of a range)."},
          "start_line": {"type": "integer", "minimum": 1, "description": "First line of a range; omit for one line."},
          "code": {"type": "string", "description": "The exact code of the anchored line(s), copied from the diff."},
          "severity": {"type": "string", ` + sev + `},
          "category": {"type": "string", "enum": ["bug", "security", "performance", "maintainability", "style", "docs", "test"]},
          "title": {"type": "string", "description": "One short sentence."},
          "body": {"type": "string", "description": "Why it matters and how to fix it. Markdown, no headings."},
          "suggestion": {"type": "string", "description": "Replacement code for exactly the anchored lines, if you have one."},
          "confidence": {"type": "number", "minimum": 0, "maximum": 1, "description": "How sure you are that this is a real problem."}
        },
        "required": ["path", "line", "severity", "title", "body"]
      }
    }
  },
  "required": ["findings"]
}`)
}
