package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// openaiDialect speaks POST …/chat/completions, which covers /v1 bases,
// Azure's /openai/deployments/{name}/chat/completions and other
// OpenAI-compatible prefixes.
type openaiDialect struct{}

func (openaiDialect) path(p string) bool { return strings.HasSuffix(p, "/chat/completions") }

type openaiRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Tools []struct {
		Function struct {
			Name       string          `json:"name"`
			Parameters json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
	MaxTokens           int  `json:"max_tokens"`
	MaxCompletionTokens int  `json:"max_completion_tokens"`
	Stream              bool `json:"stream"`
}

func (openaiDialect) parse(r *http.Request, body []byte) (Call, error) {
	var req openaiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return Call{}, fmt.Errorf("decode chat request: %w", err)
	}
	c := Call{Path: r.URL.Path, Model: req.Model, Body: body, Header: r.Header.Clone(), Stream: req.Stream}
	if c.Model == "" {
		// Azure names the deployment in the path.
		if rest, ok := strings.CutPrefix(r.URL.Path, "/openai/deployments/"); ok {
			c.Model, _, _ = strings.Cut(rest, "/")
		}
	}
	c.MaxTokens = req.MaxCompletionTokens
	if c.MaxTokens == 0 {
		c.MaxTokens = req.MaxTokens
	}
	for _, m := range req.Messages {
		switch m.Role {
		case "system", "developer":
			join(&c.System, textOf(m.Content))
		case "user":
			join(&c.Prompt, textOf(m.Content))
		}
	}
	if rf := req.ResponseFormat; rf != nil {
		c.ResponseFormat = rf.Type
		if rf.JSONSchema != nil {
			c.SchemaName, c.Schema = rf.JSONSchema.Name, rf.JSONSchema.Schema
		}
	}
	for i, t := range req.Tools {
		c.Tools = append(c.Tools, t.Function.Name)
		if i == 0 && c.Schema == nil {
			c.SchemaName, c.Schema = t.Function.Name, t.Function.Parameters
		}
	}
	return c, nil
}

func (openaiDialect) checkAuth(h http.Header, key string) (int, string) {
	got := bearer(h)
	if got == "" {
		got = h.Get("api-key") // Azure
	}
	switch {
	case got == "":
		return http.StatusUnauthorized, "llmtest: missing API key"
	case key != "" && got != key:
		return http.StatusUnauthorized, "llmtest: incorrect API key provided"
	}
	return 0, ""
}

func (openaiDialect) answer(c Call, r Reply) any {
	text := content(r)
	prompt, completion := usage(c, r, text)
	msg := map[string]any{"role": "assistant", "content": text}
	finish := "stop"
	if len(c.Tools) > 0 && c.ResponseFormat == "" && r.JSON != "" {
		msg["content"] = nil
		msg["tool_calls"] = []any{map[string]any{
			"id": "call_llmtest", "type": "function",
			"function": map[string]any{"name": c.Tools[0], "arguments": r.JSON},
		}}
		finish = "tool_calls"
	}
	if r.FinishReason != "" {
		finish = r.FinishReason
	}
	return map[string]any{
		"id": "chatcmpl-llmtest", "object": "chat.completion", "created": 0, "model": c.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
		"usage": map[string]any{
			"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
		},
	}
}

func (openaiDialect) writeStream(w http.ResponseWriter, c Call, r Reply) {
	text := content(r)
	prompt, completion := usage(c, r, text)
	finish := r.FinishReason
	if finish == "" {
		finish = "stop"
	}
	chunk := func(choices []any, extra map[string]any) map[string]any {
		m := map[string]any{"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": 0, "model": c.Model, "choices": choices}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	events := []any{
		chunk([]any{map[string]any{"index": 0, "delta": map[string]any{"role": "assistant", "content": text}}}, nil),
		chunk([]any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": finish}}, nil),
		chunk([]any{}, map[string]any{"usage": map[string]any{
			"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
		}}),
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, e := range events {
		b, _ := json.Marshal(e)
		_, _ = fmt.Fprintf(w, "data: %s\n\n", b)
	}
	_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
}

func (openaiDialect) writeError(w http.ResponseWriter, status int, msg string) {
	typ, code := "server_error", any(nil)
	switch {
	case status == http.StatusUnauthorized:
		typ, code = "invalid_request_error", "invalid_api_key"
	case status == http.StatusTooManyRequests:
		typ, code = "requests", "rate_limit_exceeded"
	case status < 500:
		typ = "invalid_request_error"
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": code}})
}
