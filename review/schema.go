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

// answerSchema is the JSON Schema of a review answer: the findings and the
// walkthrough of the files shown (the pull request's summary and a note per
// file), so that one call answers both. Only "findings" is checked
// (parseAnswer): without it the answer is no review; a missing note only
// leaves its walkthrough row empty.
func answerSchema() json.RawMessage {
	sev := `"enum":["` + strings.Join(SeverityNames(), `","`) + `"]`
	return json.RawMessage(`{
  "type": "object",
  "properties": {
    "summary": {"type": "string", "description": "2-4 sentences for a reviewer: what the pull request does, as far as the files shown tell, and its main risks."},
    "files": {
      "type": "array",
      "description": "The walkthrough: one entry for each file shown in the diff.",
      "items": {
        "type": "object",
        "properties": {
          "path": {"type": "string", "description": "File path exactly as in the diff header."},
          "note": {"type": "string", "description": "One line: what changed in this file."}
        },
        "required": ["path", "note"]
      }
    },
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
  "required": ["summary", "files", "findings"]
}`)
}
