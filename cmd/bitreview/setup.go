package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/settings"
)

// hookDescription names the relay's webhook in the repository settings.
const hookDescription = "bitreview relay"

// hookEvents are the events the relay acts on.
var hookEvents = []string{"pullrequest:comment_created", "pullrequest:created", "pullrequest:updated"}

const setupScopes = "read:webhook:bitbucket and write:webhook:bitbucket (an access token's Webhooks: Read and write), read:pullrequest:bitbucket (the events' scope) and read:repository:bitbucket (to list repositories and read bitbucket-pipelines.yml)"

// hookURLProblem checks a relay URL given on the command line.
func hookURLProblem(flagName, raw string) string {
	u, err := url.Parse(raw)
	if raw == "" {
		return flagName + ": required: the relay's public webhook URL, such as https://relay.example.com/webhook"
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return flagName + ": must be an absolute http(s) URL without credentials or fragment, such as https://relay.example.com/webhook"
	}
	return ""
}

// hookPlan is what setup does to one repository's webhooks.
type hookPlan struct {
	action   string         // "create", "update" or "" (up to date)
	hook     *bbapi.Webhook // the hook to update, or the up-to-date one
	changes  []string
	body     *bbapi.WebhookRequest
	warnings []string
}

// planHook decides, from a repository's webhooks, what makes exactly one
// active, signed hook to relayURL with the relay's events. A hook is ours
// when it points to relayURL (whatever its description) or, with
// replaceURL, to that old URL (it is moved). Other hooks named "bitreview
// relay" that point elsewhere are reported, never changed.
func planHook(hooks []*bbapi.Webhook, relayURL, replaceURL string, secret *string, updateSecret bool) hookPlan {
	var ours, movable []*bbapi.Webhook
	var p hookPlan
	for _, h := range hooks {
		switch {
		case h.URL == relayURL:
			ours = append(ours, h)
		case replaceURL != "" && h.URL == replaceURL:
			movable = append(movable, h)
		case h.Description == hookDescription:
			p.warnings = append(p.warnings, fmt.Sprintf("another %q webhook %s points to %s: move it with --replace-url %s, or delete it",
				hookDescription, h.UUID, h.URL, h.URL))
		}
	}
	var target *bbapi.Webhook
	moved := false
	switch {
	case len(ours) > 0:
		target = best(ours)
		for _, h := range append(ours, movable...) {
			if h != target {
				p.warnings = append(p.warnings, fmt.Sprintf("webhook %s duplicates %s (it points to %s too, so every event would arrive twice): delete it in Repository settings → Webhooks",
					h.UUID, target.UUID, h.URL))
			}
		}
	case len(movable) > 0:
		target, moved = best(movable), true
		for _, h := range movable {
			if h != target {
				p.warnings = append(p.warnings, fmt.Sprintf("webhook %s also points to %s; only %s is moved: delete it", h.UUID, replaceURL, target.UUID))
			}
		}
	default:
		p.action = "create"
		p.changes = []string{"events " + strings.Join(hookEvents, ", "), "secret"}
		p.body = &bbapi.WebhookRequest{Description: hookDescription, URL: relayURL, Active: true, Events: slices.Clone(hookEvents), Secret: secret}
		return p
	}
	p.hook = target
	events := slices.Clone(target.Events)
	var added []string
	for _, e := range hookEvents {
		if !slices.Contains(events, e) {
			events = append(events, e)
			added = append(added, e)
		}
	}
	slices.Sort(events)
	if moved {
		p.changes = append(p.changes, "move from "+target.URL)
	}
	if target.Description != hookDescription {
		p.changes = append(p.changes, fmt.Sprintf("rename to %q", hookDescription))
	}
	if !target.Active {
		p.changes = append(p.changes, "activate")
	}
	if len(added) > 0 {
		p.changes = append(p.changes, "add events "+strings.Join(added, ", "))
	}
	sendSecret := false
	switch {
	case !target.SecretSet:
		p.changes, sendSecret = append(p.changes, "set secret (it had none, so deliveries were unsigned and the relay refused them)"), true
	case moved:
		p.changes, sendSecret = append(p.changes, "set secret"), true
	case updateSecret:
		p.changes, sendSecret = append(p.changes, "replace secret"), true
	}
	if len(p.changes) == 0 {
		return p
	}
	p.action = "update"
	p.body = &bbapi.WebhookRequest{Description: hookDescription, URL: relayURL, Active: true, Events: events}
	if sendSecret {
		p.body.Secret = secret
	}
	return p
}

