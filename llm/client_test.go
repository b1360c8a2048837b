package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

const testSchema = `{
  "type": "object",
  "properties": {
    "summary": {"type": "string", "description": "what changed"},
    "findings": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "line": {"type": "integer", "minimum": 1},
          "severity": {"type": "string", "enum": ["low", "high"]}
        },
        "required": ["line", "severity"]
      }
    }
  },
  "required": ["summary", "findings"]
}`

const answer = `{"summary":"adds a cache","findings":[{"line":3,"severity":"high"}]}`

func request() review.Request {
	return review.Request{
		System:     "You review code.",
		Prompt:     "diff --git a/x.go b/x.go",
		SchemaName: "submit_review",
		Schema:     json.RawMessage(testSchema),
		MaxTokens:  1000,
	}
}

// sleeps records the waits of a fake Sleep.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newClient(t *testing.T, cfg llm.Config) *llm.Client {
	t.Helper()
	if cfg.Sleep == nil {
		cfg.Sleep = (&sleeps{}).sleep
	}
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func asError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not *llm.Error", err, err)
	}
	return e
}

func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("answer = %s, want %s", gb, wb)
	}
}

func TestOpenAIStructuredOutput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, suffix string }{{"with v1", ""}, {"without v1", "strip"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewOpenAI(t)
			srv.Script(llmtest.Reply{JSON: answer, PromptTokens: 120, CompletionTokens: 30})
			base := srv.URL
			if tc.suffix == "strip" {
				base = strings.TrimSuffix(srv.URL, "/v1") + "/"
			}
			c := newClient(t, llm.Config{Provider: "openai", APIKey: "sk-test", BaseURL: base, Model: "gpt-test"})
			resp, err := c.Generate(t.Context(), request())
			if err != nil {
				t.Fatal(err)
			}
			jsonEqual(t, resp.Text, answer)
			if resp.Model != "gpt-test" || resp.PromptTokens != 120 || resp.CompletionTokens != 30 {
				t.Errorf("response = %+v", resp)
			}
			calls := srv.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			call := calls[0]
			if call.Path != "/v1/chat/completions" || call.Model != "gpt-test" || call.MaxTokens != 1000 {
				t.Errorf("call path=%s model=%s max=%d", call.Path, call.Model, call.MaxTokens)
			}
			if call.ResponseFormat != "json_schema" || call.SchemaName != "submit_review" {
				t.Errorf("response_format = %q %q", call.ResponseFormat, call.SchemaName)
			}
			var schema struct {
				Type       string                     `json:"type"`
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			}
			if err := json.Unmarshal(call.Schema, &schema); err != nil || schema.Type != "object" ||
				len(schema.Required) != 2 || schema.Properties["findings"] == nil {
				t.Errorf("schema sent = %s (%v)", call.Schema, err)
			}
			if !strings.Contains(string(call.Body), `"strict":false`) {
				t.Errorf("strict not false: %s", call.Body)
			}
			if call.System != "You review code." || call.Prompt != "diff --git a/x.go b/x.go" {
				t.Errorf("system=%q prompt=%q", call.System, call.Prompt)
			}
			if got := call.Header.Get("Authorization"); got != "Bearer sk-test" {
				t.Errorf("Authorization = %q", got)
			}
		})
	}
}

func TestAnthropicStructuredOutput(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewAnthropic(t)
	srv.Script(llmtest.Reply{JSON: answer})
	c := newClient(t, llm.Config{Provider: "anthropic", APIKey: "ak-test", BaseURL: strings.TrimSuffix(srv.URL, "/v1")})
	req := request()
	req.MaxTokens = 0
	resp, err := c.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, resp.Text, answer)
	call := srv.Calls()[0]
	if call.Model != "claude-sonnet-4-5" || resp.Model != "claude-sonnet-4-5" {
		t.Errorf("model = %q / %q", call.Model, resp.Model)
	}
	if call.MaxTokens != llm.DefaultMaxTokens {
		t.Errorf("max_tokens = %d, want %d", call.MaxTokens, llm.DefaultMaxTokens)
	}
	if len(call.Tools) != 1 || call.SchemaName != "submit_review" {
		t.Fatalf("tools = %v", call.Tools)
	}
	jsonEqual(t, string(call.Schema), testSchema)
	if !strings.HasPrefix(call.System, "You review code.\n\n") || !strings.Contains(call.System, "`submit_review`") {
		t.Errorf("system = %q", call.System)
	}
	if call.Header.Get("x-api-key") != "ak-test" || call.Header.Get("anthropic-version") == "" {
		t.Errorf("headers = %v", call.Header)
	}
	wantPrompt := (len(call.System) + len(call.Prompt)) / 4
	if resp.PromptTokens != wantPrompt || resp.CompletionTokens != len(answer)/4 {
		t.Errorf("usage = %d/%d, want %d/%d", resp.PromptTokens, resp.CompletionTokens, wantPrompt, len(answer)/4)
	}
}

