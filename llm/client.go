// Package llm implements review.Model on top of langchaingo for OpenAI,
// Anthropic, Azure OpenAI, Ollama, Mistral, Gemini, AWS Bedrock and any
// OpenAI-compatible server. Mistral and Gemini go through langchaingo's
// OpenAI client against their OpenAI-compatible endpoints.
//
// A Client asks for structured output the way each API does it best
// (response_format json_schema, a single Anthropic tool, Ollama's JSON
// mode) and always returns the answer as JSON text; the caller validates
// it. It retries rate limits, 5xx and timed-out attempts with exponential
// backoff and full jitter, honouring Retry-After, never past the caller's
// deadline, and reports failures as *Error with a Kind.
//
// The API key goes only to the configured host: langchaingo never reads
// OPENAI_*, ANTHROPIC_API_KEY or OLLAMA_HOST from the environment here,
// redirects are refused, and error texts are scrubbed of the key. Bedrock
// is the exception by design: region and credentials come from the
// standard AWS chain (environment, shared files, OIDC web identity).
// Build with -tags nobedrock to leave the AWS SDK out.
package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/bitreview/bitreview/review"
)

var _ review.Model = (*Client)(nil)

// maxCachedFormats bounds the per-schema clients kept; past it a client is
// built per call (cheap: no I/O).
const maxCachedFormats = 16

// Client is a review.Model. It is safe for concurrent use.
type Client struct {
	s       settings
	b       backends
	base    llms.Model // client without a response format
	bedrock *bedrockBackend
	secrets []string

	mu      sync.Mutex
	formats map[string]llms.Model // OpenAI dialect: one client per schema
	// jsonObject is set once a server rejected json_schema; later calls
	// go straight to json_object mode.
	jsonObject atomic.Bool
}

// New validates cfg and builds the client. It does no network I/O.
func New(cfg Config) (*Client, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("llm config: %w", err)
	}
	c := &Client{
		s:       s,
		secrets: secretForms(s.key),
		formats: make(map[string]llms.Model),
	}
	c.b = backends{spec: s.spec, base: s.base, apiVersion: s.apiVersion, key: s.key, model: s.model}
	if s.spec.wire == wireBedrock {
		c.bedrock = &bedrockBackend{userHC: s.httpClient, b: c.b}
		return c, nil
	}
	c.b.hc = newHTTPClient(s.httpClient, s.base.Scheme, s.base.Host)
	switch s.spec.wire {
	case wireAnthropic:
		c.base, err = c.b.anthropic()
	case wireOllama:
		c.base, err = c.b.ollama()
	default:
		c.base, err = c.b.openAI(nil)
	}
	if err != nil {
		return nil, fmt.Errorf("llm config: %w", scrub(err, c.secrets))
	}
	return c, nil
}

// Provider returns the provider name in use.
func (c *Client) Provider() string { return c.s.spec.name }

// Model returns the model used for ordinary (non-light) requests.
func (c *Client) Model() string { return c.s.model }

// Generate implements review.Model: it sends one request, retrying
// retryable failures, and returns the answer text (JSON when req.Schema
// is set). Failures are *Error.
func (c *Client) Generate(ctx context.Context, req review.Request) (*review.Response, error) {
	model := c.s.model
	if req.Light {
		model = c.s.light
	}
	if err := checkRequest(req.Schema, req.Prompt); err != nil {
		return nil, c.newError(model, BadRequest, 0, err)
	}
	var last *Error
	for n := 1; ; n++ {
		if ctx.Err() != nil {
			if last != nil {
				return nil, last
			}
			return nil, c.ctxError(ctx, model, n-1)
		}
		resp, err := c.attempt(ctx, model, req)
		if err == nil {
			return resp, nil
		}
		err.Attempts = n
		last = err
		if !err.Retryable() || n >= c.s.maxAttempts || ctx.Err() != nil {
			return nil, err
		}
		wait, ok := retryWait(ctx, n, err)
		if !ok {
			return nil, err
		}
		if c.s.sleep(ctx, wait) != nil {
			return nil, err
		}
	}
}

// attempt makes one call under the per-attempt timeout and classifies
// its failure.
func (c *Client) attempt(ctx context.Context, model string, req review.Request) (*review.Response, *Error) {
	m := c.modeFor(model, req)
	resp, err := c.once(ctx, model, req, m)
	if err != nil && m == modeJSONSchema && c.s.spec.formatFallback &&
		err.Kind == BadRequest && isFormatRejection(err.Status, err.Error()) {
		c.jsonObject.Store(true)
		resp, err = c.once(ctx, model, req, modeJSONObject)
	}
	return resp, err
}

