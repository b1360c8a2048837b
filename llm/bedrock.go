//go:build !nobedrock

package llm

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/bedrock"
)

// bedrockBackend builds the Bedrock client on first use: its host depends
// on the AWS region, which comes from the AWS configuration (environment,
// shared files), read without network I/O.
//
// Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, web identity for
// Bitbucket OIDC, instance roles); requests are SigV4-signed, so no secret
// travels in a header. The credential providers use their own HTTP
// clients: only the Bedrock runtime calls go through the guard.
type bedrockBackend struct {
	userHC *http.Client
	b      backends

	mu      sync.Mutex
	lm      llms.Model
	secrets []string // the AWS secret key and session token, for scrubbing
}

func (bb *bedrockBackend) secretForms() []string {
	bb.mu.Lock()
	defer bb.mu.Unlock()
	return bb.secrets
}

func (bb *bedrockBackend) get(ctx context.Context) (llms.Model, error) {
	bb.mu.Lock()
	defer bb.mu.Unlock()
	if bb.lm != nil {
		return bb.lm, nil
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, &refusedError{"load AWS configuration: " + err.Error()}
	}
	if cfg.Region == "" {
		return nil, &refusedError{"bedrock needs an AWS region (AWS_REGION)"}
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, &refusedError{"no usable AWS credentials for bedrock: " + err.Error()}
	}
	bb.secrets = append(secretForms(creds.SecretAccessKey), secretForms(creds.SessionToken)...)
	scheme, host := "https", bedrockHost(cfg.Region)
	if bb.b.base != nil {
		scheme, host = bb.b.base.Scheme, bb.b.base.Host
	}
	hc := newHTTPClient(bb.userHC, scheme, host)
	client := bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
		o.HTTPClient = hc
		o.Retryer = aws.NopRetryer{} // Generate retries, with Retry-After and the caller's deadline
		if bb.b.base != nil {
			o.BaseEndpoint = aws.String(bb.b.base.String())
		}
	})
	lm, err := bedrock.New(bedrock.WithClient(client), bedrock.WithModel(bb.b.model))
	if err != nil {
		return nil, fmt.Errorf("create bedrock client: %w", err)
	}
	bb.lm = lm
	return lm, nil
}

// bedrockHost is the Bedrock runtime host of region (FIPS and other
// special endpoints need LLM_BASE_URL).
func bedrockHost(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "bedrock-runtime." + region + ".amazonaws.com.cn"
	}
	return "bedrock-runtime." + region + ".amazonaws.com"
}

// bedrockAnthropic reports a Bedrock model that speaks Anthropic's
// messages format (tools with a forced tool_choice).
func bedrockAnthropic(model string) bool { return strings.Contains(model, "anthropic.") }

// bedrockTruncated recognises langchaingo's bedrock error for an answer
// cut at max_tokens.
func bedrockTruncated(err error) bool {
	return strings.Contains(err.Error(), "completed due to max_tokens")
}
