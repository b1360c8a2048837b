package llm

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckBaseURLAppliesNewsRules(t *testing.T) {
	for _, tc := range []struct {
		provider, base string
		plainHTTP, ok  bool
	}{
		{"openai", "http://llm.example.com/v1", true, false},
		{"anthropic", "http://llm.example.com", true, false},
		{"openai", "http://127.0.0.1:8080", false, true},
		{"openai", "https://gateway.example.com/v1", false, true},
		{"ollama", "http://ollama.internal:11434", false, true},
		{"openai-compatible", "http://vllm.internal:8000", false, true},
		{"openai", "https://user:pw@llm.example.com", false, false},
		{"openai", "", false, true},
	} {
		err := CheckBaseURL(tc.provider, tc.base)
		assert.Equal(t, tc.ok, err == nil, "%s %s: %v", tc.provider, tc.base, err)
		assert.Equal(t, tc.plainHTTP, errors.Is(err, ErrPlainHTTP), "%s %s", tc.provider, tc.base)
		_, nerr := New(Config{Provider: tc.provider, APIKey: "k", Model: "m", BaseURL: tc.base})
		assert.Equal(t, err == nil, nerr == nil, "CheckBaseURL agrees with New: %s %s: %v", tc.provider, tc.base, nerr)
	}
}
