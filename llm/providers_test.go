package llm_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
)

// ollamaServer imitates Ollama's POST /api/chat (NDJSON, non-streaming).
type ollamaServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []map[string]any
}

func newOllama(t *testing.T, content string) *ollamaServer {
	t.Helper()
	s := &ollamaServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/chat" {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		if req["model"] == "missing" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model \"missing\" not found, try pulling it first"}` + "\n"))
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		half := len(content) / 2
		for _, line := range []map[string]any{
			{"model": req["model"], "message": map[string]any{"role": "assistant", "content": content[:half]}, "done": false},
			{"model": req["model"], "message": map[string]any{"role": "assistant", "content": content[half:]}, "done": false},
			{"model": req["model"], "message": map[string]any{"role": "assistant", "content": ""}, "done": true,
				"done_reason": "stop", "prompt_eval_count": 321, "eval_count": 54},
		} {
			b, _ := json.Marshal(line)
			_, _ = w.Write(append(b, '\n'))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestOllama(t *testing.T) {
	t.Parallel()
	srv := newOllama(t, answer)
	c := newClient(t, llm.Config{Provider: "ollama", BaseURL: srv.URL + "/api/"})
	resp, err := c.Generate(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, resp.Text, answer)
	if resp.Model != llm.DefaultModel("ollama") || resp.PromptTokens != 321 || resp.CompletionTokens != 54 {
		t.Errorf("response = %+v", resp)
	}
	req := srv.reqs[0]
	if req["format"] != "json" || req["model"] != "qwen2.5-coder:7b" {
		t.Errorf("format=%v model=%v", req["format"], req["model"])
	}
	msgs, _ := req["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages = %v", msgs)
	}
	sys, _ := msgs[0].(map[string]any)
	if sys["role"] != "system" || !strings.Contains(sys["content"].(string), `"findings"`) {
		t.Errorf("system message lacks the schema: %v", sys)
	}
	opts, _ := req["options"].(map[string]any)
	if opts["num_ctx"] == nil || opts["num_predict"] != float64(1000) {
		t.Errorf("options = %v", opts)
	}

	missing := newClient(t, llm.Config{Provider: "ollama", BaseURL: srv.URL, Model: "missing"})
	_, err = missing.Generate(t.Context(), request())
	if e := asError(t, err); e.Kind != llm.NotFound || e.Status != 404 {
		t.Errorf("missing model: %+v", e)
	}
}

func TestAzure(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{JSON: answer}, llmtest.Reply{JSON: answer})
	base := strings.TrimSuffix(srv.URL, "/v1")
	c := newClient(t, llm.Config{Provider: "azure", Model: "review-dep", APIKey: "az-key", BaseURL: base + "/openai/"})
	if _, err := c.Generate(t.Context(), request()); err != nil {
		t.Fatal(err)
	}
	call := srv.Calls()[0]
	if call.Path != "/openai/deployments/review-dep/chat/completions" || call.Header.Get("api-key") != "az-key" {
		t.Errorf("path %s, api-key %q", call.Path, call.Header.Get("api-key"))
	}
	if call.ResponseFormat != "json_schema" || call.Header.Get("Authorization") != "" {
		t.Errorf("format %q, Authorization %q", call.ResponseFormat, call.Header.Get("Authorization"))
	}
	pinned := newClient(t, llm.Config{Provider: "azure", Model: "d", APIKey: "k", BaseURL: base + "?api-version=2025-01-01-preview"})
	if _, err := pinned.Generate(t.Context(), request()); err != nil {
		t.Fatal(err)
	}
}

func TestAzureAPIVersionSent(t *testing.T) {
	t.Parallel()
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.Query().Get("api-version"))
		mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	for _, base := range []string{srv.URL, srv.URL + "?api-version=2025-01-01-preview"} {
		c := newClient(t, llm.Config{Provider: "azure", Model: "d", APIKey: "k", BaseURL: base, MaxAttempts: 1})
		_, _ = c.Generate(t.Context(), request())
	}
	if !slices.Equal(got, []string{"2024-10-21", "2025-01-01-preview"}) {
		t.Errorf("api-version = %v", got)
	}
}

func TestOpenAICompatibleFallsBackToJSONObject(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(
		llmtest.Reply{Status: 400, Body: `{"error":{"message":"response_format.type json_schema is not supported"}}`},
		llmtest.Reply{Text: answer},
		llmtest.Reply{Text: answer},
	)
	c := newClient(t, llm.Config{Provider: "openai-compatible", Model: "local", BaseURL: srv.URL})
	for range 2 {
		resp, err := c.Generate(t.Context(), request())
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, resp.Text, answer)
	}
	calls := srv.Calls()
	var formats []string
	for _, c := range calls {
		formats = append(formats, c.ResponseFormat)
	}
	if !slices.Equal(formats, []string{"json_schema", "json_object", "json_object"}) {
		t.Errorf("formats = %v", formats)
	}
	if !strings.Contains(calls[1].System, `"findings"`) || !strings.Contains(calls[1].System, "JSON") {
		t.Errorf("json_object call lacks the schema in the system prompt: %q", calls[1].System)
	}
	// Keyless: a dummy token, never empty.
	if calls[0].Header.Get("Authorization") == "" {
		t.Error("no Authorization header")
	}
	// Compatible servers get the widely supported max_tokens field.
	if !strings.Contains(string(calls[0].Body), `"max_tokens":1000`) {
		t.Errorf("body = %s", calls[0].Body)
	}
}

func TestOpenAIDoesNotFallBack(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{Status: 400, Body: `{"error":{"message":"Invalid schema for response_format 'submit_review'"}}`})
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
	_, err := c.Generate(t.Context(), request())
	if e := asError(t, err); e.Kind != llm.BadRequest || len(srv.Calls()) != 1 {
		t.Errorf("error = %+v, %d calls", e, len(srv.Calls()))
	}
}

func TestUnrepresentableSchemaUsesJSONObject(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{Text: `{"a":1}`})
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
	req := request()
	req.Schema = json.RawMessage(`{"type":"object","properties":{"a":{"anyOf":[{"type":"integer"},{"type":"string"}]}}}`)
	if _, err := c.Generate(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	call := srv.Calls()[0]
	if call.ResponseFormat != "json_object" || !strings.Contains(call.System, "anyOf") {
		t.Errorf("format %q, system %q", call.ResponseFormat, call.System)
	}
}

func TestMistralAndGeminiSpeakOpenAI(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"mistral", "googleai"} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewOpenAI(t)
			srv.Script(llmtest.Reply{JSON: answer, PromptTokens: 10, CompletionTokens: 5})
			c := newClient(t, llm.Config{Provider: p, APIKey: "k", BaseURL: srv.URL})
			resp, err := c.Generate(t.Context(), request())
			if err != nil {
				t.Fatal(err)
			}
			call := srv.Calls()[0]
			if call.Model != llm.DefaultModel(p) || call.ResponseFormat != "json_schema" || resp.PromptTokens != 10 {
				t.Errorf("model %q format %q usage %d", call.Model, call.ResponseFormat, resp.PromptTokens)
			}
			if !strings.Contains(string(call.Body), `"max_tokens":1000`) {
				t.Errorf("body = %s", call.Body)
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name string
		cfg  llm.Config
		want string
	}{
		{"unknown provider", llm.Config{Provider: "cohere", APIKey: "k"}, "LLM_PROVIDER"},
		{"missing key", llm.Config{Provider: "anthropic"}, "LLM_API_KEY"},
		{"azure without base", llm.Config{Provider: "azure", Model: "d", APIKey: "k"}, "LLM_BASE_URL"},
		{"azure without deployment", llm.Config{Provider: "azure", APIKey: "k", BaseURL: "https://r.openai.azure.com"}, "deployment"},
		{"compatible without model", llm.Config{Provider: "openai-compatible", BaseURL: "http://10.0.0.5:8000"}, "LLM_MODEL"},
		{"compatible without base", llm.Config{Provider: "openai-compatible", Model: "m"}, "LLM_BASE_URL"},
		{"http to a remote host", llm.Config{APIKey: "k", BaseURL: "http://api.example.com"}, "https"},
		{"userinfo", llm.Config{APIKey: "k", BaseURL: "https://u:p@api.example.com"}, "credentials"},
		{"query", llm.Config{APIKey: "k", BaseURL: "https://api.example.com/v1?x=1"}, "query"},
		{"not a URL", llm.Config{APIKey: "k", BaseURL: "api.example.com"}, "absolute"},
		{"ftp", llm.Config{APIKey: "k", BaseURL: "ftp://api.example.com"}, "absolute"},
		{"negative timeout", llm.Config{APIKey: "k", Timeout: -1}, "LLM_TIMEOUT"},
		{"temperature", llm.Config{APIKey: "k", Temperature: 3}, "temperature"},
		{"key with newline", llm.Config{APIKey: "k\n"}, "whitespace"},
		{"bedrock with a key", llm.Config{Provider: "bedrock", APIKey: "k"}, "AWS"},
		{"bedrock over http", llm.Config{Provider: "bedrock", BaseURL: "http://vpce.example.com"}, "https"},
	}
	for _, tc := range bad {
		_, err := llm.New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
	good := []llm.Config{
		{APIKey: "k"},
		{Provider: "OpenAI", APIKey: "k", BaseURL: "https://gateway.example.com/openai/v1/"},
		{Provider: "anthropic", APIKey: "k"},
		{Provider: "ollama"},
		{Provider: "ollama", BaseURL: "http://gpu-box.lan:11434"},
		{Provider: "openai-compatible", Model: "m", BaseURL: "http://10.0.0.5:8000"},
		{Provider: "openai", APIKey: "k", BaseURL: "http://localhost:4000"},
		{Provider: "openai", APIKey: "k", BaseURL: "http://[::1]:4000/v1"},
		{Provider: "googleai", APIKey: "k"},
		{Provider: "mistral", APIKey: "k"},
		{Provider: "bedrock"},
		{Provider: "bedrock", BaseURL: "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com"},
	}
	for _, cfg := range good {
		c, err := llm.New(cfg)
		if err != nil {
			t.Errorf("%+v: %v", cfg, err)
			continue
		}
		if c.Model() == "" {
			t.Errorf("%s: no model", c.Provider())
		}
	}
	if got := llm.Providers(); len(got) != 8 || got[0] != "openai" {
		t.Errorf("Providers() = %v", got)
	}
	for _, p := range []string{"openai", "anthropic", "ollama", "mistral", "googleai", "bedrock"} {
		if llm.DefaultModel(p) == "" {
			t.Errorf("no default model for %s", p)
		}
	}
	if llm.DefaultModel("azure") != "" || llm.DefaultModel("nope") != "" {
		t.Error("azure and unknown providers have no default model")
	}
}
