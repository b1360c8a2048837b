package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/admin"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/relay"
)

// What setup installs and doctor checks, as admin has it.
const (
	hookDescription = admin.HookDescription
	pipelinesFile   = admin.PipelinesFile
)

// hookEvents are the events the relay acts on.
var hookEvents = admin.HookEvents()

// pipelinesSnippet is what bitbucket-pipelines.yml needs, with this
// binary's image when it is a release.
func pipelinesSnippet() string { return admin.PipelinesSnippet(version) }

// doctorReport is what `bitreview doctor --format json` prints.
type doctorReport = admin.Report

// doctorScopes is the union of what pipe, relay and setup need: exactly
// what doctor checks.
var doctorScopes = []string{
	"read:user:bitbucket", "read:repository:bitbucket", "read:pullrequest:bitbucket", "write:pullrequest:bitbucket",
	"read:webhook:bitbucket", "write:webhook:bitbucket", "read:pipeline:bitbucket", "write:pipeline:bitbucket",
	"read:workspace:bitbucket",
}

type doctorFixture struct {
	bb  *bbtest.Server
	llm *llmtest.Server
	bot bbtest.User
}

// newDoctorFixture is a repository that is set up completely: a member
// account with every scope doctor checks, an open pull request, the
// relay's webhook, the yml, a stub LLM.
func newDoctorFixture(t *testing.T) *doctorFixture {
	t.Helper()
	f := &doctorFixture{bb: bbtest.New(t), llm: llmtest.NewOpenAI(t)}
	u := bbtest.NewUser("bitreview-bot")
	u.Scopes = slices.Clone(doctorScopes)
	f.bot = f.bb.AddUser(u)
	f.bb.SetWorkspaceMember(ws, f.bot.UUID, "member")
	f.bb.AddPullRequest(ws, slug, bbtest.PullRequest{ID: 3}, "")
	f.bb.AddFile(ws, slug, "main", pipelinesFile, pipelinesSnippet())
	f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: relayURL, Description: hookDescription, Active: true, Events: hookEvents, Secret: relayTestSecret})
	f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Text: "OK"} })
	return f
}

func (f *doctorFixture) setScopes(scopes []string) {
	u := f.bot
	u.Scopes = scopes
	f.bot = f.bb.AddUser(u)
}

func (f *doctorFixture) doctor(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	environ := []string{
		"BITBUCKET_API_URL=" + f.bb.URL, "BITBUCKET_API_TOKEN=" + f.bot.APIToken, "BITBUCKET_EMAIL=" + f.bot.Email,
		"BITBUCKET_WORKSPACE=" + ws, "BITBUCKET_REPO_SLUG=" + slug,
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + f.llm.URL, "LLM_MODEL=stub-model",
	}
	code := run(t.Context(), append([]string{"doctor"}, args...), environ, &out, &out)
	return out.String(), code
}

func TestDoctorAllGood(t *testing.T) {
	f := newDoctorFixture(t)
	out, code := f.doctor(t, "--url", relayURL, "--for", "pipe,setup")
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "✔ all good")
	for _, want := range []string{
		"✔ Credentials: Atlassian API token (Basic email:token) accepted; acting as bitreview-bot",
		"✔ Scope write:pullrequest:bitbucket: post review comments (probed",
		"✔ Workspace membership: member of acme",
		"✔ Relay webhook: repository webhook",
		"✔ bitbucket-pipelines.yml: main has the pull-request step and custom: bitreview",
		"✔ LLM: openai-compatible",
	} {
		assert.Contains(t, out, want)
	}
	assert.Zero(t, f.bb.Count("POST", "/comments")+f.bb.Count("POST", "/hooks")+f.bb.Count("POST", "/pipelines/"),
		"doctor creates nothing")
	assert.Empty(t, f.bb.Pipelines(ws, slug))
}

// Doctor against the fake with each scope removed in turn names that
// scope, and fails.
func TestDoctorNamesEachMissingScope(t *testing.T) {
	f := newDoctorFixture(t)
	for _, missing := range doctorScopes {
		t.Run(missing, func(t *testing.T) {
			var scopes []string
			for _, s := range doctorScopes {
				if s != missing {
					scopes = append(scopes, s)
				}
			}
			f.setScopes(scopes)
			out, code := f.doctor(t, "--format", "json")
			require.Equal(t, exitFindings, code, out)
			var rep doctorReport
			require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
			assert.False(t, rep.OK)
			named := false
			for _, c := range rep.Checks {
				if c.Status == admin.StatusFail && slices.Contains(c.Missing, missing) {
					named = true
					assert.NotEmpty(t, c.Fix, c.Name)
					assert.Contains(t, c.Fix, missing)
				}
				for _, m := range c.Missing {
					assert.Equal(t, missing, m, "only the removed scope is reported missing (%s)", c.Name)
				}
			}
			assert.True(t, named, "no failing check names %s:\n%s", missing, out)

			text, _ := f.doctor(t)
			assert.Contains(t, text, "missing scope: "+missing)
		})
	}
	f.setScopes(doctorScopes)
	_, code := f.doctor(t)
	assert.Equal(t, exitOK, code)
}

