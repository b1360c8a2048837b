package llmtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds a request body; real prompts stay far below it.
const maxBody = 32 << 20

// dialect is one wire format.
type dialect interface {
	path(p string) bool
	parse(r *http.Request, body []byte) (Call, error)
	checkAuth(h http.Header, key string) (status int, msg string)
	answer(c Call, r Reply) any
	writeStream(w http.ResponseWriter, c Call, r Reply)
	writeError(w http.ResponseWriter, status int, msg string)
}

func dialectFor(f Flavor) dialect {
	if f == Anthropic {
		return anthropicDialect{}
	}
	return openaiDialect{}
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxBody {
		return nil, errors.New("request body too large")
	}
	return b, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func defaultMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "llmtest: bad request"
	case http.StatusUnauthorized:
		return "llmtest: invalid API key"
	case http.StatusForbidden:
		return "llmtest: forbidden"
	case http.StatusNotFound:
		return "llmtest: model not found"
	case http.StatusTooManyRequests:
		return "llmtest: rate limit reached, retry later"
	case 529:
		return "Overloaded"
	default:
		if status >= 500 {
			return "llmtest: server error"
		}
		return "llmtest: error " + http.StatusText(status)
	}
}

// textOf reads a message content that is a string or a list of parts.
func textOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return ""
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "text" || p.Type == "" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "")
}

func join(dst *string, s string) {
	if s == "" {
		return
	}
	if *dst != "" {
		*dst += "\n\n"
	}
	*dst += s
}

// content is what the model "says" for r: JSON, else Text.
func content(r Reply) string {
	if r.JSON != "" {
		return r.JSON
	}
	return r.Text
}

func usage(c Call, r Reply, answer string) (prompt, completion int) {
	prompt, completion = r.PromptTokens, r.CompletionTokens
	if prompt == 0 {
		prompt = (len(c.System) + len(c.Prompt)) / 4
	}
	if completion == 0 {
		completion = len(answer) / 4
	}
	return prompt, completion
}

func bearer(h http.Header) string {
	v := h.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return v[7:]
	}
	return ""
}
