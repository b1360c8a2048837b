package localreview

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// DefaultOllamaURL is where a local Ollama answers by default.
const DefaultOllamaURL = "http://localhost:11434"

// model returns the configured model, or a local Ollama when nothing is
// configured (said on log), or nil with a note saying exactly what to
// set: the review then shows the walkthrough and built-in checks only.
func (o Options) model(ctx context.Context, cfg settings.Settings, log Log) (review.Model, string) {
	configured := cfg.LLMAPIKey != "" || cfg.LLMProvider == "ollama" || cfg.LLMProvider == "openai-compatible" || cfg.LLMProvider == "bedrock"
	ollama := cmp.Or(o.OllamaURL, DefaultOllamaURL)
	switch {
	case configured:
	case ollamaAnswers(ctx, ollama):
		log.Info(fmt.Sprintf("No LLM configured; using the local Ollama at %s.", ollama))
		cfg.LLMProvider, cfg.LLMBaseURL = "ollama", ollama
	default:
		return nil, "No LLM configured and no Ollama answering at " + ollama +
			": set LLM_PROVIDER (openai, anthropic, …) and LLM_API_KEY, or LLM_PROVIDER=ollama with LLM_BASE_URL, " +
			"or start Ollama locally. Only the walkthrough and built-in checks are shown."
	}
	m, err := o.Model(cfg)
	if err != nil {
		return nil, err.Error()
	}
	return m, ""
}

// ollamaAnswers reports whether an Ollama answers at base, within a
// fraction of a second.
func ollamaAnswers(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/tags", nil)
	if err != nil {
		return false
	}
	c := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: 300 * time.Millisecond}).DialContext}}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
