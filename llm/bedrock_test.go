//go:build !nobedrock

package llm_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bitreview/bitreview/llm"
)

// awsEnv gives the AWS SDK static credentials and a region, and keeps it
// away from the machine's shared files and instance metadata.
func awsEnv(t *testing.T, secret string) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDLLMTEST", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
}

// bedrockServer imitates POST /model/{id}/invoke for Anthropic models.
type bedrockServer struct {
	*httptest.Server
	mu      sync.Mutex
	paths   []string
	bodies  []map[string]any
	headers []http.Header
	replies []func(w http.ResponseWriter)
}

func newBedrock(t *testing.T, replies ...func(w http.ResponseWriter)) *bedrockServer {
	s := &bedrockServer{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.EscapedPath())
		s.bodies = append(s.bodies, body)
		s.headers = append(s.headers, r.Header.Clone())
		reply := s.replies[0]
		if len(s.replies) > 1 {
			s.replies = s.replies[1:]
		}
		s.mu.Unlock()
		reply(w)
	}))
	t.Cleanup(s.Close)
	return s
}

func bedrockAnswer(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "msg_1", "type": "message", "role": "assistant", "stop_reason": "tool_use",
		"content": []any{
			map[string]any{"type": "text", "text": "Submitting."},
			map[string]any{"type": "tool_use", "id": "t1", "name": "submit_review", "input": json.RawMessage(answer)},
		},
		"usage": map[string]any{"input_tokens": 77, "output_tokens": 11},
	})
}

func bedrockThrottle(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
	w.Header().Set("Retry-After", "3")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"message":"Too many requests, please wait before trying again."}`))
}

func TestBedrock(t *testing.T) {
	awsEnv(t, canary)
	srv := newBedrock(t, bedrockThrottle, bedrockAnswer)
	var sl sleeps
	c := newClient(t, llm.Config{Provider: "bedrock", BaseURL: srv.URL, Sleep: sl.sleep})
	resp, err := c.Generate(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, resp.Text, answer)
	if resp.PromptTokens != 77 || resp.CompletionTokens != 11 || resp.Model != llm.DefaultModel("bedrock") {
		t.Errorf("response = %+v", resp)
	}
	if got := sl.got(); len(got) != 1 || got[0].Seconds() != 3 {
		t.Errorf("sleeps = %v, want [3s]", got)
	}
	if len(srv.paths) != 2 || !strings.HasPrefix(srv.paths[1], "/model/global.anthropic.claude-sonnet-4-5") ||
		!strings.HasSuffix(srv.paths[1], "/invoke") {
		t.Errorf("paths = %v", srv.paths)
	}
	body := srv.bodies[1]
	tools, _ := body["tools"].([]any)
	choice, _ := body["tool_choice"].(map[string]any)
	if len(tools) != 1 || choice["type"] != "tool" || choice["name"] != "submit_review" || body["max_tokens"] != float64(1000) {
		t.Errorf("body = %v", body)
	}
	if auth := srv.headers[1].Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256") || strings.Contains(auth, canary) {
		t.Errorf("Authorization = %q", auth)
	}
}

func TestBedrockErrorsAndDefaultHost(t *testing.T) {
	awsEnv(t, canary)
	srv := newBedrock(t, func(w http.ResponseWriter) {
		w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"message":"not authorized ` + canary + `"}`))
	})
	c := newClient(t, llm.Config{Provider: "bedrock", BaseURL: srv.URL})
	_, err := c.Generate(t.Context(), request())
	if e := asError(t, err); e.Kind != llm.Auth || e.Status != 403 || e.Attempts != 1 {
		t.Errorf("error = %+v", e)
	}
	assertNoCanary(t, err)

	// Without BaseURL the request goes to the region's runtime host only.
	var hosts []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hosts = append(hosts, r.URL.Host)
		rec := httptest.NewRecorder()
		bedrockAnswer(rec)
		return rec.Result(), nil
	})
	def := newClient(t, llm.Config{Provider: "bedrock", Model: "anthropic.claude-x", HTTPClient: &http.Client{Transport: rt}})
	if _, err := def.Generate(t.Context(), request()); err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 1 || hosts[0] != "bedrock-runtime.us-east-1.amazonaws.com" {
		t.Errorf("hosts = %v", hosts)
	}

	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	noRegion := newClient(t, llm.Config{Provider: "bedrock", MaxAttempts: 3})
	_, err = noRegion.Generate(t.Context(), request())
	if e := asError(t, err); e.Kind != llm.BadRequest || e.Attempts != 1 || !strings.Contains(e.Error(), "AWS_REGION") {
		t.Errorf("no region: %+v", e)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