// best prefers an active hook with a secret, then the oldest.
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

// runSetup is `bitreview setup`. Exit codes: 0 every repository is set up
// (or, with --dry-run, was planned), 1 some repository failed, 2 bad
// configuration.
func runSetup(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	// Repository names and webhook URLs come from the network.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	f, err := parseSetupFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "bitreview setup: %v\n", err)
		return exitConfig
	}
	cfg, cerr := settings.Load(environ)
	rc := settings.LoadRelay(environ)
	var problems []string
	if cerr != nil {
		problems = append(problems, cerr.Problems...)
	}
	problems = append(problems, cfg.AuthProblems(setupScopes)...)
	if p := hookURLProblem("--url", f.url); p != "" {
		problems = append(problems, p)
	}
	if f.replaceURL != "" {
		if p := hookURLProblem("--replace-url", f.replaceURL); p != "" {
			problems = append(problems, p)
		} else if f.replaceURL == f.url {
			problems = append(problems, "--replace-url: is the same as --url")
		}
	}
	if p := settings.SecretProblem(rc.Secret); p != "" && (!f.dryRun || rc.Secret != "") {
		problems = append(problems, p)
	}
	ws := f.workspace
	if ws == "" {
		ws = cfg.Workspace
	}
	if ws == "" {
		problems = append(problems, "--workspace: not set, and neither is BITBUCKET_WORKSPACE")
	}
	var slugs []string
	switch {
	case f.all && f.repos != "":
		problems = append(problems, "--all and --repos: choose one")
	case f.repos != "":
		for _, s := range strings.Split(f.repos, ",") {
			if s = strings.TrimSpace(s); s != "" {
				slugs = append(slugs, s)
			}
		}
	case !f.all && cfg.RepoSlug != "":
		slugs = []string{cfg.RepoSlug}
	case !f.all:
		problems = append(problems, "--repos: name the repositories (--repos a,b), use --all, or set BITBUCKET_REPO_SLUG")
	}
	if len(problems) > 0 {
		printConfigProblems(stderr, problems)
		return exitConfig
	}
	client, err := apiClient(cfg)
	if err != nil {
		printConfigProblems(stderr, []string{err.Error()})
		return exitConfig
	}
	var secret *string
	if rc.Secret != "" {
		secret = &rc.Secret
	}
	s := &setupRun{ctx: ctx, client: client, f: f, ws: ws, secret: secret, out: stdout}
	return s.run(slugs)
}

type setupRun struct {
	ctx    context.Context
	client *bbapi.Client
	f      setupFlags
	ws     string
	secret *string
	out    io.Writer

	created, updated, unchanged, failed int
	needYML                             []string
	ymlUnknown                          []string
}

func (s *setupRun) run(slugs []string) int {
	mode := ""
	if s.f.dryRun {
		mode = " (dry run: nothing is changed)"
	}
	var repos []*bbapi.RepositoryDetail
	if s.f.all {
		all, err := s.client.ListRepositories(s.ctx, s.ws)
		if err != nil {
			fmt.Fprintf(s.out, "✖ list the repositories of %s: %s\n", s.ws, withFix(err))
			return exitFindings
		}
		repos = all
	} else {
		for _, slug := range slugs {
			ws, sl := s.ws, slug
			if a, b, ok := strings.Cut(slug, "/"); ok {
				ws, sl = a, b
			}
			repos = append(repos, &bbapi.RepositoryDetail{Repository: bbapi.Repository{FullName: ws + "/" + sl}, Slug: sl})
		}
	}
	fmt.Fprintf(s.out, "bitreview setup: webhook %s on %d repositor%s%s\n", s.f.url, len(repos), plural(len(repos), "y", "ies"), mode)
	for _, r := range repos {
		s.repo(r)
	}
	if len(s.needYML) > 0 {
		fmt.Fprintf(s.out, "\n%s on the main branch of %s still lacks bitreview's steps. Add (and merge to the main branch):\n\n%s\n",
			pipelinesFile, strings.Join(s.needYML, ", "), pipelinesSnippet())
	}
	if len(s.ymlUnknown) > 0 {
		fmt.Fprintf(s.out, "\n! could not read %s of %s; make sure it has the steps of `bitreview setup --help`'s snippet (bitreview doctor checks it)\n",
			pipelinesFile, strings.Join(s.ymlUnknown, ", "))
	}
	verb := map[bool]string{true: "would be ", false: ""}[s.f.dryRun]
	fmt.Fprintf(s.out, "\n%d %screated, %d %srepaired, %d up to date, %d failed%s\n",
		s.created, verb, s.updated, verb, s.unchanged, s.failed, mode)
	if s.failed > 0 {
		return exitFindings
	}
	return exitOK
}

