package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// anthropicDialect speaks POST /v1/messages.
type anthropicDialect struct{}

func (anthropicDialect) path(p string) bool { return strings.HasSuffix(p, "/messages") }

type anthropicRequest struct {
	Model    string          `json:"model"`
	System   json.RawMessage `json:"system"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Tools []struct {
		Name        string          `json:"name"`
		InputSchema json.RawMessage `json:"input_schema"`
	} `json:"tools"`
	MaxTokens int  `json:"max_tokens"`
	Stream    bool `json:"stream"`
}

func (anthropicDialect) parse(r *http.Request, body []byte) (Call, error) {
	var req anthropicRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return Call{}, fmt.Errorf("decode messages request: %w", err)
	}
	if req.MaxTokens <= 0 {
		return Call{}, fmt.Errorf("max_tokens: field required")
	}
	c := Call{
		Path: r.URL.Path, Model: req.Model, Body: body, Header: r.Header.Clone(),
		System: textOf(req.System), MaxTokens: req.MaxTokens, Stream: req.Stream,
	}
	for _, m := range req.Messages {
		if m.Role == "user" {
			join(&c.Prompt, textOf(m.Content))
		}
	}
	for i, t := range req.Tools {
		c.Tools = append(c.Tools, t.Name)
		if i == 0 {
			c.SchemaName, c.Schema = t.Name, t.InputSchema
		}
	}
	return c, nil
}

func (anthropicDialect) checkAuth(h http.Header, key string) (int, string) {
	got := h.Get("x-api-key")
	switch {
	case got == "":
		return http.StatusUnauthorized, "x-api-key header is required"
	case key != "" && got != key:
		return http.StatusUnauthorized, "invalid x-api-key"
	case h.Get("anthropic-version") == "":
		return http.StatusBadRequest, "anthropic-version: header is required"
	}
	return 0, ""
}

func (anthropicDialect) answer(c Call, r Reply) any {
	var blocks []any
	if r.Thinking != "" {
		blocks = append(blocks, map[string]any{"type": "thinking", "thinking": r.Thinking, "signature": "llmtest"})
	}
	stop := "end_turn"
	answer := content(r)
	if len(c.Tools) > 0 && r.JSON != "" && json.Valid([]byte(r.JSON)) {
		if r.Text != "" {
			blocks = append(blocks, map[string]any{"type": "text", "text": r.Text})
		}
		blocks = append(blocks, map[string]any{
			"type": "tool_use", "id": "toolu_llmtest", "name": c.Tools[0], "input": json.RawMessage(r.JSON),
		})
		stop = "tool_use"
	} else {
		blocks = append(blocks, map[string]any{"type": "text", "text": answer})
	}
	if r.FinishReason != "" {
		stop = r.FinishReason
	}
	prompt, completion := usage(c, r, answer)
	return map[string]any{
		"id": "msg_llmtest", "type": "message", "role": "assistant", "model": c.Model,
		"content": blocks, "stop_reason": stop, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": prompt, "output_tokens": completion},
	}
}

// writeStream answers a streaming request with one text block (tool input
// is streamed as text).
func (anthropicDialect) writeStream(w http.ResponseWriter, c Call, r Reply) {
	text := content(r)
	prompt, completion := usage(c, r, text)
	stop := r.FinishReason
	if stop == "" {
		stop = "end_turn"
	}
	events := []struct {
		name string
		data any
	}{
		{"message_start", map[string]any{"type": "message_start", "message": map[string]any{
			"id": "msg_llmtest", "type": "message", "role": "assistant", "model": c.Model, "content": []any{},
			"stop_reason": nil, "usage": map[string]any{"input_tokens": prompt, "output_tokens": 0},
		}}},
		{"content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "text", "text": ""}}},
		{"content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": text}}},
		{"content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}},
		{"message_delta", map[string]any{"type": "message_delta",
			"delta": map[string]any{"stop_reason": stop}, "usage": map[string]any{"output_tokens": completion}}},
		{"message_stop", map[string]any{"type": "message_stop"}},
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, e := range events {
		b, _ := json.Marshal(e.data)
		_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, b)
	}
}

func (anthropicDialect) writeError(w http.ResponseWriter, status int, msg string) {
	typ := "api_error"
	switch status {
	case http.StatusBadRequest:
		typ = "invalid_request_error"
	case http.StatusUnauthorized:
		typ = "authentication_error"
	case http.StatusForbidden:
		typ = "permission_error"
	case http.StatusNotFound:
		typ = "not_found_error"
	case http.StatusRequestEntityTooLarge:
		typ = "request_too_large"
	case http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case 529:
		typ = "overloaded_error"
	}
	writeJSON(w, status, map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}})
}