func (c *Client) once(ctx context.Context, model string, req review.Request, m mode) (*review.Response, *Error) {
	actx, cancel := context.WithTimeout(ctx, c.s.timeout)
	defer cancel()
	actx, rec := withAttempt(actx)
	resp, stop, err := c.call(actx, model, req, m)
	if err != nil {
		return nil, c.classify(ctx, actx, rec, model, err)
	}
	if stop.kind != Unknown && len(req.Schema) > 0 && !json.Valid([]byte(resp.Text)) {
		return nil, c.newError(model, stop.kind, 0, fmt.Errorf("stop reason %q: the answer is not complete JSON", stop.reason))
	}
	return resp, nil
}

type stopInfo struct {
	kind   Kind
	reason string
}

// call builds the langchaingo request for mode m and runs it.
func (c *Client) call(ctx context.Context, model string, req review.Request, m mode) (*review.Response, stopInfo, error) {
	name := toolName(req.SchemaName)
	lm, err := c.modelFor(ctx, m, name, req.Schema)
	if err != nil {
		return nil, stopInfo{}, err
	}
	system := req.System
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	opts := []llms.CallOption{
		llms.WithModel(model), llms.WithMaxTokens(maxTokens), llms.WithTemperature(c.s.temperature),
	}
	if c.s.spec.legacyMaxTokens {
		opts = append(opts, openai.WithLegacyMaxTokensField())
	}
	switch m {
	case modeTool:
		system = joinText(system, toolInstruction(name))
		opts = append(opts, llms.WithTools([]llms.Tool{{
			Type: "function",
			Function: &llms.FunctionDefinition{
				Name:        name,
				Description: "Submit your complete answer; the input must be valid against this schema.",
				Parameters:  req.Schema,
			},
		}}), llms.WithToolChoice(map[string]any{"type": "function", "function": map[string]any{"name": name}}))
	case modeJSONObject, modeJSONPrompt:
		system = joinText(system, schemaInstruction(name, req.Schema))
		opts = append(opts, llms.WithJSONMode())
	}
	// Exactly one system message: anthropic concatenates several without
	// a separator.
	var msgs []llms.MessageContent
	if system != "" {
		msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeSystem, system))
	}
	msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeHuman, req.Prompt))

	out, err := lm.GenerateContent(ctx, msgs, opts...)
	if err != nil {
		return nil, stopInfo{}, err
	}
	if out == nil || len(out.Choices) == 0 {
		return nil, stopInfo{}, errors.New("empty response")
	}
	prompt, completion := readUsage(out, c.s.spec.usage)
	kind, reason := stopKind(out)
	return &review.Response{
		Text: answerText(out, m, name), Model: model, PromptTokens: prompt, CompletionTokens: completion,
	}, stopInfo{kind, reason}, nil
}

func (c *Client) modeFor(model string, req review.Request) mode {
	if len(req.Schema) == 0 {
		return modeText
	}
	switch c.s.spec.wire {
	case wireAnthropic:
		return modeTool
	case wireOllama:
		return modeJSONPrompt
	case wireBedrock:
		if bedrockAnthropic(model) {
			return modeTool
		}
		return modeJSONPrompt
	}
	if c.jsonObject.Load() {
		return modeJSONObject
	}
	if _, ok := jsonSchemaFormat("x", req.Schema); !ok {
		return modeJSONObject
	}
	return modeJSONSchema
}

// modelFor returns the langchaingo client for mode m. openai.WithResponseFormat
// is a client-level option, so json_schema mode needs one client per schema.
func (c *Client) modelFor(ctx context.Context, m mode, name string, schema json.RawMessage) (llms.Model, error) {
	if c.bedrock != nil {
		return c.bedrock.get(ctx)
	}
	if m != modeJSONSchema {
		return c.base, nil
	}
	sum := sha256.Sum256(schema)
	key := name + "/" + hex.EncodeToString(sum[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	if lm, ok := c.formats[key]; ok {
		return lm, nil
	}
	rf, ok := jsonSchemaFormat(name, schema)
	if !ok {
		return nil, errors.New("schema cannot be sent as response_format")
	}
	lm, err := c.b.openAI(rf)
	if err != nil {
		return nil, err
	}
	if len(c.formats) < maxCachedFormats {
		c.formats[key] = lm
	}
	return lm, nil
}
