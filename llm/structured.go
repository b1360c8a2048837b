package llm

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
)

// mode is how a request asks for structured output.
type mode int

const (
	modeText       mode = iota // no schema: plain text
	modeJSONSchema             // response_format json_schema (OpenAI dialect)
	modeJSONObject             // response_format json_object, schema in the system prompt
	modeTool                   // one tool whose input_schema is the schema (Anthropic)
	modeJSONPrompt             // JSON mode, schema in the system prompt (Ollama)
)

// toolName makes name a valid tool / json_schema name: [A-Za-z0-9_-]{1,64}.
func toolName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if b.Len() == 64 {
			break
		}
		if r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "answer"
	}
	return b.String()
}

func toolInstruction(name string) string {
	return "Give your answer by calling the tool `" + name + "` exactly once; its input is your complete answer. " +
		"Do not answer in plain text."
}

func schemaInstruction(name string, schema json.RawMessage) string {
	return "Answer with only a JSON object (the " + name + " answer; no prose, no code fence) " +
		"that is valid against this JSON Schema:\n" + string(schema)
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// jsonSchemaFormat converts schema for openai.WithResponseFormat. The
// langchaingo type carries type, description, enum, items, properties,
// required and additionalProperties; other validation keywords (minimum,
// pattern…) are dropped, which is harmless because the caller validates the
// answer. ok is false when the schema needs what the type cannot carry
// ($ref, $defs, anyOf, oneOf, allOf, not) or its root is not an object;
// the caller then uses json_object mode with the whole schema in the prompt.
func jsonSchemaFormat(name string, schema json.RawMessage) (rf *openai.ResponseFormat, ok bool) {
	var root map[string]any
	if json.Unmarshal(schema, &root) != nil {
		return nil, false
	}
	p, ok := toProperty(root, 0)
	if !ok || p.Type != "object" {
		return nil, false
	}
	return &openai.ResponseFormat{
		Type:       "json_schema",
		JSONSchema: &openai.ResponseFormatJSONSchema{Name: name, Strict: false, Schema: p},
	}, true
}

const maxSchemaDepth = 32

func toProperty(v map[string]any, depth int) (*openai.ResponseFormatJSONSchemaProperty, bool) {
	if depth > maxSchemaDepth {
		return nil, false
	}
	for _, k := range []string{"$ref", "$defs", "definitions", "anyOf", "oneOf", "allOf", "not"} {
		if _, has := v[k]; has {
			return nil, false
		}
	}
	p := &openai.ResponseFormatJSONSchemaProperty{Type: schemaType(v)}
	if p.Type == "" {
		return nil, false
	}
	p.Description, _ = v["description"].(string)
	if e, ok := v["enum"].([]any); ok {
		p.Enum = e
	}
	if ap, ok := v["additionalProperties"].(bool); ok {
		p.AdditionalProperties = ap
	}
	if items, ok := v["items"].(map[string]any); ok {
		it, ok := toProperty(items, depth+1)
		if !ok {
			return nil, false
		}
		p.Items = it
	}
	if props, ok := v["properties"].(map[string]any); ok {
		p.Properties = make(map[string]*openai.ResponseFormatJSONSchemaProperty, len(props))
		for k, raw := range props {
			m, ok := raw.(map[string]any)
			if !ok {
				return nil, false
			}
			if p.Properties[k], ok = toProperty(m, depth+1); !ok {
				return nil, false
			}
		}
	}
	if req, ok := v["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				p.Required = append(p.Required, s)
			}
		}
	}
	return p, true
}

// schemaType reads "type", taking the first non-null entry of a list and
// inferring it from properties, items or enum when absent.
func schemaType(v map[string]any) string {
	switch t := v["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
	}
	switch {
	case v["properties"] != nil:
		return "object"
	case v["items"] != nil:
		return "array"
	}
	if e, ok := v["enum"].([]any); ok && len(e) > 0 {
		switch e[0].(type) {
		case string:
			return "string"
		case float64:
			return "number"
		case bool:
			return "boolean"
		}
	}
	return ""
}

// answerText picks the answer out of a response. In tool mode it is the
// input of the named tool call, searched in every choice (Anthropic makes
// one choice per content block: thinking, text, tool_use), else the text
// blocks joined. Otherwise it is the first non-empty content.
func answerText(resp *llms.ContentResponse, m mode, tool string) string {
	if m == modeTool {
		var anyArgs []string
		for _, c := range resp.Choices {
			if c == nil {
				continue
			}
			for _, tc := range c.ToolCalls {
				if tc.FunctionCall == nil {
					continue
				}
				if tc.FunctionCall.Name == tool {
					return tc.FunctionCall.Arguments
				}
				anyArgs = append(anyArgs, tc.FunctionCall.Arguments)
			}
		}
		if len(anyArgs) == 1 {
			return anyArgs[0]
		}
		var texts []string
		for _, c := range resp.Choices {
			if c != nil && strings.TrimSpace(c.Content) != "" {
				texts = append(texts, c.Content)
			}
		}
		return strings.Join(texts, "\n")
	}
	for _, c := range resp.Choices {
		if c != nil && c.Content != "" {
			return c.Content
		}
	}
	return ""
}

// stopKind maps a stop/finish reason to Truncated or Refused (else Unknown).
func stopKind(resp *llms.ContentResponse) (Kind, string) {
	for _, c := range resp.Choices {
		if c == nil {
			continue
		}
		switch c.StopReason {
		case "length", "max_tokens":
			return Truncated, c.StopReason
		case "content_filter", "refusal":
			return Refused, c.StopReason
		}
	}
	return Unknown, ""
}

// isFormatRejection reports a server refusing response_format json_schema.
func isFormatRejection(status int, msg string) bool {
	low := strings.ToLower(msg)
	return status >= 400 && status < 500 && status != 401 && status != 403 && status != 429 &&
		(strings.Contains(low, "response_format") || strings.Contains(low, "json_schema"))
}

func checkRequest(schema json.RawMessage, prompt string) error {
	if strings.TrimSpace(prompt) == "" {
		return fmt.Errorf("empty prompt")
	}
	if len(schema) == 0 {
		return nil
	}
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		return fmt.Errorf("schema is not a JSON object: %w", err)
	}
	return nil
}