func TestAnthropicMultiBlockAnswer(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewAnthropic(t)
	srv.Script(
		llmtest.Reply{Thinking: "let me look", Text: "Here is my review.", JSON: answer, PromptTokens: 900, CompletionTokens: 70},
		llmtest.Reply{Text: "Sure! ```json\n" + answer + "\n```"},
	)
	c := newClient(t, llm.Config{Provider: "anthropic", APIKey: "ak", BaseURL: srv.URL})

	resp, err := c.Generate(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, resp.Text, answer)
	// Three blocks each carry the usage; it must be counted once.
	if resp.PromptTokens != 900 || resp.CompletionTokens != 70 {
		t.Errorf("usage = %d/%d, want 900/70", resp.PromptTokens, resp.CompletionTokens)
	}

	// No tool call: the text blocks are the answer, left to the caller to parse.
	resp, err = c.Generate(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Text, "```json") {
		t.Errorf("text fallback = %q", resp.Text)
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	for _, flavor := range []llmtest.Flavor{llmtest.OpenAI, llmtest.Anthropic} {
		t.Run(flavor.String(), func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(flavor)
			srv.Start()
			t.Cleanup(srv.Close)
			srv.Script(llmtest.Reply{Status: 429, RetryAfter: "7"}, llmtest.Reply{JSON: answer})
			var sl sleeps
			c := newClient(t, llm.Config{Provider: flavor.String(), APIKey: "k", BaseURL: srv.URL, Sleep: sl.sleep})
			resp, err := c.Generate(t.Context(), request())
			if err != nil {
				t.Fatal(err)
			}
			jsonEqual(t, resp.Text, answer)
			if got := sl.got(); len(got) != 1 || got[0] != 7*time.Second {
				t.Errorf("sleeps = %v, want [7s]", got)
			}
			if n := len(srv.Calls()); n != 2 {
				t.Errorf("%d calls, want 2", n)
			}
		})
	}
}

func TestServerErrorsBoundedAttempts(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Status: 500} })
	var sl sleeps
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL, MaxAttempts: 3, Sleep: sl.sleep})
	_, err := c.Generate(t.Context(), request())
	e := asError(t, err)
	if e.Kind != llm.Unavailable || e.Status != 500 || e.Attempts != 3 || !e.Retryable() {
		t.Errorf("error = %+v", e)
	}
	if n := len(srv.Calls()); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	for i, d := range sl.got() {
		if limit := time.Second << i; d < 0 || d > limit {
			t.Errorf("backoff %d = %v, want within [0, %v]", i, d, limit)
		}
	}
}

func TestRetryNeverPastDeadline(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewAnthropic(t)
	srv.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Status: 529, RetryAfter: "30"} })
	var sl sleeps
	c := newClient(t, llm.Config{Provider: "anthropic", APIKey: "k", BaseURL: srv.URL, MaxAttempts: 10, Sleep: sl.sleep})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := c.Generate(ctx, request())
	e := asError(t, err)
	if e.Kind != llm.Unavailable || e.Status != 529 || e.RetryAfter != 30*time.Second || e.Attempts != 1 {
		t.Errorf("error = %+v", e)
	}
	if len(sl.got()) != 0 || len(srv.Calls()) != 1 {
		t.Errorf("slept %v, %d calls; want no wait past the deadline", sl.got(), len(srv.Calls()))
	}
}

func TestHungCallTimesOut(t *testing.T) {
	t.Parallel()
	for _, flavor := range []llmtest.Flavor{llmtest.OpenAI, llmtest.Anthropic} {
		t.Run(flavor.String(), func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(flavor)
			srv.Start()
			t.Cleanup(srv.Close)
			srv.Script(llmtest.Reply{Hang: true}, llmtest.Reply{JSON: answer}, llmtest.Reply{Hang: true})
			c := newClient(t, llm.Config{Provider: flavor.String(), APIKey: "k", BaseURL: srv.URL, Timeout: 100 * time.Millisecond})
			resp, err := c.Generate(t.Context(), request())
			if err != nil {
				t.Fatalf("retry after a timed-out attempt: %v", err)
			}
			jsonEqual(t, resp.Text, answer)

			one := newClient(t, llm.Config{Provider: flavor.String(), APIKey: "k", BaseURL: srv.URL,
				Timeout: 100 * time.Millisecond, MaxAttempts: 1})
			_, err = one.Generate(t.Context(), request())
			e := asError(t, err)
			if e.Kind != llm.Timeout || !e.Retryable() || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %+v", e)
			}
		})
	}
}

func TestCallerDeadlineAndCancel(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Hang: true} })
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Generate(ctx, request())
	if e := asError(t, err); e.Kind != llm.Timeout || e.Attempts != 1 {
		t.Errorf("deadline: %+v", e)
	}

	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	before := len(srv.Calls())
	_, err = c.Generate(ctx, request())
	if e := asError(t, err); e.Kind != llm.Canceled || e.Retryable() || !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %+v", e)
	}
	if len(srv.Calls()) != before {
		t.Error("a canceled context still sent a request")
	}
}

