package admin

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
)

const (
	ws              = "acme"
	slug            = "shop"
	hookSecret      = "It's a Secret to Everybody"
	apiTokenAuth    = "Atlassian API token (Basic email:token)"
	accessTokenAuth = "access token (Bearer)"
)

var _ DoctorAPI = (*bbapi.Client)(nil)
var _ SetupAPI = (*bbapi.Client)(nil)

// doctorScopes is the union of what pipe, relay and setup need: exactly
// what doctor checks.
var doctorScopes = []string{
	"read:user:bitbucket", "read:repository:bitbucket", "read:pullrequest:bitbucket", "write:pullrequest:bitbucket",
	"read:webhook:bitbucket", "write:webhook:bitbucket", "read:pipeline:bitbucket", "write:pipeline:bitbucket",
	"read:workspace:bitbucket",
}

// fixture is a repository set up completely: a member account with every
// scope doctor checks, an open pull request, the relay's webhook, the
// yml, a stub LLM.
type fixture struct {
	bb   *bbtest.Server
	llm  *llmtest.Server
	bot  bbtest.User
	opts DoctorOptions
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t)}
	u := bbtest.NewUser("bitreview-bot")
	u.Scopes = slices.Clone(doctorScopes)
	f.bot = f.bb.AddUser(u)
	f.bb.SetWorkspaceMember(ws, f.bot.UUID, "member")
	f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 3}, "")
	f.bb.AddFile(ws, slug, "main", PipelinesFile, PipelinesSnippet("1.0.0"))
	f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: relayURL, Description: HookDescription, Active: true, Events: HookEvents(), Secret: hookSecret})
	f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Text: "OK"} })
	f.opts = DoctorOptions{
		Workspace: ws, Repo: slug, APIURL: f.bb.URL, Auth: apiTokenAuth,
		For: []string{ForPipe, ForRelay, ForSetup},
		LLM: llm.Config{Provider: "openai-compatible", BaseURL: f.llm.URL, Model: "stub-model"},
	}
	return f
}

func (f *fixture) setScopes(scopes ...string) {
	u := f.bot
	u.Scopes = scopes
	f.bot = f.bb.AddUser(u)
}

// client is the bot's client, with an access token when the options say
// so.
func (f *fixture) client(t *testing.T) *bbapi.Client {
	t.Helper()
	auth := bbapi.WithAPIToken(f.bot.Email, f.bot.APIToken)
	if f.opts.AccessToken {
		auth = bbapi.WithAccessToken(f.bot.AccessToken)
	}
	c, err := bbapi.NewClient(f.bb.URL, auth, bbapi.WithRetry(1, 0, 0))
	require.NoError(t, err)
	return c
}

func (f *fixture) doctor(t *testing.T) Report {
	t.Helper()
	return Doctor(t.Context(), f.client(t), f.opts)
}

// check finds a check of the report by name.
func check(t *testing.T, rep Report, name string) Check {
	t.Helper()
	i := slices.IndexFunc(rep.Checks, func(c Check) bool { return c.Name == name })
	require.GreaterOrEqual(t, i, 0, "no check %q in %+v", name, rep.Checks)
	return rep.Checks[i]
}

func names(rep Report) []string {
	var out []string
	for _, c := range rep.Checks {
		out = append(out, c.Name)
	}
	return out
}

// relayStub answers as `bitreview relay` does: /healthz 200, an unsigned
// delivery 401.
func relayStub(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Hub-Signature") == "" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
