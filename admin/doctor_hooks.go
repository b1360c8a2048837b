package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
)

func (d *doctor) membership(ctx context.Context) {
	d.add(Check{Name: "Workspace membership", For: []string{ForPipe, ForRelay, ForSetup}}, func(c *Check) {
		if d.o.AccessToken {
			c.Status, c.Detail = StatusSkip, "access tokens belong to their repository, project or workspace and are not members"
			return
		}
		ws := d.o.Workspace
		m, _, err := d.api.GetWorkspaceMembership(ctx, ws)
		switch {
		case err == nil:
			c.Status, c.Detail = StatusOK, fmt.Sprintf("%s of %s", dash(m.Permission), ws)
		case statusCode(err) == http.StatusNotFound:
			c.Status = StatusFail
			c.Detail = "the account is not a member of " + ws
			c.Fix = "invite the account of BITBUCKET_EMAIL to the workspace " + ws + " and give it write access to the repository"
		default:
			d.apiFail(c, err)
		}
	})
}

// webhook checks that exactly one active, signed webhook with the relay's
// events points to the relay: a repository's, else a workspace's.
func (d *doctor) webhook(ctx context.Context) {
	d.add(Check{Name: "Relay webhook", For: []string{ForRelay, ForSetup}}, func(c *Check) {
		ours, where, err := d.relayHooks(ctx)
		if err != nil {
			d.apiFail(c, err)
			return
		}
		relayURL := d.o.RelayURL
		if len(ours) == 0 {
			c.Status, c.Detail = StatusFail, "no webhook of the relay on "+d.o.Workspace+"/"+d.o.Repo
			if relayURL != "" {
				c.Detail = "no webhook points to " + relayURL
			}
			c.Fix = "run bitreview setup --url " + orPlaceholder(relayURL, "https://<relay>/webhook") + " (it creates the webhook with the events and RELAY_WEBHOOK_SECRET)"
			return
		}
		h := best(ours)
		if bad := hookFaults(h, len(ours)); len(bad) > 0 {
			c.Status, c.Detail = StatusFail, fmt.Sprintf("webhook %s → %s: %s", h.UUID, h.URL, strings.Join(bad, "; "))
			c.Fix = "run bitreview setup --url " + h.URL + " to repair it (duplicates must be deleted by hand)"
			if where == "workspace" {
				c.Fix = "repair the workspace webhook in Workspace settings → Webhooks, or delete it and run bitreview setup --url " + h.URL + " for repository webhooks"
			}
			return
		}
		c.Status, c.Detail = StatusOK, fmt.Sprintf("%s webhook %s → %s: active, signed, events %s", where, h.UUID, h.URL, strings.Join(HookEvents(), ", "))
	})
}

// relayHooks finds the relay's webhooks (those to the relay URL, or
// without one those named HookDescription) of the repository, else of the
// workspace; where says which.
func (d *doctor) relayHooks(ctx context.Context) (ours []*bbapi.Webhook, where string, err error) {
	hooks, err := d.listHooks(ctx)
	if err != nil {
		return nil, "", err
	}
	relayURL := d.o.RelayURL
	isOurs := func(h *bbapi.Webhook) bool {
		return (relayURL != "" && h.URL == relayURL) || (relayURL == "" && h.Description == HookDescription)
	}
	for _, h := range hooks {
		if isOurs(h) {
			ours = append(ours, h)
		}
	}
	if len(ours) > 0 {
		return ours, "repository", nil
	}
	// A workspace webhook serves every repository; reading it needs
	// workspace admin, so a refusal just means "not found here".
	if wsHooks, err := d.api.ListWorkspaceWebhooks(ctx, d.o.Workspace); err == nil {
		for _, h := range wsHooks {
			if isOurs(h) {
				ours = append(ours, h)
			}
		}
	}
	if len(ours) > 0 {
		return ours, "workspace", nil
	}
	return nil, "repository", nil
}

// hookFaults lists what keeps the relay's webhook h (one of n) from
// working.
func hookFaults(h *bbapi.Webhook, n int) []string {
	var bad []string
	if !h.Active {
		bad = append(bad, "inactive")
	}
	if !h.SecretSet {
		bad = append(bad, "no secret (deliveries are unsigned and the relay refuses them)")
	}
	for _, e := range HookEvents() {
		if !slices.Contains(h.Events, e) {
			bad = append(bad, "missing event "+e)
		}
	}
	if n > 1 {
		bad = append(bad, fmt.Sprintf("%d webhooks point to the relay, so events arrive twice", n))
	}
	return bad
}

// relayReachable pings the relay's /healthz and checks that it refuses an
// unsigned delivery.
func (d *doctor) relayReachable(ctx context.Context) {
	if d.o.RelayURL == "" {
		return
	}
	d.add(Check{Name: "Relay", For: []string{ForRelay}}, func(c *Check) {
		hookURL := d.o.RelayURL
		u, _ := url.Parse(hookURL)
		hc := &http.Client{Timeout: 5 * time.Second}
		health := *u
		health.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/webhook") + "/healthz"
		get, _ := http.NewRequestWithContext(ctx, http.MethodGet, health.String(), nil)
		resp, err := hc.Do(get)
		if err != nil {
			c.Status, c.Detail = StatusFail, "GET "+health.String()+": "+err.Error()
			c.Fix = "start `bitreview relay` and make it reachable at this URL from the internet (Bitbucket needs a public address with a certificate from a public CA)"
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			c.Status, c.Detail = StatusFail, fmt.Sprintf("GET %s answered %d", health.String(), resp.StatusCode)
			c.Fix = "check that the URL reaches `bitreview relay` (a proxy may rewrite the path)"
			return
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, strings.NewReader(`{"doctor":true}`))
		req.Header.Set("X-Event-Key", "diagnostics:ping")
		resp, err = hc.Do(req)
		if err != nil {
			c.Status, c.Detail = StatusFail, "POST "+hookURL+": "+err.Error()
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			c.Status, c.Detail = StatusFail, fmt.Sprintf("an unsigned delivery to %s was answered %d, not 401", hookURL, resp.StatusCode)
			c.Fix = "the URL must reach `bitreview relay`'s /webhook, which refuses unsigned deliveries"
			return
		}
		c.Status, c.Detail = StatusOK, "healthz answered 200 and an unsigned delivery was refused (401)"
	})
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}
