package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
)

func TestDoctorRelayWebhook(t *testing.T) {
	good := bbtest.Webhook{URL: relayURL, Description: HookDescription, Active: true, Events: HookEvents(), Secret: hookSecret}
	broken := bbtest.Webhook{URL: relayURL, Description: HookDescription, Events: []string{"pullrequest:comment_created"}}
	tests := []struct {
		name           string
		repo, wsHooks  []bbtest.Webhook
		relayURL       string
		status         Status
		detail, fix    string // detail: a prefix; fix: exact
		detailContains []string
	}{
		{name: "a good repository webhook", repo: []bbtest.Webhook{good}, status: StatusOK, detail: "repository webhook {",
			detailContains: []string{"→ " + relayURL + ": active, signed, events pullrequest:comment_created, pullrequest:created, pullrequest:updated"}},
		{name: "none", status: StatusFail, detail: "no webhook of the relay on acme/api",
			fix: "run bitreview setup --url https://<relay>/webhook (it creates the webhook with the events and RELAY_WEBHOOK_SECRET)"},
		{name: "none to the URL", repo: []bbtest.Webhook{good}, relayURL: "https://elsewhere.example.com/webhook", status: StatusFail,
			detail: "no webhook points to https://elsewhere.example.com/webhook",
			fix:    "run bitreview setup --url https://elsewhere.example.com/webhook (it creates the webhook with the events and RELAY_WEBHOOK_SECRET)"},
		{name: "broken", repo: []bbtest.Webhook{broken}, status: StatusFail, detail: "webhook {",
			detailContains: []string{"inactive; no secret (deliveries are unsigned and the relay refuses them); missing event pullrequest:created; missing event pullrequest:updated"},
			fix:            "run bitreview setup --url " + relayURL + " to repair it (duplicates must be deleted by hand)"},
		{name: "twice", repo: []bbtest.Webhook{good, good}, status: StatusFail, detail: "webhook {",
			detailContains: []string{"2 webhooks point to the relay, so events arrive twice"}},
		{name: "a good workspace webhook", wsHooks: []bbtest.Webhook{good}, status: StatusOK, detail: "workspace webhook {"},
		{name: "a broken workspace webhook", wsHooks: []bbtest.Webhook{broken}, status: StatusFail, detail: "webhook {",
			fix: "repair the workspace webhook in Workspace settings → Webhooks, or delete it and run bitreview setup --url " + relayURL + " for repository webhooks"},
		{name: "a repository webhook comes first", repo: []bbtest.Webhook{good}, wsHooks: []bbtest.Webhook{broken}, status: StatusOK, detail: "repository webhook {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api"})
			for _, h := range tt.repo {
				f.bb.AddWebhook(ws, "api", h)
			}
			for _, h := range tt.wsHooks {
				f.bb.AddWebhook(ws, "", h)
			}
			f.opts.Repo, f.opts.For, f.opts.RelayURL = "api", []string{ForSetup}, tt.relayURL
			c := check(t, f.doctor(t), "Relay webhook")
			assert.Equal(t, tt.status, c.Status, c.Detail)
			assert.True(t, strings.HasPrefix(c.Detail, tt.detail), c.Detail)
			for _, s := range tt.detailContains {
				assert.Contains(t, c.Detail, s)
			}
			if tt.fix != "" || tt.status == StatusOK {
				assert.Equal(t, tt.fix, c.Fix)
			}
		})
	}
}

