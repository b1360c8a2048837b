package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
)

const relayURL = "https://relay.example.com/webhook"

// setupScopeList is the least a setup token needs.
var setupScopeList = []string{"read:webhook:bitbucket", "write:webhook:bitbucket", "read:pullrequest:bitbucket", "read:repository:bitbucket"}

type setupFixture struct {
	bb    *bbtest.Server
	admin bbtest.User
}

func newSetupFixture(t *testing.T) *setupFixture {
	t.Helper()
	bb := bbtest.New(t)
	u := bbtest.NewUser("workspace-admin")
	u.Scopes = setupScopeList
	f := &setupFixture{bb: bb, admin: bb.AddUser(u)}
	bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: slug})
	return f
}

func (f *setupFixture) setup(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	environ := []string{
		"BITBUCKET_API_URL=" + f.bb.URL, "BITBUCKET_API_TOKEN=" + f.admin.APIToken, "BITBUCKET_EMAIL=" + f.admin.Email,
		"BITBUCKET_WORKSPACE=" + ws, "BITBUCKET_REPO_SLUG=" + slug, "RELAY_WEBHOOK_SECRET=" + relayTestSecret,
	}
	code := run(t.Context(), append([]string{"setup"}, args...), environ, &out, &out)
	return out.String(), code
}

func (f *setupFixture) writes() int {
	return f.bb.Count("POST", "/hooks") + f.bb.Count("PUT", "") + f.bb.Count("DELETE", "")
}

// Setup run twice: the first creates the webhook, the second changes
// nothing and creates no duplicate.
func TestSetupTwiceCreatesOneHook(t *testing.T) {
	f := newSetupFixture(t)
	out, code := f.setup(t, "--url", relayURL)
	require.Equal(t, exitOK, code, out)
	hooks := f.bb.Webhooks(ws, slug)
	require.Len(t, hooks, 1)
	h := hooks[0]
	assert.Equal(t, relayURL, h.URL)
	assert.Equal(t, "bitreview relay", h.Description)
	assert.True(t, h.Active)
	assert.Equal(t, relayTestSecret, h.Secret)
	assert.ElementsMatch(t, hookEvents, h.Events)
	assert.Contains(t, out, "+ acme/shop: created webhook")
	assert.Contains(t, out, "custom:\n    bitreview:", "the repository has no yml yet, so the snippet is printed")
	assert.NotContains(t, out, relayTestSecret)

	writes := f.writes()
	out, code = f.setup(t, "--url", relayURL)
	require.Equal(t, exitOK, code, out)
	assert.Len(t, f.bb.Webhooks(ws, slug), 1, "no duplicate")
	assert.Equal(t, writes, f.writes(), "the second run writes nothing")
	assert.Contains(t, out, "✔ acme/shop: webhook "+h.UUID+" is up to date")
	assert.Contains(t, out, "0 created, 0 repaired, 1 up to date, 0 failed")
}

// A broken hook (inactive, missing events, no secret) is repaired in
// place, then left alone.
func TestSetupRepairsABrokenHook(t *testing.T) {
	f := newSetupFixture(t)
	h := f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: relayURL, Description: "relay (old name)", Active: false,
		Events: []string{"pullrequest:comment_created", "repo:push"}})
	f.bb.AddFile(ws, slug, "main", pipelinesFile, pipelinesSnippet())
	out, code := f.setup(t, "--url", relayURL)
	require.Equal(t, exitOK, code, out)
	hooks := f.bb.Webhooks(ws, slug)
	require.Len(t, hooks, 1)
	got := hooks[0]
	assert.Equal(t, h.UUID, got.UUID, "repaired in place")
	assert.True(t, got.Active)
	assert.Equal(t, relayTestSecret, got.Secret)
	assert.Equal(t, "bitreview relay", got.Description)
	assert.ElementsMatch(t, append([]string{"repo:push"}, hookEvents...), got.Events, "the user's other events are kept")
	for _, want := range []string{"activate", "add events pullrequest:created, pullrequest:updated", "set secret", "rename"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "custom:\n    bitreview:", "the yml is complete: no snippet")

	writes := f.writes()
	out, code = f.setup(t, "--url", relayURL)
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, writes, f.writes())
	assert.Contains(t, out, "is up to date")
}

