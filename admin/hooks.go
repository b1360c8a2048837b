package admin

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
)

// HookDescription names the relay's webhook in the repository settings.
const HookDescription = "bitreview relay"

// HookEvents are the events the relay acts on, sorted.
func HookEvents() []string {
	return []string{"pullrequest:comment_created", "pullrequest:created", "pullrequest:updated"}
}

// HookURLProblem says what is wrong with a relay URL given on the command
// line ("required: …", "must be …"), or "".
func HookURLProblem(raw string) string {
	u, err := url.Parse(raw)
	if raw == "" {
		return "required: the relay's public webhook URL, such as https://relay.example.com/webhook"
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"
	}
	return ""
}

// HookAction is what setup does to a repository's webhooks.
type HookAction string

// The hook actions.
const (
	HookKeep   HookAction = ""       // the hook is up to date
	HookCreate HookAction = "create" // there is none: create it
	HookRepair HookAction = "update" // update the hook in place
)

// HookPlan is what setup does to one repository's webhooks.
type HookPlan struct {
	Action   HookAction
	Hook     *bbapi.Webhook        // the hook to update, or the up-to-date one; nil to create
	Changes  []string              // what the create or the update changes, in words
	Body     *bbapi.WebhookRequest // the create or update request; nil to keep
	Warnings []string              // other hooks the user must look at
}

// PlanHook decides, from a repository's webhooks, what makes exactly one
// active, signed hook to relayURL with the relay's events. A hook is ours
// when it points to relayURL (whatever its description) or, with
// replaceURL, to that old URL (it is moved). Other hooks named "bitreview
// relay" that point elsewhere are reported, never changed. secret nil
// (a dry run without one) leaves an existing hook's secret as it is.
func PlanHook(hooks []*bbapi.Webhook, relayURL, replaceURL string, secret *string, updateSecret bool) HookPlan {
	var ours, movable []*bbapi.Webhook
	var p HookPlan
	for _, h := range hooks {
		switch {
		case h.URL == relayURL:
			ours = append(ours, h)
		case replaceURL != "" && h.URL == replaceURL:
			movable = append(movable, h)
		case h.Description == HookDescription:
			p.Warnings = append(p.Warnings, fmt.Sprintf("another %q webhook %s points to %s: move it with --replace-url %s, or delete it",
				HookDescription, h.UUID, h.URL, h.URL))
		}
	}
	var target *bbapi.Webhook
	moved := false
	switch {
	case len(ours) > 0:
		target = best(ours)
		for _, h := range append(ours, movable...) {
			if h != target {
				p.Warnings = append(p.Warnings, fmt.Sprintf("webhook %s duplicates %s (it points to %s too, so every event would arrive twice): delete it in Repository settings → Webhooks",
					h.UUID, target.UUID, h.URL))
			}
		}
	case len(movable) > 0:
		target, moved = best(movable), true
		for _, h := range movable {
			if h != target {
				p.Warnings = append(p.Warnings, fmt.Sprintf("webhook %s also points to %s; only %s is moved: delete it", h.UUID, replaceURL, target.UUID))
			}
		}
	default:
		p.Action = HookCreate
		p.Changes = []string{"events " + strings.Join(HookEvents(), ", "), "secret"}
		p.Body = &bbapi.WebhookRequest{Description: HookDescription, URL: relayURL, Active: true, Events: HookEvents(), Secret: secret}
		return p
	}
	p.Hook = target
	repair(&p, relayURL, moved, secret, updateSecret)
	return p
}

// repair plans the update of p.Hook: what it lacks, and the secret when
// it has none, moves, or is to be replaced.
func repair(p *HookPlan, relayURL string, moved bool, secret *string, updateSecret bool) {
	target := p.Hook
	events := slices.Clone(target.Events)
	var added []string
	for _, e := range HookEvents() {
		if !slices.Contains(events, e) {
			events = append(events, e)
			added = append(added, e)
		}
	}
	slices.Sort(events)
	if moved {
		p.Changes = append(p.Changes, "move from "+target.URL)
	}
	if target.Description != HookDescription {
		p.Changes = append(p.Changes, fmt.Sprintf("rename to %q", HookDescription))
	}
	if !target.Active {
		p.Changes = append(p.Changes, "activate")
	}
	if len(added) > 0 {
		p.Changes = append(p.Changes, "add events "+strings.Join(added, ", "))
	}
	sendSecret := false
	switch {
	case !target.SecretSet:
		p.Changes, sendSecret = append(p.Changes, "set secret (it had none, so deliveries were unsigned and the relay refused them)"), true
	case moved:
		p.Changes, sendSecret = append(p.Changes, "set secret"), true
	case updateSecret:
		p.Changes, sendSecret = append(p.Changes, "replace secret"), true
	}
	if len(p.Changes) == 0 {
		return
	}
	p.Action = HookRepair
	p.Body = &bbapi.WebhookRequest{Description: HookDescription, URL: relayURL, Active: true, Events: events}
	if sendSecret {
		p.Body.Secret = secret
	}
}

// best prefers an active hook with a secret, then the first listed.
func best(hs []*bbapi.Webhook) *bbapi.Webhook {
	score := func(h *bbapi.Webhook) int {
		s := 0
		if h.Active {
			s += 2
		}
		if h.SecretSet {
			s++
		}
		return s
	}
	b := hs[0]
	for _, h := range hs[1:] {
		if score(h) > score(b) {
			b = h
		}
	}
	return b
}
