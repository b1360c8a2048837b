package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// nilUUID names an object that cannot exist, for the write probes.
const nilUUID = "{00000000-0000-0000-0000-000000000000}"

type doctor struct {
	ctx      context.Context
	cfg      settings.Settings
	f        doctorFlags
	roles    []string
	ws, repo string
	client   *bbapi.Client

	checks     []check
	stop       string // set when the credentials failed: later checks are skipped
	me         *bbapi.Account
	mainBranch string
	prID       int
	hooks      []*bbapi.Webhook
	hooksErr   error
	hooksDone  bool
	pipelines  []*bbapi.Pipeline
}

// run performs the checks in order: each scope check adds one scope to
// what earlier checks proved, so a 403 names it.
func (d *doctor) run() doctorReport {
	d.credentials()
	d.scopeCheck("read:repository:bitbucket", "read the repository and its files", []string{forPipe, forSetup}, d.readRepository)
	d.scopeCheck("read:pullrequest:bitbucket", "read pull requests and their comments", []string{forPipe, forSetup}, d.readPullRequests)
	d.probe("write:pullrequest:bitbucket", "post review comments", []string{forPipe}, func() error {
		id := max(d.prID, 1)
		_, _, err := d.client.UpdatePullRequestComment(d.ctx, d.ws, d.repo, id, 0,
			&bbapi.NewComment{Content: bbapi.Content{Raw: "bitreview doctor write probe"}})
		return err
	}, "PUT a pull request's comment 0")
	d.scopeCheck("read:webhook:bitbucket", "list the repository's webhooks", []string{forSetup}, func() (string, error) {
		hooks, err := d.listHooks()
		return fmt.Sprintf("%d webhook(s)", len(hooks)), err
	})
	d.probe("write:webhook:bitbucket", "install and repair the relay's webhook", []string{forSetup}, func() error {
		u := d.f.url
		if u == "" {
			u = "https://example.com/bitreview-doctor-probe"
		}
		_, _, err := d.client.UpdateRepoWebhook(d.ctx, d.ws, d.repo, nilUUID, &bbapi.WebhookRequest{
			Description: "bitreview doctor write probe", URL: u, Events: []string{"pullrequest:created"}})
		return err
	}, "PUT webhook "+nilUUID)
	d.scopeCheck("read:pipeline:bitbucket", "read pipelines", []string{forRelay}, func() (string, error) {
		ps, _, err := d.client.ListPipelines(d.ctx, d.ws, d.repo, 1)
		d.pipelines = ps
		if len(ps) > 0 {
			return fmt.Sprintf("latest run #%d", ps[0].BuildNumber), err
		}
		return "no runs yet", err
	})
	d.probe("write:pipeline:bitbucket", "start the custom pipeline", []string{forRelay}, func() error {
		_, err := d.client.StopPipeline(d.ctx, d.ws, d.repo, nilUUID)
		return err
	}, "POST stopPipeline for pipeline "+nilUUID)
	d.membership()
	d.webhook()
	d.relayReachable()
	d.pipelinesEnabled()
	d.pipelinesYML()
	d.llmReachable()

	rep := doctorReport{OK: true, Workspace: d.ws, Repo: d.repo, API: d.cfg.APIURL, Auth: d.cfg.AuthMode(), For: d.roles, Checks: d.checks}
	for _, c := range d.checks {
		if c.Status == statusFail {
			rep.OK = false
		}
	}
	return rep
}

// wanted reports whether a check serves one of the chosen commands.
func (d *doctor) wanted(forCmds []string) bool {
	for _, r := range forCmds {
		if slices.Contains(d.roles, r) {
			return true
		}
	}
	return false
}

// add records a check unless it serves no chosen command; after a
// credentials failure every later check is recorded as skipped.
func (d *doctor) add(c check, body func(*check)) {
	if !d.wanted(c.For) {
		return
	}
	if d.stop != "" {
		c.Status, c.Detail = statusSkip, d.stop
	} else {
		body(&c)
	}
	d.checks = append(d.checks, c)
}