func TestDoctorFindsBrokenWebhookAndYML(t *testing.T) {
	f := newDoctorFixture(t)
	f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api"})
	f.bb.AddWebhook(ws, "api", bbtest.Webhook{URL: relayURL, Description: hookDescription, Active: false, Events: []string{"pullrequest:comment_created"}})
	f.bb.AddFile(ws, "api", "main", pipelinesFile, "pipelines:\n  pull-requests:\n    '**':\n      - step:\n          script:\n            - pipe: docker://bitreview/bitreview:1.0.0\n")
	out, code := f.doctor(t, "--repo", "api", "--for", "relay")
	require.Equal(t, exitFindings, code, out)
	for _, want := range []string{
		"✖ Relay webhook: webhook", "inactive", "no secret", "missing event pullrequest:created",
		"fix: run bitreview setup --url",
		"✖ bitbucket-pipelines.yml: main lacks the custom pipeline bitreview",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "LLM", "--for relay does not check the pipe's LLM")

	f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "bare"})
	out, code = f.doctor(t, "--repo", "bare", "--for", "relay,pipe")
	require.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, "✖ Relay webhook: no webhook of the relay on acme/bare")
	assert.Contains(t, out, "✖ bitbucket-pipelines.yml: no bitbucket-pipelines.yml on main")
}

func TestDoctorAcceptsAWorkspaceWebhook(t *testing.T) {
	f := newDoctorFixture(t)
	f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api"})
	f.bb.AddWebhook(ws, "", bbtest.Webhook{URL: relayURL, Description: hookDescription, Active: true, Events: hookEvents, Secret: relayTestSecret})
	out, _ := f.doctor(t, "--repo", "api", "--for", "setup")
	assert.Contains(t, out, "✔ Relay webhook: workspace webhook")
}

func TestDoctorPipelinesDisabled(t *testing.T) {
	f := newDoctorFixture(t)
	f.bb.SetPipelinesEnabled(ws, slug, false)
	f.setScopes(append(slices.Clone(doctorScopes), "admin:repository:bitbucket"))
	out, code := f.doctor(t, "--for", "relay")
	require.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, "✖ Pipelines enabled: Pipelines is disabled for acme/shop")
	// Without admin:repository it is a warning, not a failure.
	f.bb.SetPipelinesEnabled(ws, slug, true)
	f.setScopes(doctorScopes)
	out, code = f.doctor(t, "--for", "relay")
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "! Pipelines enabled: not verified")
}

func TestDoctorBadCredentialsStopEarly(t *testing.T) {
	f := newDoctorFixture(t)
	var out bytes.Buffer
	code := run(t.Context(), []string{"doctor"}, []string{
		"BITBUCKET_API_URL=" + f.bb.URL, "BITBUCKET_ACCESS_TOKEN=revoked-token-canary",
		"BITBUCKET_WORKSPACE=" + ws, "BITBUCKET_REPO_SLUG=" + slug,
	}, &out, &out)
	require.Equal(t, exitFindings, code)
	s := out.String()
	assert.Contains(t, s, "✖ Credentials: Bitbucket rejected the access token (Bearer)")
	assert.Contains(t, s, "fix:")
	assert.Contains(t, s, "– Scope read:repository:bitbucket: skipped: the credentials do not work")
	assert.NotContains(t, s, "revoked-token-canary")
}

func TestDoctorRelayPing(t *testing.T) {
	f := newDoctorFixture(t)
	r, err := relay.New(relay.Options{Secret: []byte(relayTestSecret), Starter: relay.BitbucketStarter{}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Shutdown(t.Context()) })
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	hookURL := srv.URL + "/webhook"
	f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: hookURL, Description: hookDescription, Active: true, Events: hookEvents, Secret: relayTestSecret})
	out, code := f.doctor(t, "--for", "relay", "--url", hookURL)
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "✔ Relay: healthz answered 200 and an unsigned delivery was refused (401)")

	// Something that accepts anything is not a relay.
	open := httptest.NewServer(nil)
	defer open.Close()
	out, code = f.doctor(t, "--for", "relay", "--url", open.URL+"/webhook")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "✖ Relay:")
}

func TestDoctorLLMProblems(t *testing.T) {
	f := newDoctorFixture(t)
	f.llm.SetDefault(func(llmtest.Call) llmtest.Reply { return llmtest.Reply{Status: 401} })
	out, code := f.doctor(t, "--for", "pipe")
	require.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, "✖ LLM:")
	assert.Contains(t, out, "fix: check LLM_API_KEY")
}

func TestDoctorConfigErrors(t *testing.T) {
	var out bytes.Buffer
	code := run(t.Context(), []string{"doctor", "--format", "yaml", "--for", "everything"}, nil, &out, &out)
	assert.Equal(t, exitConfig, code)
	for _, want := range []string{"--format", "--for", "--workspace", "--repo", "BITBUCKET_ACCESS_TOKEN"} {
		assert.Contains(t, out.String(), want)
	}
	assert.Equal(t, exitOK, run(t.Context(), []string{"doctor", "-h"}, nil, &out, &out))
	assert.True(t, strings.Contains(out.String(), "404 shows it is granted"))
}
