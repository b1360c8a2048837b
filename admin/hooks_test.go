package admin

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
)

const (
	relayURL = "https://relay.example.com/webhook"
	oldURL   = "https://old-relay.example.com/webhook"
)

func TestPlanHook(t *testing.T) {
	secret := "It's a Secret to Everybody"
	hook := func(uuid string, edit func(*bbapi.Webhook)) *bbapi.Webhook {
		h := &bbapi.Webhook{UUID: uuid, URL: relayURL, Description: HookDescription, Active: true, Events: HookEvents(), SecretSet: true}
		if edit != nil {
			edit(h)
		}
		return h
	}
	tests := []struct {
		name         string
		hooks        []*bbapi.Webhook
		replaceURL   string
		updateSecret bool
		action       HookAction
		target       string // the UUID of the hook kept or changed
		changes      []string
		warnings     []string
		sendSecret   bool
		events       []string // of the body, when there is one
	}{
		{name: "none: create", action: HookCreate, changes: []string{"events pullrequest:comment_created, pullrequest:created, pullrequest:updated", "secret"},
			sendSecret: true, events: HookEvents()},
		{name: "a good one is kept", hooks: []*bbapi.Webhook{hook("{g}", nil)}, action: HookKeep, target: "{g}"},
		{name: "--update-secret replaces the secret", hooks: []*bbapi.Webhook{hook("{g}", nil)}, updateSecret: true,
			action: HookRepair, target: "{g}", changes: []string{"replace secret"}, sendSecret: true, events: HookEvents()},
		{name: "a duplicate is reported, the good one kept",
			hooks:  []*bbapi.Webhook{hook("{d}", func(h *bbapi.Webhook) { h.Active = false }), hook("{g}", nil)},
			action: HookKeep, target: "{g}",
			warnings: []string{"webhook {d} duplicates {g} (it points to " + relayURL + " too, so every event would arrive twice): delete it in Repository settings → Webhooks"}},
		{name: "an unsigned one gets the secret", hooks: []*bbapi.Webhook{hook("{u}", func(h *bbapi.Webhook) { h.SecretSet = false })},
			action: HookRepair, target: "{u}", sendSecret: true, events: HookEvents(),
			changes: []string{"set secret (it had none, so deliveries were unsigned and the relay refused them)"}},
		{name: "an inactive one keeps its secret", hooks: []*bbapi.Webhook{hook("{i}", func(h *bbapi.Webhook) { h.Active = false })},
			action: HookRepair, target: "{i}", changes: []string{"activate"}, events: HookEvents()},
		{name: "renamed, events added, the user's own kept and sorted",
			hooks: []*bbapi.Webhook{hook("{r}", func(h *bbapi.Webhook) {
				h.Description, h.Events = "relay (old name)", []string{"repo:push", "pullrequest:comment_created"}
			})},
			action: HookRepair, target: "{r}", changes: []string{`rename to "bitreview relay"`, "add events pullrequest:created, pullrequest:updated"},
			events: []string{"pullrequest:comment_created", "pullrequest:created", "pullrequest:updated", "repo:push"}},
		{name: "a relay hook elsewhere is reported, never changed",
			hooks:  []*bbapi.Webhook{hook("{o}", func(h *bbapi.Webhook) { h.URL = oldURL })},
			action: HookCreate, changes: []string{"events pullrequest:comment_created, pullrequest:created, pullrequest:updated", "secret"},
			sendSecret: true, events: HookEvents(),
			warnings: []string{`another "bitreview relay" webhook {o} points to ` + oldURL + ": move it with --replace-url " + oldURL + ", or delete it"}},
		{name: "--replace-url moves the best and gives it the secret",
			hooks: []*bbapi.Webhook{
				hook("{a}", func(h *bbapi.Webhook) { h.URL, h.Active = oldURL, false }),
				hook("{b}", func(h *bbapi.Webhook) { h.URL, h.Description = oldURL, "mine" }),
			},
			replaceURL: oldURL, action: HookRepair, target: "{b}", sendSecret: true, events: HookEvents(),
			changes:  []string{"move from " + oldURL, `rename to "bitreview relay"`, "set secret"},
			warnings: []string{"webhook {a} also points to " + oldURL + "; only {b} is moved: delete it"}},
		{name: "with a hook at the new URL, the old one is a duplicate",
			hooks:      []*bbapi.Webhook{hook("{n}", nil), hook("{o}", func(h *bbapi.Webhook) { h.URL = oldURL })},
			replaceURL: oldURL, action: HookKeep, target: "{n}",
			warnings: []string{"webhook {o} duplicates {n} (it points to " + oldURL + " too, so every event would arrive twice): delete it in Repository settings → Webhooks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PlanHook(tt.hooks, relayURL, tt.replaceURL, &secret, tt.updateSecret)
			assert.Equal(t, tt.action, p.Action)
			assert.Equal(t, tt.changes, p.Changes)
			assert.Equal(t, tt.warnings, p.Warnings)
			if tt.target != "" {
				require.NotNil(t, p.Hook)
				assert.Equal(t, tt.target, p.Hook.UUID)
			} else {
				assert.Nil(t, p.Hook)
			}
			if tt.action == HookKeep {
				assert.Nil(t, p.Body)
				return
			}
			require.NotNil(t, p.Body)
			assert.Equal(t, relayURL, p.Body.URL)
			assert.Equal(t, HookDescription, p.Body.Description)
			assert.True(t, p.Body.Active)
			assert.Equal(t, tt.events, p.Body.Events)
			if tt.sendSecret {
				assert.Equal(t, &secret, p.Body.Secret)
			} else {
				assert.Nil(t, p.Body.Secret, "a hook with a secret keeps it: the field is omitted")
			}
		})
	}
}

// The plan never edits the hooks it was given.
func TestPlanHookLeavesItsInputAlone(t *testing.T) {
	h := &bbapi.Webhook{UUID: "{r}", URL: relayURL, Events: []string{"repo:push"}}
	p := PlanHook([]*bbapi.Webhook{h}, relayURL, "", nil, false)
	assert.Equal(t, HookRepair, p.Action)
	assert.Equal(t, []string{"repo:push"}, h.Events)
	ev := HookEvents()
	ev[0] = "changed"
	assert.Equal(t, "pullrequest:comment_created", HookEvents()[0])
}

func TestHookURLProblem(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{relayURL, ""},
		{"http://127.0.0.1:8080/webhook", ""},
		{"", "required: the relay's public webhook URL, such as https://relay.example.com/webhook"},
		{"relay.example.com/webhook", "must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"},
		{"ftp://relay.example.com/webhook", "must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"},
		{"https://user:pw@relay.example.com/webhook", "must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"},
		{"https://relay.example.com/webhook#x", "must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"},
		{"https://relay.example.com/%zz", "must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"},
	} {
		assert.Equal(t, tt.want, HookURLProblem(tt.url), tt.url)
	}
}
