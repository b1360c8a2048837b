package llmtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bitreview/bitreview/llm/llmtest"
)

func post(t *testing.T, url string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var (
	openaiAuth    = map[string]string{"Authorization": "Bearer k"}
	anthropicAuth = map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"}
)

const chatBody = `{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"hello world"}]}]}`

func TestOpenAIScriptAndDefault(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{JSON: `{"a":1}`}, llmtest.Reply{Status: 429, RetryAfter: "2"})
	srv.SetDefault(func(c llmtest.Call) llmtest.Reply { return llmtest.Reply{Text: "default for " + c.Prompt} })

	resp, body := post(t, srv.URL+"/chat/completions", openaiAuth, chatBody)
	var out struct {
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if out.Choices[0].Message.Content != `{"a":1}` || out.Choices[0].FinishReason != "stop" {
		t.Errorf("answer = %+v", out)
	}
	if out.Usage.PromptTokens != len("syshello world")/4 || out.Usage.CompletionTokens != len(`{"a":1}`)/4 {
		t.Errorf("usage = %+v", out.Usage)
	}

	resp, body = post(t, srv.URL+"/chat/completions", openaiAuth, chatBody)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(body, `"error"`) {
		t.Errorf("429 reply: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	_, body = post(t, srv.URL+"/chat/completions", openaiAuth, chatBody)
	if !strings.Contains(body, "default for hello world") {
		t.Errorf("default reply: %s", body)
	}
	calls := srv.Calls()
	if len(calls) != 3 || calls[0].System != "sys" || calls[0].Prompt != "hello world" || calls[0].Model != "m" {
		t.Errorf("calls = %+v", calls)
	}
	if srv.Pending() != 0 {
		t.Errorf("pending = %d", srv.Pending())
	}
}

func TestAuthChecks(t *testing.T) {
	t.Parallel()
	o := llmtest.NewOpenAI(t)
	if resp, _ := post(t, o.URL+"/chat/completions", nil, chatBody); resp.StatusCode != 401 {
		t.Errorf("openai without key: %d", resp.StatusCode)
	}
	o.SetAPIKey("right")
	if resp, _ := post(t, o.URL+"/chat/completions", openaiAuth, chatBody); resp.StatusCode != 401 {
		t.Errorf("openai wrong key: %d", resp.StatusCode)
	}
	a := llmtest.NewAnthropic(t)
	body := `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`
	if resp, _ := post(t, a.URL+"/messages", map[string]string{"x-api-key": "k"}, body); resp.StatusCode != 400 {
		t.Errorf("anthropic without anthropic-version: %d", resp.StatusCode)
	}
	if resp, _ := post(t, a.URL+"/messages", map[string]string{"anthropic-version": "2023-06-01"}, body); resp.StatusCode != 401 {
		t.Errorf("anthropic without x-api-key: %d", resp.StatusCode)
	}
	if resp, _ := post(t, a.URL+"/messages", anthropicAuth, `{"model":"m","messages":[]}`); resp.StatusCode != 400 {
		t.Errorf("anthropic without max_tokens: %d", resp.StatusCode)
	}
	if resp, _ := post(t, a.URL+"/nope", anthropicAuth, body); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

func TestAnthropicBlocks(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewAnthropic(t)
	srv.Script(llmtest.Reply{Thinking: "hmm", Text: "here", JSON: `{"ok":true}`, PromptTokens: 9})
	body := `{"model":"m","max_tokens":10,"system":"sys","messages":[{"role":"user","content":"hi"}],
		"tools":[{"name":"submit","input_schema":{"type":"object"}}]}`
	_, out := post(t, srv.URL+"/messages", anthropicAuth, body)
	var msg struct {
		Content []struct {
			Type  string          `json:"type"`
			Name  string          `json:"name"`
			Input json.RawMessage `json:"input"`
		}
		StopReason string `json:"stop_reason"`
		Usage      struct {
			InputTokens int `json:"input_tokens"`
		}
	}
	if err := json.Unmarshal([]byte(out), &msg); err != nil {
		t.Fatal(err, out)
	}
	var types []string
	for _, b := range msg.Content {
		types = append(types, b.Type)
	}
	if strings.Join(types, ",") != "thinking,text,tool_use" || msg.StopReason != "tool_use" || msg.Usage.InputTokens != 9 {
		t.Errorf("message = %s", out)
	}
	if last := msg.Content[2]; last.Name != "submit" || string(last.Input) != `{"ok":true}` {
		t.Errorf("tool_use = %+v", last)
	}
	call := srv.Calls()[0]
	if call.System != "sys" || string(call.Schema) != `{"type":"object"}` || call.SchemaName != "submit" {
		t.Errorf("call = %+v", call)
	}
}

func TestStreamingDoesNotCrash(t *testing.T) {
	t.Parallel()
	o := llmtest.NewOpenAI(t)
	o.Script(llmtest.Reply{Text: "streamed"})
	_, body := post(t, o.URL+"/chat/completions", openaiAuth, strings.Replace(chatBody, `{"model"`, `{"stream":true,"model"`, 1))
	if !strings.Contains(body, "data: [DONE]") || !strings.Contains(body, "streamed") {
		t.Errorf("openai stream = %s", body)
	}
	a := llmtest.NewAnthropic(t)
	a.Script(llmtest.Reply{Text: "streamed"})
	_, body = post(t, a.URL+"/messages", anthropicAuth, `{"stream":true,"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`)
	if !strings.Contains(body, "event: message_stop") || !strings.Contains(body, "streamed") {
		t.Errorf("anthropic stream = %s", body)
	}
}

func TestHangReleasedOnClose(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(llmtest.OpenAI)
	srv.Start()
	srv.Script(llmtest.Reply{Hang: true})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", bytes.NewReader([]byte(chatBody)))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for len(srv.Calls()) == 0 {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a hung reply")
	}
	<-done
}

func TestConcurrentScript(t *testing.T) {
	t.Parallel()
	srv := llmtest.NewOpenAI(t)
	const n = 20
	for i := range n {
		srv.Script(llmtest.Reply{Text: strings.Repeat("x", i+1)})
	}
	var wg sync.WaitGroup
	seen := make(chan int, n)
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/chat/completions", strings.NewReader(chatBody))
			req.Header.Set("Authorization", "Bearer k")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var out struct {
				Choices []struct{ Message struct{ Content string } }
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			seen <- len(out.Choices[0].Message.Content)
		})
	}
	wg.Wait()
	close(seen)
	got := map[int]bool{}
	for l := range seen {
		got[l] = true
	}
	if len(got) != n || len(srv.Calls()) != n {
		t.Errorf("each reply must be used once: %d distinct, %d calls", len(got), len(srv.Calls()))
	}
}