func TestDoctorPipelinesYML(t *testing.T) {
	prOnly := "pipelines:\n  pull-requests:\n    '**':\n      - step:\n          script:\n            - pipe: docker://bitreview/bitreview:1.0.0\n"
	customOnly := strings.Replace(PipelinesSnippet("1.0.0"), "pull-requests:", "branches:", 1)
	tests := []struct {
		name   string
		yml    *string // nil: no file
		branch string  // the main branch; "" means main
		roles  []string
		status Status
		detail string
		fix    string
	}{
		{name: "complete", yml: new(PipelinesSnippet("1.0.0")), roles: []string{ForRelay}, status: StatusOK,
			detail: "main has the pull-request step and custom: bitreview with its three variables"},
		{name: "on another main branch", yml: new(PipelinesSnippet("1.0.0")), branch: "develop", roles: []string{ForPipe}, status: StatusOK,
			detail: "develop has the pull-request step and custom: bitreview with its three variables"},
		{name: "absent", roles: []string{ForPipe}, status: StatusFail, detail: "no bitbucket-pipelines.yml on main",
			fix: "add the steps `bitreview setup` prints (pull-request step and custom: bitreview) and merge them to main"},
		{name: "the pipe needs only its step", yml: &prOnly, roles: []string{ForPipe}, status: StatusOK,
			detail: "main has the pull-request step and custom: bitreview with its three variables"},
		{name: "the relay needs only the custom pipeline", yml: &customOnly, roles: []string{ForRelay}, status: StatusOK,
			detail: "main has the pull-request step and custom: bitreview with its three variables"},
		{name: "the pipe needs its step", yml: &customOnly, roles: []string{ForPipe}, status: StatusFail,
			detail: "main lacks a pull-requests pipeline step with the bitreview pipe",
			fix:    "add the missing parts (`bitreview setup` prints the whole snippet) and merge them to main; the relay starts the pipeline defined on the pull request's destination branch"},
		{name: "the relay needs the custom pipeline", yml: &prOnly, roles: []string{ForRelay}, status: StatusFail,
			detail: "main lacks the custom pipeline bitreview (custom: bitreview:)",
			fix:    "add the missing parts (`bitreview setup` prints the whole snippet) and merge them to main; the relay starts the pipeline defined on the pull request's destination branch"},
		{name: "both needs", yml: new("pipelines: {}\n"), roles: []string{ForPipe, ForRelay}, status: StatusFail,
			detail: "main lacks a pull-requests pipeline step with the bitreview pipe; the custom pipeline bitreview (custom: bitreview:)",
			fix:    "add the missing parts (`bitreview setup` prints the whole snippet) and merge them to main; the relay starts the pipeline defined on the pull request's destination branch"},
		{name: "not YAML", yml: new("pipelines: [\n"), roles: []string{ForRelay}, status: StatusFail,
			detail: "bitbucket-pipelines.yml is not valid YAML: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api", MainBranch: tt.branch})
			if tt.yml != nil {
				f.bb.AddFile(ws, "api", cmpOr(tt.branch, "main"), PipelinesFile, *tt.yml)
			}
			f.opts.Repo, f.opts.For = "api", tt.roles
			c := check(t, f.doctor(t), PipelinesFile)
			assert.Equal(t, tt.status, c.Status, c.Detail)
			assert.True(t, strings.HasPrefix(c.Detail, tt.detail), c.Detail)
			assert.Equal(t, tt.fix, c.Fix)
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestDoctorPipelinesEnabled(t *testing.T) {
	tests := []struct {
		name           string
		admin, enabled bool
		runs           int
		status         Status
		detail         string
	}{
		{"enabled", true, true, 0, StatusOK, "enabled"},
		{"disabled", true, false, 0, StatusFail, "Pipelines is disabled for acme/shop"},
		{"not readable, with runs", false, true, 1, StatusOK, "the repository has pipeline runs (#1)"},
		{"not readable, no runs", false, true, 0, StatusWarn,
			"not verified: reading the setting needs admin:repository:bitbucket, which bitreview needs for nothing else, and there are no runs yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.opts.For = []string{ForRelay}
			for range tt.runs {
				_, _, err := f.client(t).RunPipeline(t.Context(), ws, slug, bbapi.CustomPipelineOnBranch("main", "bitreview"))
				require.NoError(t, err)
			}
			f.bb.SetPipelinesEnabled(ws, slug, tt.enabled)
			if tt.admin {
				f.setScopes(append(doctorScopes[:len(doctorScopes):len(doctorScopes)], "admin:repository:bitbucket")...)
			}
			c := check(t, f.doctor(t), "Pipelines enabled")
			assert.Equal(t, tt.status, c.Status, c.Detail)
			assert.Equal(t, tt.detail, c.Detail)
		})
	}
}

