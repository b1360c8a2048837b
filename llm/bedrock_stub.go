//go:build nobedrock

package llm

import (
	"context"
	"net/http"

	"github.com/tmc/langchaingo/llms"
)

// Built with -tags nobedrock: the AWS SDK (about 2.6 MB) is left out and
// the bedrock provider answers with an error naming the alternative.
type bedrockBackend struct {
	userHC *http.Client
	b      backends
}

func (bb *bedrockBackend) secretForms() []string { return nil }

func (bb *bedrockBackend) get(context.Context) (llms.Model, error) {
	return nil, &refusedError{"this build has no bedrock support (built with -tags nobedrock): use LLM_PROVIDER=openai-compatible " +
		"with an OpenAI-compatible gateway in front of Bedrock (LiteLLM, Bedrock Access Gateway) and LLM_BASE_URL set to it"}
}

func bedrockAnthropic(string) bool { return false }

func bedrockTruncated(error) bool { return false }