func TestSetupReplaceURLMovesHooks(t *testing.T) {
	f := newSetupFixture(t)
	const old = "https://old-relay.example.com/webhook"
	h := f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: old, Description: "bitreview relay", Active: true,
		Events: hookEvents, Secret: "the-old-secret-0123456789"})
	out, code := f.setup(t, "--url", relayURL)
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "another \"bitreview relay\" webhook "+h.UUID+" points to "+old+": move it with --replace-url")
	require.Len(t, f.bb.Webhooks(ws, slug), 2, "without --replace-url the other hook is left alone")

	f2 := newSetupFixture(t)
	h = f2.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: old, Description: "bitreview relay", Active: true,
		Events: hookEvents, Secret: "the-old-secret-0123456789"})
	out, code = f2.setup(t, "--url", relayURL, "--replace-url", old)
	require.Equal(t, exitOK, code, out)
	hooks := f2.bb.Webhooks(ws, slug)
	require.Len(t, hooks, 1)
	assert.Equal(t, h.UUID, hooks[0].UUID)
	assert.Equal(t, relayURL, hooks[0].URL)
	assert.Equal(t, relayTestSecret, hooks[0].Secret, "moving sets the new relay's secret")
	assert.Contains(t, out, "move from "+old)
	assert.Zero(t, f2.bb.Count("POST", "/hooks"))
}

func TestSetupDryRunChangesNothing(t *testing.T) {
	f := newSetupFixture(t)
	f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api"})
	f.bb.AddWebhook(ws, "api", bbtest.Webhook{URL: relayURL, Description: "bitreview relay", Events: hookEvents})
	out, code := f.setup(t, "--url", relayURL, "--repos", slug+", api", "--dry-run")
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "+ acme/shop: would create the webhook")
	assert.Contains(t, out, "~ acme/api: would repair webhook")
	assert.Contains(t, out, "1 would be created, 1 would be repaired")
	assert.Zero(t, f.writes())
	assert.Empty(t, f.bb.Webhooks(ws, slug))
}

func TestSetupAllFollowsPages(t *testing.T) {
	f := newSetupFixture(t)
	for i := range 104 {
		f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: fmt.Sprintf("svc-%03d", i)})
	}
	out, code := f.setup(t, "--url", relayURL, "--all")
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "on 105 repositories")
	assert.Contains(t, out, "105 created, 0 repaired, 0 up to date, 0 failed")
	assert.Len(t, f.bb.Webhooks(ws, "svc-103"), 1)
	assert.Equal(t, 2, f.bb.Count("GET", "/repositories/"+ws), "two pages of 100")
}

func TestSetupNamesMissingScopeAndFails(t *testing.T) {
	f := newSetupFixture(t)
	u := f.admin
	u.Scopes = []string{"read:webhook:bitbucket", "write:webhook:bitbucket", "read:repository:bitbucket"}
	f.admin = f.bb.AddUser(u)
	out, code := f.setup(t, "--url", relayURL)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "✖ acme/shop: create webhook")
	assert.Contains(t, out, "fix:")
}

func TestSetupConfigErrors(t *testing.T) {
	var out bytes.Buffer
	code := run(t.Context(), []string{"setup"}, []string{"BITBUCKET_ACCESS_TOKEN=x"}, &out, &out)
	assert.Equal(t, exitConfig, code)
	for _, want := range []string{"--url: required", "RELAY_WEBHOOK_SECRET: not set", "--workspace", "--repos"} {
		assert.Contains(t, out.String(), want)
	}
	out.Reset()
	code = run(t.Context(), []string{"setup", "--url", "http://user:pw@relay/x", "--all", "--repos", "a"},
		[]string{"BITBUCKET_ACCESS_TOKEN=x", "BITBUCKET_WORKSPACE=w", "RELAY_WEBHOOK_SECRET=" + relayTestSecret}, &out, &out)
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, out.String(), "without credentials")
	assert.Contains(t, out.String(), "choose one")
	assert.Equal(t, exitOK, run(t.Context(), []string{"setup", "--help"}, nil, &out, &out))
}