func (d *doctor) credentials() {
	c := check{Name: "Credentials", For: []string{forPipe, forRelay, forSetup}}
	me, _, err := d.client.CurrentUser(d.ctx)
	switch {
	case err == nil:
		d.me = me
		c.Status = statusOK
		c.Detail = fmt.Sprintf("%s accepted; acting as %s %s (%s)", d.cfg.AuthMode(), dash(me.DisplayName), me.UUID, me.Type)
	case statusCode(err) == http.StatusForbidden:
		// Accepted, but GET /user needs read:user.
		c.Status = statusOK
		c.Detail = d.cfg.AuthMode() + " accepted"
	default:
		d.apiFail(&c, err)
		if statusCode(err) == http.StatusUnauthorized {
			c.Detail = "Bitbucket rejected the " + d.cfg.AuthMode() + ": " + err.Error()
		}
		d.stop = "skipped: the credentials do not work"
	}
	d.checks = append(d.checks, c)
	if d.stop != "" {
		return
	}
	// The bot's identity is a scope of its own.
	d.add(check{Name: "Scope read:user:bitbucket", For: []string{forPipe, forRelay}}, func(c *check) {
		if err != nil {
			d.apiFail(c, err)
			c.Detail += "; the relay needs GET /user to recognise the bot's own comments"
			return
		}
		c.Status, c.Detail = statusOK, "identify the bot account (GET /user)"
	})
}

// scopeCheck runs a read call that needs scope.
func (d *doctor) scopeCheck(scope, what string, forCmds []string, call func() (string, error)) {
	d.add(check{Name: "Scope " + scope, For: forCmds}, func(c *check) {
		detail, err := call()
		if err != nil {
			d.apiFail(c, err)
			return
		}
		c.Status, c.Detail = statusOK, what
		if detail != "" {
			c.Detail += " (" + detail + ")"
		}
	})
}

// probe checks a write scope with a request to an object that cannot
// exist: 404 means the scope passed, 403 names what is missing.
func (d *doctor) probe(scope, what string, forCmds []string, call func() error, how string) {
	d.add(check{Name: "Scope " + scope, For: forCmds}, func(c *check) {
		if d.f.noWriteProbes {
			c.Status, c.Detail = statusSkip, "not probed (--no-write-probes)"
			return
		}
		err := call()
		switch code := statusCode(err); {
		case err == nil:
			c.Status, c.Detail = statusWarn, "the probe ("+how+") unexpectedly succeeded"
		case code == http.StatusNotFound:
			c.Status, c.Detail = statusOK, what+" (probed: "+how+" answered 404, nothing changed)"
		case code == http.StatusForbidden:
			d.apiFail(c, err)
		default:
			c.Status, c.Detail = statusWarn, "inconclusive: the probe ("+how+") failed with "+err.Error()
		}
	})
}

func (d *doctor) readRepository() (string, error) {
	r, _, err := d.client.GetRepository(d.ctx, d.ws, d.repo)
	if err != nil {
		return "", err
	}
	if r.MainBranch != nil {
		d.mainBranch = r.MainBranch.Name
	}
	return "main branch " + dash(d.mainBranch), nil
}