func TestDoctorRelay(t *testing.T) {
	relay := relayStub(t)
	open := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer open.Close()
	var healthPath string
	nested := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			healthPath = r.URL.Path
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer nested.Close()
	gone := httptest.NewServer(nil)
	gone.Close()
	tests := []struct {
		name, url   string
		status      Status
		detail, fix string
	}{
		{"a relay", relay.URL + "/webhook", StatusOK, "healthz answered 200 and an unsigned delivery was refused (401)", ""},
		{"something that accepts anything", open.URL + "/webhook", StatusFail,
			"an unsigned delivery to " + open.URL + "/webhook was answered 200, not 401",
			"the URL must reach `bitreview relay`'s /webhook, which refuses unsigned deliveries"},
		{"no healthz", nested.URL + "/relay/webhook/", StatusFail, "GET " + nested.URL + "/relay/healthz answered 404",
			"check that the URL reaches `bitreview relay` (a proxy may rewrite the path)"},
		{"unreachable", gone.URL + "/webhook", StatusFail, "GET " + gone.URL + "/healthz: ",
			"start `bitreview relay` and make it reachable at this URL from the internet (Bitbucket needs a public address with a certificate from a public CA)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.opts.For, f.opts.RelayURL = []string{ForRelay}, tt.url
			c := check(t, f.doctor(t), "Relay")
			assert.Equal(t, tt.status, c.Status, c.Detail)
			assert.True(t, strings.HasPrefix(c.Detail, tt.detail), c.Detail)
			assert.Equal(t, tt.fix, c.Fix)
		})
	}
	assert.Equal(t, "/relay/healthz", healthPath)
}

func TestDoctorLLM(t *testing.T) {
	tests := []struct {
		name     string
		reply    llmtest.Reply
		problems []string
		provider string
		status   Status
		detail   string
		fix      string
		calls    int
	}{
		{name: "answers", reply: llmtest.Reply{Text: "OK"}, status: StatusOK, detail: "openai-compatible ", calls: 1},
		{name: "refuses the key", reply: llmtest.Reply{Status: 401}, status: StatusFail,
			fix: "check LLM_API_KEY (a secured variable passed to the pipe) and that the key may use the model", calls: 1},
		{name: "no such model", reply: llmtest.Reply{Status: 404}, status: StatusFail,
			fix: "check LLM_MODEL (for azure: the deployment name) and LLM_BASE_URL", calls: 1},
		{name: "configuration problems are not sent", problems: []string{"LLM_PROVIDER: bad", "LLM_API_KEY: not set"}, status: StatusFail,
			detail: "LLM_PROVIDER: bad; LLM_API_KEY: not set"},
		{name: "a provider the client refuses", provider: "nope", status: StatusFail, detail: "llm config: unknown LLM provider \"nope\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return tt.reply })
			f.opts.For, f.opts.LLMProblems = []string{ForPipe}, tt.problems
			if tt.provider != "" {
				f.opts.LLM.Provider = tt.provider
			}
			c := check(t, f.doctor(t), "LLM")
			assert.Equal(t, tt.status, c.Status, c.Detail)
			assert.True(t, strings.HasPrefix(c.Detail, tt.detail), c.Detail)
			assert.Equal(t, tt.fix, c.Fix)
			assert.Len(t, f.llm.Calls(), tt.calls, "one attempt, no retries")
		})
	}
}

func TestLLMFix(t *testing.T) {
	for k, want := range map[llm.Kind]string{
		llm.Auth:        "check LLM_API_KEY (a secured variable passed to the pipe) and that the key may use the model",
		llm.NotFound:    "check LLM_MODEL (for azure: the deployment name) and LLM_BASE_URL",
		llm.Network:     "check LLM_BASE_URL and that the provider is reachable from where this runs",
		llm.Timeout:     "check LLM_BASE_URL and that the provider is reachable from where this runs",
		llm.Quota:       "the provider account's quota or credit is used up",
		llm.RateLimit:   "the provider is busy; try again later",
		llm.Unavailable: "the provider is busy; try again later",
	} {
		assert.Equal(t, want, llmFix(k), "%v", k)
	}
}

// The checks that call out end with the caller's context: a relay that
// never answers holds doctor only until the command is cancelled.
func TestDoctorEndsWithItsContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		cancel() // the command is interrupted while the relay is asked
		<-r.Context().Done()
	}))
	defer hang.Close()
	f.opts.For, f.opts.RelayURL = []string{ForRelay}, hang.URL+"/webhook"
	start := time.Now()
	c := check(t, Doctor(ctx, f.client(t), f.opts), "Relay")
	assert.Less(t, time.Since(start), 4*time.Second, "the relay's 5 s timeout did not have to end it")
	assert.Equal(t, StatusFail, c.Status)
	assert.Contains(t, c.Detail, "context canceled")
}
