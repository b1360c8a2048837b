package llm

import (
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"
)

func TestNormaliseBase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		provider, in, want, version string
	}{
		{"openai", "", "https://api.openai.com/v1", ""},
		{"openai", "https://proxy.example.com", "https://proxy.example.com/v1", ""},
		{"openai", "https://proxy.example.com/v1/", "https://proxy.example.com/v1", ""},
		{"openai", "https://proxy.example.com/openai", "https://proxy.example.com/openai/v1", ""},
		{"anthropic", "", "https://api.anthropic.com/v1", ""},
		{"anthropic", "http://127.0.0.1:8080", "http://127.0.0.1:8080/v1", ""},
		{"mistral", "", "https://api.mistral.ai/v1", ""},
		{"googleai", "", "https://generativelanguage.googleapis.com/v1beta/openai", ""},
		{"openai-compatible", "http://vllm:8000", "http://vllm:8000/v1", ""},
		{"openai-compatible", "https://gw.example.com/v1beta/openai/", "https://gw.example.com/v1beta/openai", ""},
		{"azure", "https://r.openai.azure.com/", "https://r.openai.azure.com", azureAPIVersion},
		{"azure", "https://r.openai.azure.com/openai/v1?api-version=2025-01-01", "https://r.openai.azure.com", "2025-01-01"},
		{"ollama", "", "http://localhost:11434", ""},
		{"ollama", "http://gpu:11434/api/", "http://gpu:11434", ""},
		{"ollama", "http://gpu:11434/v1", "http://gpu:11434", ""},
	}
	for _, tc := range cases {
		sp, _ := lookup(tc.provider)
		u, ver, err := normaliseBase(sp, tc.in)
		if err != nil {
			t.Errorf("%s %q: %v", tc.provider, tc.in, err)
			continue
		}
		if u.String() != tc.want || ver != tc.version {
			t.Errorf("%s %q = %s %q, want %s %q", tc.provider, tc.in, u, ver, tc.want, tc.version)
		}
	}
	for _, host := range []string{"localhost", "app.localhost", "127.0.0.2", "::1"} {
		if !IsLoopback(host) {
			t.Errorf("%s is loopback", host)
		}
	}
	for _, host := range []string{"example.com", "10.0.0.1", "localhost.example.com", "0.0.0.0"} {
		if IsLoopback(host) {
			t.Errorf("%s is not loopback", host)
		}
	}
}

func TestBackoffFullJitter(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 40; n++ {
		limit := min(backoffCap, backoffBase<<min(n-1, 10))
		for range 50 {
			if d := backoff(n); d < 0 || d > limit {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", n, d, limit)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{}, 0},
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, 250 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(9 * time.Second).Format(http.TimeFormat)}}, 9 * time.Second},
		{http.Header{"Retry-After": {"-4"}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.h, now); got != tc.want {
			t.Errorf("%v = %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestJSONSchemaFormat(t *testing.T) {
	t.Parallel()
	rf, ok := jsonSchemaFormat("x", json.RawMessage(`{"type":"object","properties":{
		"n":{"type":["integer","null"],"minimum":1},
		"tags":{"type":"array","items":{"enum":["a","b"]}},
		"obj":{"properties":{"k":{"type":"boolean"}},"additionalProperties":true}},
		"required":["n"]}`))
	if !ok {
		t.Fatal("not representable")
	}
	p := rf.JSONSchema.Schema
	if p.Properties["n"].Type != "integer" || p.Properties["tags"].Items.Type != "string" ||
		p.Properties["obj"].Type != "object" || !p.Properties["obj"].AdditionalProperties ||
		len(p.Required) != 1 || rf.JSONSchema.Strict {
		b, _ := json.Marshal(rf)
		t.Errorf("converted = %s", b)
	}
	for _, s := range []string{`{"type":"array"}`, `{"$ref":"#/$defs/a"}`, `{"type":"object","properties":{"a":{"oneOf":[]}}}`, `{"type":"object","properties":{"a":{}}}`, `[]`} {
		if _, ok := jsonSchemaFormat("x", json.RawMessage(s)); ok {
			t.Errorf("%s accepted", s)
		}
	}
	if got := toolName("submit review/v2"); got != "submit_review_v2" {
		t.Errorf("toolName = %q", got)
	}
	if got := toolName(""); got != "answer" {
		t.Errorf("toolName(\"\") = %q", got)
	}
	if got := toolName(strings.Repeat("a", 100)); len(got) != 64 {
		t.Errorf("toolName length %d", len(got))
	}
}

func TestReadUsage(t *testing.T) {
	t.Parallel()
	info := map[string]any{"InputTokens": 100, "OutputTokens": 20, "CacheReadInputTokens": 5, "CacheCreationInputTokens": 0}
	resp := &llms.ContentResponse{Choices: []*llms.ContentChoice{
		{GenerationInfo: info}, {GenerationInfo: info}, nil, {GenerationInfo: info},
	}}
	if p, c := readUsage(resp, anthropicUsage()); p != 105 || c != 20 {
		t.Errorf("anthropic usage = %d/%d, want 105/20", p, c)
	}
	resp = &llms.ContentResponse{Choices: []*llms.ContentChoice{{GenerationInfo: map[string]any{"PromptTokens": int64(7), "CompletionTokens": 3.0}}}}
	if p, c := readUsage(resp, openaiUsage()); p != 7 || c != 3 {
		t.Errorf("openai usage = %d/%d", p, c)
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	forms := secretForms("k+y/=")
	err := scrub(errors.New("a k+y/= b k%2By%2F%3D c "+strings.Repeat("x", 2000)), forms)
	if strings.Contains(err.Error(), "k+y") || strings.Contains(err.Error(), "k%2B") || len(err.Error()) > maxErrorText+10 {
		t.Errorf("scrubbed = %q", err)
	}
	if errors.Unwrap(err) != nil {
		t.Error("a scrubbed error must not unwrap to its unscrubbed cause")
	}
	if secretForms("") != nil {
		t.Error("no forms for an empty key")
	}
}

// TestNoLoggingHTTPClient guards requirement 12: langchaingo's
// httputil.LoggingClient and DebugHTTPClient dump Authorization headers.
func TestNoLoggingHTTPClient(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "github.com/tmc/langchaingo/httputil" || p == "log" || p == "log/slog" {
				t.Errorf("%s imports %s", name, p)
			}
		}
	}
}