func (d *doctor) readPullRequests() (string, error) {
	d.prID = d.f.pr
	if d.prID == 0 {
		prs, _, err := d.client.ListPullRequests(d.ctx, d.ws, d.repo, "OPEN", 1)
		if err != nil {
			return "", err
		}
		if len(prs) == 0 {
			return "no open pull request to read", nil
		}
		d.prID = prs[0].ID
	}
	if _, _, err := d.client.GetPullRequest(d.ctx, d.ws, d.repo, d.prID); err != nil {
		return "", err
	}
	cs, err := d.client.ListPullRequestComments(d.ctx, d.ws, d.repo, d.prID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pull request #%d with %d comment(s)", d.prID, len(cs)), nil
}

func (d *doctor) listHooks() ([]*bbapi.Webhook, error) {
	if !d.hooksDone {
		d.hooks, d.hooksErr = d.client.ListRepoWebhooks(d.ctx, d.ws, d.repo)
		d.hooksDone = true
	}
	return d.hooks, d.hooksErr
}

func (d *doctor) membership() {
	d.add(check{Name: "Workspace membership", For: []string{forPipe, forRelay, forSetup}}, func(c *check) {
		if d.cfg.AccessToken != "" {
			c.Status, c.Detail = statusSkip, "access tokens belong to their repository, project or workspace and are not members"
			return
		}
		m, _, err := d.client.GetWorkspaceMembership(d.ctx, d.ws)
		switch {
		case err == nil:
			c.Status, c.Detail = statusOK, fmt.Sprintf("%s of %s", dash(m.Permission), d.ws)
		case statusCode(err) == http.StatusNotFound:
			c.Status = statusFail
			c.Detail = "the account is not a member of " + d.ws
			c.Fix = "invite the account of BITBUCKET_EMAIL to the workspace " + d.ws + " and give it write access to the repository"
		default:
			d.apiFail(c, err)
		}
	})
}

func (d *doctor) webhook() {
	d.add(check{Name: "Relay webhook", For: []string{forRelay, forSetup}}, func(c *check) {
		hooks, err := d.listHooks()
		if err != nil {
			d.apiFail(c, err)
			return
		}
		setupCmd := "bitreview setup --url " + orPlaceholder(d.f.url, "https://<relay>/webhook")
		isOurs := func(h *bbapi.Webhook) bool {
			return (d.f.url != "" && h.URL == d.f.url) || (d.f.url == "" && h.Description == hookDescription)
		}
		var ours []*bbapi.Webhook
		for _, h := range hooks {
			if isOurs(h) {
				ours = append(ours, h)
			}
		}
		where := "repository"
		if len(ours) == 0 {
			// A workspace webhook serves every repository; reading it needs
			// workspace admin, so a refusal just means "not found here".
			if wsHooks, err := d.client.ListWorkspaceWebhooks(d.ctx, d.ws); err == nil {
				for _, h := range wsHooks {
					if isOurs(h) {
						ours, where = append(ours, h), "workspace"
					}
				}
			}
		}
		if len(ours) == 0 {
			c.Status, c.Detail = statusFail, "no webhook of the relay on "+d.ws+"/"+d.repo
			if d.f.url != "" {
				c.Detail = "no webhook points to " + d.f.url
			}
			c.Fix = "run " + setupCmd + " (it creates the webhook with the events and RELAY_WEBHOOK_SECRET)"
			return
		}
		h := best(ours)
		var bad []string
		if !h.Active {
			bad = append(bad, "inactive")
		}
		if !h.SecretSet {
			bad = append(bad, "no secret (deliveries are unsigned and the relay refuses them)")
		}
		for _, e := range hookEvents {
			if !slices.Contains(h.Events, e) {
				bad = append(bad, "missing event "+e)
			}
		}
		if len(ours) > 1 {
			bad = append(bad, fmt.Sprintf("%d webhooks point to the relay, so events arrive twice", len(ours)))
		}
		if len(bad) > 0 {
			c.Status, c.Detail = statusFail, fmt.Sprintf("webhook %s → %s: %s", h.UUID, h.URL, strings.Join(bad, "; "))
			c.Fix = "run bitreview setup --url " + h.URL + " to repair it (duplicates must be deleted by hand)"
			if where == "workspace" {
				c.Fix = "repair the workspace webhook in Workspace settings → Webhooks, or delete it and run bitreview setup --url " + h.URL + " for repository webhooks"
			}
			return
		}
		c.Status, c.Detail = statusOK, fmt.Sprintf("%s webhook %s → %s: active, signed, events %s", where, h.UUID, h.URL, strings.Join(hookEvents, ", "))
	})
}

// relayReachable pings the relay's /healthz and checks that it refuses an
// unsigned delivery.
func (d *doctor) relayReachable() {
	if d.f.url == "" {
		return
	}
	d.add(check{Name: "Relay", For: []string{forRelay}}, func(c *check) {
		u, _ := url.Parse(d.f.url)
		hc := &http.Client{Timeout: 5 * time.Second}
		health := *u
		health.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/webhook") + "/healthz"
		resp, err := hc.Get(health.String())
		if err != nil {
			c.Status, c.Detail = statusFail, "GET "+health.String()+": "+err.Error()
			c.Fix = "start `bitreview relay` and make it reachable at this URL from the internet (Bitbucket needs a public address with a certificate from a public CA)"
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			c.Status, c.Detail = statusFail, fmt.Sprintf("GET %s answered %d", health.String(), resp.StatusCode)
			c.Fix = "check that the URL reaches `bitreview relay` (a proxy may rewrite the path)"
			return
		}
		req, _ := http.NewRequestWithContext(d.ctx, http.MethodPost, d.f.url, strings.NewReader(`{"doctor":true}`))
		req.Header.Set("X-Event-Key", "diagnostics:ping")
		resp, err = hc.Do(req)
		if err != nil {
			c.Status, c.Detail = statusFail, "POST "+d.f.url+": "+err.Error()
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			c.Status, c.Detail = statusFail, fmt.Sprintf("an unsigned delivery to %s was answered %d, not 401", d.f.url, resp.StatusCode)
			c.Fix = "the URL must reach `bitreview relay`'s /webhook, which refuses unsigned deliveries"
			return
		}
		c.Status, c.Detail = statusOK, "healthz answered 200 and an unsigned delivery was refused (401)"
	})
}

func (d *doctor) pipelinesEnabled() {
	d.add(check{Name: "Pipelines enabled", For: []string{forPipe, forRelay}}, func(c *check) {
		pc, _, err := d.client.GetPipelinesConfig(d.ctx, d.ws, d.repo)
		switch {
		case err == nil && pc.Enabled:
			c.Status, c.Detail = statusOK, "enabled"
		case err == nil:
			c.Status, c.Detail = statusFail, "Pipelines is disabled for "+d.ws+"/"+d.repo
			c.Fix = "enable it in Repository settings → Pipelines → Settings"
		case len(d.pipelines) > 0:
			c.Status, c.Detail = statusOK, fmt.Sprintf("the repository has pipeline runs (#%d)", d.pipelines[0].BuildNumber)
		case statusCode(err) == http.StatusForbidden:
			c.Status = statusWarn
			c.Detail = "not verified: reading the setting needs admin:repository:bitbucket, which bitreview needs for nothing else, and there are no runs yet"
			c.Fix = "check Repository settings → Pipelines → Settings; with Pipelines disabled, starting the custom pipeline fails with 400"
		default:
			c.Status, c.Detail = statusWarn, "not verified: "+err.Error()
		}
	})
}

func (d *doctor) pipelinesYML() {
	d.add(check{Name: pipelinesFile, For: []string{forPipe, forRelay}}, func(c *check) {
		branch := d.mainBranch
		if branch == "" {
			r, _, err := d.client.GetRepository(d.ctx, d.ws, d.repo)
			if err != nil {
				d.apiFail(c, err)
				return
			}
			if r.MainBranch == nil || r.MainBranch.Name == "" {
				c.Status, c.Detail = statusFail, "the repository has no main branch yet"
				return
			}
			branch = r.MainBranch.Name
		}
		var buf bytes.Buffer
		if _, err := d.client.GetFile(d.ctx, d.ws, d.repo, branch, pipelinesFile, &buf); err != nil {
			if statusCode(err) == http.StatusNotFound {
				c.Status, c.Detail = statusFail, "no "+pipelinesFile+" on "+branch
				c.Fix = "add the steps `bitreview setup` prints (pull-request step and custom: bitreview) and merge them to " + branch
				return
			}
			d.apiFail(c, err)
			return
		}
		y, err := analysePipelinesYML(buf.Bytes())
		if err != nil {
			c.Status, c.Detail = statusFail, err.Error()
			return
		}
		pipe, relay := y.missing()
		var missing []string
		if slices.Contains(d.roles, forPipe) {
			missing = append(missing, pipe...)
		}
		if d.wanted([]string{forRelay}) {
			missing = append(missing, relay...)
		}
		if len(missing) > 0 {
			c.Status, c.Detail = statusFail, branch+" lacks "+strings.Join(missing, "; ")
			c.Fix = "add the missing parts (`bitreview setup` prints the whole snippet) and merge them to " + branch + "; the relay starts the pipeline defined on the pull request's destination branch"
			return
		}
		c.Status, c.Detail = statusOK, branch+" has the pull-request step and custom: bitreview with its three variables"
	})
}

func (d *doctor) llmReachable() {
	d.add(check{Name: "LLM", For: []string{forPipe}}, func(c *check) {
		if p := d.cfg.LLMProblems("pipe"); len(p) > 0 {
			c.Status, c.Detail = statusFail, strings.Join(p, "; ")
			return
		}
		m, err := llm.New(llm.Config{
			Provider: d.cfg.LLMProvider, Model: d.cfg.LLMModel, APIKey: d.cfg.LLMAPIKey, BaseURL: d.cfg.LLMBaseURL,
			Timeout: 20 * time.Second, MaxAttempts: 1,
		})
		if err != nil {
			c.Status, c.Detail = statusFail, err.Error()
			return
		}
		ctx, cancel := context.WithTimeout(d.ctx, 30*time.Second)
		defer cancel()
		start := time.Now()
		resp, err := m.Generate(ctx, review.Request{System: "You are a connectivity check.", Prompt: "Reply with the single word OK.", MaxTokens: 16})
		if err != nil {
			c.Status, c.Detail = statusFail, err.Error()
			var le *llm.Error
			if errors.As(err, &le) {
				c.Fix = llmFix(le.Kind)
			}
			return
		}
		c.Status = statusOK
		took := time.Since(start)
		c.Detail = fmt.Sprintf("%s %s answered in %s", m.Provider(), dash(resp.Model), max(took, time.Millisecond).Round(time.Millisecond))
	})
}

func llmFix(k llm.Kind) string {
	switch k {
	case llm.Auth:
		return "check LLM_API_KEY (a secured variable passed to the pipe) and that the key may use the model"
	case llm.NotFound:
		return "check LLM_MODEL (for azure: the deployment name) and LLM_BASE_URL"
	case llm.Network, llm.Timeout:
		return "check LLM_BASE_URL and that the provider is reachable from where this runs"
	case llm.Quota:
		return "the provider account's quota or credit is used up"
	case llm.RateLimit, llm.Unavailable:
		return "the provider is busy; try again later"
	}
	return ""
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}
