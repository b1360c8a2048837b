package llm_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
)

const canary = "sk-CANARY-7f3a9c1e5b"

// assertNoCanary fails if the key appears in err's text or anywhere in its
// chain, raw or encoded.
func assertNoCanary(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error")
	}
	forms := []string{canary, url.QueryEscape(canary), base64.StdEncoding.EncodeToString([]byte(canary))}
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			for _, f := range forms {
				if strings.Contains(text, f) {
					t.Errorf("secret leaked in error text: %s", text)
				}
			}
		}
	}
}

// leakyTransport fails every request with an error quoting the key.
type leakyTransport struct{}

func (leakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return nil, errors.New("proxy rejected Authorization: " + r.Header.Get("Authorization") +
		" x-api-key=" + r.Header.Get("x-api-key") + " b64=" + base64.StdEncoding.EncodeToString([]byte(canary)))
}

func TestCanaryKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	echo := `{"error":{"message":"Incorrect API key provided: ` + canary + `"},"type":"error"}`
	aecho := `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ` + canary + `"}}`
	for _, flavor := range []llmtest.Flavor{llmtest.OpenAI, llmtest.Anthropic} {
		body := echo
		if flavor == llmtest.Anthropic {
			body = aecho
		}
		replies := map[string]llmtest.Reply{
			"401 echo":  {Status: 401, Body: body},
			"500 echo":  {Status: 500, Body: body},
			"429 echo":  {Status: 429, Body: body, RetryAfter: "1"},
			"400 echo":  {Status: 400, Body: body},
			"200 bogus": {Body: "not json " + canary},
			"timeout":   {Hang: true},
		}
		for name, reply := range replies {
			t.Run(flavor.String()+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv := llmtest.New(flavor)
				srv.Start()
				t.Cleanup(srv.Close)
				srv.SetDefault(func(llmtest.Call) llmtest.Reply { return reply })
				c := newClient(t, llm.Config{Provider: flavor.String(), APIKey: canary, BaseURL: srv.URL,
					Timeout: 50 * time.Millisecond, MaxAttempts: 2})
				_, err := c.Generate(t.Context(), request())
				assertNoCanary(t, err)
				t.Log(err)
			})
		}
	}
	t.Run("transport error", func(t *testing.T) {
		t.Parallel()
		for _, p := range []string{"openai", "anthropic", "azure", "mistral"} {
			c := newClient(t, llm.Config{Provider: p, Model: "m", APIKey: canary, BaseURL: "https://llm.example.test",
				HTTPClient: &http.Client{Transport: leakyTransport{}}, MaxAttempts: 1})
			_, err := c.Generate(t.Context(), request())
			assertNoCanary(t, err)
			if e := asError(t, err); e.Kind != llm.Network {
				t.Errorf("%s: kind %v", p, e.Kind)
			}
			t.Log(err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		c := newClient(t, llm.Config{APIKey: canary, BaseURL: base, MaxAttempts: 2})
		_, err := c.Generate(t.Context(), request())
		assertNoCanary(t, err)
		if e := asError(t, err); e.Kind != llm.Network || e.Attempts != 2 {
			t.Errorf("error = %+v", e)
		}
		t.Log(err)
	})
	t.Run("config errors", func(t *testing.T) {
		t.Parallel()
		for _, cfg := range []llm.Config{
			{APIKey: canary, BaseURL: "https://user:" + canary + "@api.example.test"},
			{APIKey: canary, BaseURL: "https://api.example.test/v1?key=" + canary},
			{APIKey: canary + "\n"},
			{Provider: "nope-" + canary, APIKey: canary},
		} {
			_, err := llm.New(cfg)
			if err == nil {
				t.Errorf("%+v accepted", cfg.BaseURL)
				continue
			}
			if strings.Contains(err.Error(), canary) && !strings.HasPrefix(cfg.Provider, "nope") {
				t.Errorf("config error leaks the key: %v", err)
			}
		}
	})
}

func TestEnvironmentIgnored(t *testing.T) {
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the environment's host: %s", r.URL)
	}))
	defer evil.Close()
	for _, kv := range [][2]string{
		{"OPENAI_BASE_URL", evil.URL + "/v1"}, {"OPENAI_API_BASE", evil.URL + "/v1"},
		{"OPENAI_API_KEY", "env-openai-key"}, {"OPENAI_MODEL", "env-model"},
		{"OPENAI_ORGANIZATION", "env-org"}, {"ANTHROPIC_API_KEY", "env-anthropic-key"},
		{"OLLAMA_HOST", evil.URL}, {"MISTRAL_API_KEY", "env-mistral"}, {"GOOGLE_API_KEY", "env-google"},
	} {
		t.Setenv(kv[0], kv[1])
	}
	for _, flavor := range []llmtest.Flavor{llmtest.OpenAI, llmtest.Anthropic} {
		srv := llmtest.New(flavor)
		srv.Start()
		srv.Script(llmtest.Reply{JSON: answer})
		c := newClient(t, llm.Config{Provider: flavor.String(), APIKey: "cfg-key", BaseURL: srv.URL})
		resp, err := c.Generate(t.Context(), request())
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", flavor, err)
		}
		call := srv.Calls()[0]
		if strings.HasPrefix(call.Model, "env") || strings.HasPrefix(resp.Model, "env") {
			t.Errorf("%s: model from env: %s", flavor, call.Model)
		}
		auth := call.Header.Get("Authorization") + call.Header.Get("x-api-key")
		if !strings.Contains(auth, "cfg-key") || strings.Contains(auth, "env-") {
			t.Errorf("%s: auth = %q", flavor, auth)
		}
		if call.Header.Get("OpenAI-Organization") != "" {
			t.Errorf("%s: organization from env sent", flavor)
		}
	}
	// Keyless openai-compatible must not pick up OPENAI_API_KEY either.
	srv := llmtest.NewOpenAI(t)
	srv.Script(llmtest.Reply{JSON: answer})
	c := newClient(t, llm.Config{Provider: "openai-compatible", Model: "local", BaseURL: srv.URL})
	if _, err := c.Generate(t.Context(), request()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls()[0].Header.Get("Authorization"); strings.Contains(got, "env-") {
		t.Errorf("keyless compatible server got %q", got)
	}
	// Ollama with OLLAMA_HOST set still goes to the configured (default) URL.
	ol := newOllama(t, `{"summary":"ok","findings":[]}`)
	oc := newClient(t, llm.Config{Provider: "ollama", BaseURL: ol.URL})
	if _, err := oc.Generate(t.Context(), request()); err != nil {
		t.Fatal(err)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	for _, p := range []string{"openai", "anthropic"} {
		c := newClient(t, llm.Config{Provider: p, APIKey: canary, BaseURL: redirector.URL})
		_, err := c.Generate(t.Context(), request())
		e := asError(t, err)
		if e.Kind != llm.BadRequest || e.Status != http.StatusTemporaryRedirect || e.Attempts != 1 {
			t.Errorf("%s: error = %+v", p, e)
		}
		assertNoCanary(t, err)
	}
	if hits.Load() != 0 {
		t.Errorf("the redirect target received %d requests", hits.Load())
	}
}