// repo plans and applies the webhook of one repository, then checks its
// bitbucket-pipelines.yml.
func (s *setupRun) repo(r *bbapi.RepositoryDetail) {
	full := r.FullName
	ws, slug, _ := strings.Cut(full, "/")
	hooks, err := s.client.ListRepoWebhooks(s.ctx, ws, slug)
	if err != nil {
		s.failed++
		fmt.Fprintf(s.out, "✖ %s: list webhooks: %s\n", full, withFix(err))
		return
	}
	p := planHook(hooks, s.f.url, s.f.replaceURL, s.secret, s.f.updateSecret)
	switch p.action {
	case "":
		s.unchanged++
		fmt.Fprintf(s.out, "✔ %s: webhook %s is up to date\n", full, p.hook.UUID)
	case "create":
		if s.f.dryRun {
			s.created++
			fmt.Fprintf(s.out, "+ %s: would create the webhook (%s)\n", full, strings.Join(p.changes, "; "))
			break
		}
		h, _, err := s.client.CreateRepoWebhook(s.ctx, ws, slug, p.body)
		if err != nil {
			s.failed++
			fmt.Fprintf(s.out, "✖ %s: create webhook: %s\n", full, withFix(err))
			return
		}
		s.created++
		fmt.Fprintf(s.out, "+ %s: created webhook %s (%s)\n", full, h.UUID, strings.Join(p.changes, "; "))
	case "update":
		if s.f.dryRun {
			s.updated++
			fmt.Fprintf(s.out, "~ %s: would repair webhook %s: %s\n", full, p.hook.UUID, strings.Join(p.changes, "; "))
			break
		}
		if _, _, err := s.client.UpdateRepoWebhook(s.ctx, ws, slug, p.hook.UUID, p.body); err != nil {
			s.failed++
			fmt.Fprintf(s.out, "✖ %s: repair webhook %s: %s\n", full, p.hook.UUID, withFix(err))
			return
		}
		s.updated++
		fmt.Fprintf(s.out, "~ %s: repaired webhook %s: %s\n", full, p.hook.UUID, strings.Join(p.changes, "; "))
	}
	for _, w := range p.warnings {
		fmt.Fprintf(s.out, "! %s: %s\n", full, w)
	}
	s.checkYML(r, ws, slug)
}

// checkYML notes whether the repository's main branch has the pipelines.
func (s *setupRun) checkYML(r *bbapi.RepositoryDetail, ws, slug string) {
	branch := ""
	if r.MainBranch != nil {
		branch = r.MainBranch.Name
	}
	if branch == "" {
		full, _, err := s.client.GetRepository(s.ctx, ws, slug)
		if err != nil || full.MainBranch == nil {
			s.ymlUnknown = append(s.ymlUnknown, r.FullName)
			return
		}
		branch = full.MainBranch.Name
	}
	var buf bytes.Buffer
	if _, err := s.client.GetFile(s.ctx, ws, slug, branch, pipelinesFile, &buf); err != nil {
		var er *bbapi.ErrorResponse
		if errors.As(err, &er) && er.StatusCode == 404 {
			s.needYML = append(s.needYML, r.FullName)
			return
		}
		s.ymlUnknown = append(s.ymlUnknown, r.FullName)
		return
	}
	y, err := analysePipelinesYML(buf.Bytes())
	if err != nil {
		s.needYML = append(s.needYML, r.FullName)
		return
	}
	if pipe, relay := y.missing(); len(pipe)+len(relay) > 0 {
		s.needYML = append(s.needYML, r.FullName)
	}
}

// withFix renders an API error with its fix.
func withFix(err error) string {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) && er.Hint != "" {
		return err.Error() + "\n    fix: " + er.Hint
	}
	return err.Error()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
