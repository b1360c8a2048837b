package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a Client. The zero value of every field but APIKey
// has a default; cmd fills it from the LLM_* variables.
type Config struct {
	// Provider is one of Providers(); "" means openai.
	Provider string
	// Model is the model (Azure: the deployment); "" means
	// DefaultModel(Provider).
	Model string
	// LightModel serves Request.Light calls; "" means Model.
	LightModel string
	// APIKey is sent only to BaseURL's host. Required except for ollama
	// and openai-compatible (optional) and bedrock (must be empty: it uses
	// the AWS credential chain).
	APIKey string
	// BaseURL overrides the provider's endpoint; "" means its default
	// (required for azure and openai-compatible). See New for the rules.
	BaseURL string
	// Timeout bounds each attempt; 0 means 120s.
	Timeout time.Duration
	// MaxAttempts bounds the attempts per Generate, retries included; 0
	// means 4.
	MaxAttempts int
	// HTTPClient is copied and wrapped; nil means a default client.
	HTTPClient *http.Client
	// Temperature is the sampling temperature (0 to 2).
	Temperature float64
	// Sleep waits between retries; nil means a real timer. Tests inject a
	// fake to stay fast. It must return ctx.Err() if ctx ends first.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Defaults.
const (
	DefaultTimeout     = 120 * time.Second
	DefaultMaxAttempts = 4
	DefaultMaxTokens   = 4096
)

// settings is a validated Config.
type settings struct {
	spec        spec
	model       string
	light       string
	key         string
	base        *url.URL
	apiVersion  string
	timeout     time.Duration
	maxAttempts int
	temperature float64
	sleep       func(context.Context, time.Duration) error
	httpClient  *http.Client
}

func (cfg Config) validate() (settings, error) {
	name := strings.ToLower(strings.TrimSpace(cfg.Provider))
	if name == "" {
		name = ProviderOpenAI
	}
	sp, ok := lookup(name)
	if !ok {
		return settings{}, fmt.Errorf("unknown LLM provider %q (LLM_PROVIDER: want one of %s)", cfg.Provider, strings.Join(Providers(), ", "))
	}
	if sp.unsupported != "" {
		return settings{}, errors.New(sp.unsupported)
	}
	s := settings{
		spec: sp, model: strings.TrimSpace(cfg.Model), light: strings.TrimSpace(cfg.LightModel), key: cfg.APIKey,
		timeout: cfg.Timeout, maxAttempts: cfg.MaxAttempts, temperature: cfg.Temperature, sleep: cfg.Sleep,
		httpClient: cfg.HTTPClient,
	}
	var errs []error
	if s.model == "" {
		s.model = sp.defaultModel
	}
	if s.model == "" {
		errs = append(errs, fmt.Errorf("a model is required for provider %s (LLM_MODEL%s)", name, modelHint(name)))
	}
	if s.light == "" {
		s.light = s.model
	}
	switch {
	case sp.wire == wireBedrock && s.key != "":
		errs = append(errs, errors.New("bedrock takes AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, OIDC…), not LLM_API_KEY: leave it empty"))
	case sp.keyRequired && s.key == "":
		errs = append(errs, fmt.Errorf("an API key is required for provider %s (LLM_API_KEY)", name))
	case strings.ContainsFunc(s.key, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		errs = append(errs, errors.New("the API key contains whitespace or control characters (LLM_API_KEY)"))
	}
	base, ver, err := normaliseBase(sp, cfg.BaseURL)
	if err != nil {
		errs = append(errs, err)
	}
	s.base, s.apiVersion = base, ver
	switch {
	case s.timeout < 0:
		errs = append(errs, errors.New("the timeout must not be negative (LLM_TIMEOUT)"))
	case s.timeout == 0:
		s.timeout = DefaultTimeout
	}
	switch {
	case s.maxAttempts < 0:
		errs = append(errs, errors.New("max attempts must not be negative"))
	case s.maxAttempts == 0:
		s.maxAttempts = DefaultMaxAttempts
	}
	if s.temperature < 0 || s.temperature > 2 {
		errs = append(errs, errors.New("temperature must be between 0 and 2"))
	}
	if s.sleep == nil {
		s.sleep = sleep
	}
	return s, errors.Join(errs...)
}

func modelHint(provider string) string {
	switch provider {
	case ProviderAzure:
		return ": the deployment name"
	case ProviderOpenAICompatible:
		return ": a model the server serves"
	}
	return ""
}

// normaliseBase checks and completes a base URL:
//   - "" means the provider's default (azure and openai-compatible have none);
//   - no user:password@, no fragment, no query (azure: only ?api-version=);
//   - https, except to a loopback host, or for ollama and openai-compatible
//     (self-hosted servers on a private network);
//   - openai, anthropic, mistral: /v1 is appended unless the path ends in
//     it, since langchaingo appends only /chat/completions or /messages;
//     openai-compatible: /v1 is appended to a bare host only (gateways
//     such as …/v1beta/openai keep their path); azure: a trailing /openai
//     or /openai/v1 is dropped; ollama: a trailing /api or /v1 is dropped.
func normaliseBase(sp spec, raw string) (*url.URL, string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = sp.defaultBase
	}
	if raw == "" && sp.baseOptional {
		return nil, "", nil
	}
	if raw == "" {
		return nil, "", fmt.Errorf("a base URL is required for provider %s (LLM_BASE_URL%s)", sp.name, baseHint(sp.name))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" {
		return nil, "", errors.New("the base URL must be an absolute http(s) URL (LLM_BASE_URL)")
	}
	where := u.Scheme + "://" + u.Host
	if u.User != nil {
		return nil, "", errors.New("the base URL must not contain credentials (user:password@) (LLM_BASE_URL)")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return nil, "", fmt.Errorf("the base URL %s must not have a #fragment (LLM_BASE_URL)", where)
	}
	var apiVersion string
	q := u.Query()
	if sp.name == ProviderAzure {
		apiVersion = q.Get("api-version")
		q.Del("api-version")
		if apiVersion == "" {
			apiVersion = azureAPIVersion
		}
	}
	if len(q) > 0 || (u.RawQuery != "" && sp.name != ProviderAzure) {
		return nil, "", fmt.Errorf("the base URL %s must not have a query string (LLM_BASE_URL)", where)
	}
	u.RawQuery, u.ForceQuery = "", false
	if u.Scheme != "https" && !sp.plainHTTP && !IsLoopback(u.Hostname()) {
		return nil, "", &plainHTTPError{where: where}
	}
	p := strings.TrimRight(u.Path, "/")
	switch {
	case sp.name == ProviderAzure:
		p = strings.TrimSuffix(strings.TrimSuffix(p, "/v1"), "/openai")
	case sp.name == ProviderOllama:
		p = strings.TrimSuffix(strings.TrimSuffix(p, "/api"), "/v1")
	case sp.v1 == v1Always && !strings.HasSuffix(p, "/v1"):
		p += "/v1"
	case sp.v1 == v1IfEmptyPath && p == "":
		p = "/v1"
	}
	u.Path, u.RawPath = p, ""
	return u, apiVersion, nil
}

// ErrPlainHTTP matches the error of a base URL that uses http:// where the
// provider needs https: a hosted provider's key would travel unencrypted.
var ErrPlainHTTP = errors.New("plain http is allowed only to a loopback host, or for ollama and openai-compatible")

type plainHTTPError struct{ where string }

func (e *plainHTTPError) Error() string {
	return fmt.Sprintf("the base URL %s must use https (plain http only to localhost) (LLM_BASE_URL)", e.where)
}

func (e *plainHTTPError) Is(target error) bool { return target == ErrPlainHTTP }

// CheckBaseURL applies New's rules for a base URL (absolute http(s), no
// credentials, query or fragment; https except to a loopback host or for
// ollama and openai-compatible) without building a client, so that a
// configuration can be checked before any network call. "" is the
// provider's default. errors.Is(err, ErrPlainHTTP) tells the http case.
func CheckBaseURL(provider, baseURL string) error {
	sp, ok := lookup(strings.ToLower(strings.TrimSpace(provider)))
	if !ok {
		return fmt.Errorf("unknown LLM provider (LLM_PROVIDER: want one of %s)", strings.Join(Providers(), ", "))
	}
	if strings.TrimSpace(baseURL) == "" {
		return nil // the default, or "required" (New says so)
	}
	_, _, err := normaliseBase(sp, baseURL)
	return err
}

func baseHint(provider string) string {
	switch provider {
	case ProviderAzure:
		return ": https://RESOURCE.openai.azure.com"
	case ProviderOpenAICompatible:
		return ": the server's /v1 endpoint"
	}
	return ""
}

// IsLoopback reports whether host is a local endpoint, where plain http
// is allowed: localhost, *.localhost or a loopback IP address. The
// Bitbucket API URL follows the same rule (package settings).
func IsLoopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
