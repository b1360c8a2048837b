package llm

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
)

// Provider names accepted in Config.Provider.
const (
	ProviderOpenAI           = "openai"
	ProviderAnthropic        = "anthropic"
	ProviderAzure            = "azure"
	ProviderOllama           = "ollama"
	ProviderOpenAICompatible = "openai-compatible"
	ProviderMistral          = "mistral"
	ProviderGoogleAI         = "googleai"
	ProviderBedrock          = "bedrock"
)

// wire is the API dialect a provider speaks.
type wire int

const (
	wireOpenAI    wire = iota // chat completions (openai, azure, mistral, googleai, compatible servers)
	wireAnthropic             // messages API
	wireOllama                // /api/chat
	wireBedrock               // AWS Bedrock InvokeModel
)

// v1Rule says how a user's base URL is completed.
type v1Rule int

const (
	v1Keep        v1Rule = iota // use the path as given
	v1Always                    // append /v1 unless the path already ends in it
	v1IfEmptyPath               // append /v1 only to a bare host
)

// spec describes one provider.
type spec struct {
	name         string
	wire         wire
	defaultModel string // "" means Config.Model is required
	defaultBase  string // "" means Config.BaseURL is required
	keyRequired  bool
	plainHTTP    bool // http:// allowed to any host, not only loopback
	v1           v1Rule
	// legacyMaxTokens sends max_tokens instead of max_completion_tokens.
	legacyMaxTokens bool
	// formatFallback retries once in json_object mode when the server
	// rejects response_format json_schema.
	formatFallback bool
	usage          usageKeys
	baseOptional   bool   // no default base and none required (bedrock)
	unsupported    string // non-empty: why the provider cannot be used
}

func openaiUsage() usageKeys {
	return usageKeys{prompt: []string{"PromptTokens"}, completion: []string{"CompletionTokens"}}
}

func bedrockUsage() usageKeys {
	return usageKeys{prompt: []string{"input_tokens"}, completion: []string{"output_tokens"}}
}

func anthropicUsage() usageKeys {
	return usageKeys{
		prompt:     []string{"InputTokens", "CacheCreationInputTokens", "CacheReadInputTokens"},
		completion: []string{"OutputTokens"},
	}
}

// Providers lists the accepted provider names.
func Providers() []string {
	return []string{
		ProviderOpenAI, ProviderAnthropic, ProviderAzure, ProviderOllama,
		ProviderOpenAICompatible, ProviderMistral, ProviderGoogleAI, ProviderBedrock,
	}
}

// DefaultModel returns the model used when Config.Model is empty, or ""
// when the provider needs one named (azure: the deployment;
// openai-compatible: whatever the server serves).
func DefaultModel(provider string) string {
	s, ok := lookup(provider)
	if !ok {
		return ""
	}
	return s.defaultModel
}