func TestAuthNotRetried(t *testing.T) {
	t.Parallel()
	for _, flavor := range []llmtest.Flavor{llmtest.OpenAI, llmtest.Anthropic} {
		t.Run(flavor.String(), func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(flavor)
			srv.Start()
			t.Cleanup(srv.Close)
			srv.SetAPIKey("right")
			c := newClient(t, llm.Config{Provider: flavor.String(), APIKey: "wrong", BaseURL: srv.URL})
			_, err := c.Generate(t.Context(), request())
			e := asError(t, err)
			if e.Kind != llm.Auth || e.Status != 401 || e.Retryable() || e.Attempts != 1 {
				t.Errorf("error = %+v", e)
			}
			if n := len(srv.Calls()); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestStatusKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reply llmtest.Reply
		kind  llm.Kind
	}{
		{llmtest.Reply{Status: 400}, llm.BadRequest},
		{llmtest.Reply{Status: 403}, llm.Auth},
		{llmtest.Reply{Status: 404}, llm.NotFound},
		{llmtest.Reply{Status: 400, Body: `{"error":{"message":"This model's maximum context length is 128000 tokens","code":"context_length_exceeded"}}`}, llm.ContextLength},
		{llmtest.Reply{Status: 429, Body: `{"error":{"message":"You exceeded your current quota, please check your plan","code":"insufficient_quota"}}`}, llm.Quota},
		{llmtest.Reply{Text: `{"summary":"cut`, FinishReason: "length"}, llm.Truncated},
		{llmtest.Reply{Text: "I can't help with that", FinishReason: "content_filter"}, llm.Refused},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewOpenAI(t)
			srv.Script(tc.reply)
			c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
			_, err := c.Generate(t.Context(), request())
			if e := asError(t, err); e.Kind != tc.kind || e.Retryable() {
				t.Errorf("error = %+v, want kind %v, not retryable", e, tc.kind)
			}
			if n := len(srv.Calls()); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestTruncatedButValidJSONIsAnAnswer(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{JSON: answer, FinishReason: "length"})
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
	resp, err := c.Generate(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, resp.Text, answer)
}

func TestLightModel(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{JSON: answer} })
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL, Model: "big", LightModel: "small"})
	req := request()
	req.Light = true
	resp, err := c.Generate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Model != "small" || srv.Calls()[0].Model != "small" {
		t.Errorf("light model = %q / %q", resp.Model, srv.Calls()[0].Model)
	}
	plain := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL, Model: "big"})
	if resp, err = plain.Generate(t.Context(), req); err != nil || resp.Model != "big" {
		t.Errorf("LightModel unset: model %q, %v", resp.Model, err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.SetDefault(func(c llmtest.Call) llmtest.Reply {
		return llmtest.Reply{JSON: `{"summary":"` + c.Prompt + `","findings":[]}`}
	})
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			req := request()
			req.Prompt = strings.Repeat("p", i+1)
			resp, err := c.Generate(t.Context(), req)
			if err == nil && !strings.Contains(resp.Text, req.Prompt+`"`) {
				err = errors.New("wrong answer " + resp.Text)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	for _, call := range srv.Calls() {
		if call.ResponseFormat != "json_schema" {
			t.Errorf("call without json_schema: %q", call.ResponseFormat)
		}
	}
}

func TestPlainTextRequest(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewAnthropic(t)
	srv.Script(llmtest.Reply{Text: "Looks fine."})
	c := newClient(t, llm.Config{Provider: "anthropic", APIKey: "k", BaseURL: srv.URL})
	resp, err := c.Generate(t.Context(), review.Request{Prompt: "Explain this hunk."})
	if err != nil || resp.Text != "Looks fine." {
		t.Fatalf("resp = %+v, %v", resp, err)
	}
	call := srv.Calls()[0]
	if len(call.Tools) != 0 || call.System != "" {
		t.Errorf("plain request sent tools %v / system %q", call.Tools, call.System)
	}
}

func TestRequestValidation(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
	for _, req := range []review.Request{
		{Prompt: " "},
		{Prompt: "x", Schema: json.RawMessage(`[1,2]`)},
	} {
		_, err := c.Generate(t.Context(), req)
		if e := asError(t, err); e.Kind != llm.BadRequest {
			t.Errorf("%+v: kind %v", req, e.Kind)
		}
	}
	if len(srv.Calls()) != 0 {
		t.Error("an invalid request was sent")
	}
}

func TestBodyCutShortIsRetried(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{Body: `{"id":"x","choices":[{"message":{"content":"{\"sum`}, llmtest.Reply{JSON: answer})
	c := newClient(t, llm.Config{APIKey: "k", BaseURL: srv.URL})
	resp, err := c.Generate(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, resp.Text, answer)
}