func lookup(provider string) (spec, bool) {
	switch provider {
	case ProviderOpenAI:
		return spec{name: provider, wire: wireOpenAI, defaultModel: "gpt-4.1",
			defaultBase: "https://api.openai.com/v1", keyRequired: true, v1: v1Always, usage: openaiUsage()}, true
	case ProviderAnthropic:
		return spec{name: provider, wire: wireAnthropic, defaultModel: "claude-sonnet-4-5",
			defaultBase: "https://api.anthropic.com/v1", keyRequired: true, v1: v1Always, usage: anthropicUsage()}, true
	case ProviderAzure:
		return spec{name: provider, wire: wireOpenAI, keyRequired: true, v1: v1Keep, usage: openaiUsage()}, true
	case ProviderOllama:
		return spec{name: provider, wire: wireOllama, defaultModel: "qwen2.5-coder:7b",
			defaultBase: "http://localhost:11434", plainHTTP: true, v1: v1Keep, usage: openaiUsage()}, true
	case ProviderOpenAICompatible:
		return spec{name: provider, wire: wireOpenAI, plainHTTP: true, v1: v1IfEmptyPath,
			legacyMaxTokens: true, formatFallback: true, usage: openaiUsage()}, true
	case ProviderMistral:
		// Mistral's chat API is OpenAI-compatible; langchaingo's llms/mistral
		// takes no context, no HTTP client and retries on its own.
		return spec{name: provider, wire: wireOpenAI, defaultModel: "mistral-large-latest",
			defaultBase: "https://api.mistral.ai/v1", keyRequired: true, v1: v1Always,
			legacyMaxTokens: true, formatFallback: true, usage: openaiUsage()}, true
	case ProviderGoogleAI:
		// Gemini through its OpenAI-compatible endpoint: llms/googleai would
		// add ~18 MB and 35 modules (gRPC) to the binary.
		return spec{name: provider, wire: wireOpenAI, defaultModel: "gemini-2.5-flash",
			defaultBase: "https://generativelanguage.googleapis.com/v1beta/openai", keyRequired: true, v1: v1Keep,
			legacyMaxTokens: true, formatFallback: true, usage: openaiUsage()}, true
	case ProviderBedrock:
		// Credentials and region come from the AWS chain; BaseURL is an
		// optional endpoint override (VPC endpoint, FIPS).
		return spec{name: provider, wire: wireBedrock, defaultModel: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
			baseOptional: true, v1: v1Keep, usage: bedrockUsage()}, true
	}
	return spec{}, false
}

// backends builds langchaingo clients. Every option that langchaingo would
// otherwise read from the environment (OPENAI_*, ANTHROPIC_API_KEY,
// OLLAMA_HOST) is passed explicitly.
type backends struct {
	spec       spec
	base       *url.URL
	apiVersion string // azure
	key        string
	model      string
	hc         *http.Client
}

// dummyKey is sent to keyless OpenAI-compatible servers: langchaingo
// refuses an empty token.
const dummyKey = "unused"

// azureAPIVersion is the Azure OpenAI data-plane version used unless the
// base URL carries ?api-version=.
const azureAPIVersion = "2024-10-21"

// ollamaNumCtx is the context window asked of Ollama; its default (2–4k
// tokens) would silently cut review prompts.
const ollamaNumCtx = 32768

// openAI returns an OpenAI-dialect client; rf (may be nil) is its
// client-level response format.
func (b backends) openAI(rf *openai.ResponseFormat) (llms.Model, error) {
	key := b.key
	if key == "" {
		key = dummyKey
	}
	opts := []openai.Option{
		openai.WithToken(key),
		openai.WithModel(b.model),
		openai.WithBaseURL(b.base.String()),
		openai.WithOrganization(""),
		openai.WithHTTPClient(b.hc),
		openai.WithAPIType(openai.APITypeOpenAI),
	}
	if b.spec.name == ProviderAzure {
		opts = append(opts, openai.WithAPIType(openai.APITypeAzure), openai.WithAPIVersion(b.apiVersion))
	}
	if rf != nil {
		opts = append(opts, openai.WithResponseFormat(rf))
	}
	m, err := openai.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("create %s client: %w", b.spec.name, err)
	}
	return m, nil
}

func (b backends) anthropic() (llms.Model, error) {
	m, err := anthropic.New(
		anthropic.WithToken(b.key),
		anthropic.WithModel(b.model),
		anthropic.WithBaseURL(b.base.String()),
		anthropic.WithHTTPClient(b.hc),
	)
	if err != nil {
		return nil, fmt.Errorf("create anthropic client: %w", err)
	}
	return m, nil
}

func (b backends) ollama() (llms.Model, error) {
	m, err := ollama.New(
		// b.base was produced by url.Parse, so WithServerURL (which calls
		// log.Fatal on a parse error) cannot fail.
		ollama.WithServerURL(b.base.String()),
		ollama.WithHTTPClient(b.hc),
		ollama.WithModel(b.model),
		ollama.WithRunnerNumCtx(ollamaNumCtx),
	)
	if err != nil {
		return nil, fmt.Errorf("create ollama client: %w", err)
	}
	return m, nil
}
