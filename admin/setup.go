package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
)

// SetupAPI is what setup asks Bitbucket.
type SetupAPI interface {
	RepoReader
	HookLister
	HookUpdater
	// ListRepositories is GET /repositories/{workspace}, every page.
	ListRepositories(ctx context.Context, workspace string) ([]*bbapi.RepositoryDetail, error)
	// CreateRepoWebhook is POST /repositories/{workspace}/{repo_slug}/hooks.
	CreateRepoWebhook(ctx context.Context, workspace, repo string, in *bbapi.WebhookRequest) (*bbapi.Webhook, *bbapi.Response, error)
}

// SetupOptions are setup's plain inputs: the command reads them from its
// flags and the environment.
type SetupOptions struct {
	// Workspace is the repositories' workspace.
	Workspace string
	// Repos are the repositories to set up: slugs of Workspace, or
	// "workspace/slug". All replaces them with every repository of
	// Workspace that the credentials can see.
	Repos []string
	All   bool
	// URL is the relay's webhook URL; ReplaceURL an old one whose hooks
	// are moved to URL.
	URL, ReplaceURL string
	// Secret is the webhook secret; nil (a dry run without one) leaves
	// existing secrets alone. UpdateSecret sends it to existing hooks too.
	Secret       *string
	UpdateSecret bool
	// DryRun plans and changes nothing.
	DryRun bool
}

// YMLState is what setup learnt of a repository's bitbucket-pipelines.yml.
type YMLState int

// The yml states.
const (
	YMLNotChecked YMLState = iota // the webhook failed, so it was not read
	YMLComplete                   // it has bitreview's steps
	YMLLacking                    // it is absent, not YAML, or lacks a step or variable
	YMLUnknown                    // it could not be read
)

// RepoResult is what setup did to one repository.
type RepoResult struct {
	// Repo is the repository's full name, "workspace/slug".
	Repo string
	// Plan is what its webhooks needed (empty when they could not be
	// listed).
	Plan HookPlan
	// Hook is the UUID of the hook created, repaired or up to date; ""
	// when a dry run would create it.
	Hook string
	// Err is the failure, named by its stage: "list webhooks: …",
	// "create webhook: …" or "repair webhook {…}: …"; Hint(Err) says how
	// to fix it.
	Err error
	// YML is what its main branch's bitbucket-pipelines.yml has.
	YML YMLState
}

// SetupReporter hears of setup's progress, so that the command can print
// each repository when it is done.
type SetupReporter interface {
	// Start is called once the repositories are known, before the first.
	Start(repos int)
	// Repo is called after each repository.
	Repo(RepoResult)
}

// SetupSummary counts what setup did (or, in a dry run, would do).
type SetupSummary struct {
	Created, Repaired, UpToDate, Failed int
	// NeedYML are the repositories whose main branch lacks bitreview's
	// steps; YMLUnknown those whose file could not be read.
	NeedYML, YMLUnknown []string
}

// Setup makes exactly one active, signed webhook to the relay on each
// repository of o (see PlanHook), then reads each one's
// bitbucket-pipelines.yml. A repository that fails does not stop the
// others; only failing to list the workspace's repositories is an error.
func Setup(ctx context.Context, api SetupAPI, o SetupOptions, r SetupReporter) (SetupSummary, error) {
	var repos []*bbapi.RepositoryDetail
	if o.All {
		all, err := api.ListRepositories(ctx, o.Workspace)
		if err != nil {
			return SetupSummary{}, fmt.Errorf("list the repositories of %s: %w", o.Workspace, err)
		}
		repos = all
	} else {
		for _, name := range o.Repos {
			ws, slug := o.Workspace, name
			if a, b, ok := strings.Cut(name, "/"); ok {
				ws, slug = a, b
			}
			repos = append(repos, &bbapi.RepositoryDetail{Repository: bbapi.Repository{FullName: ws + "/" + slug}, Slug: slug})
		}
	}
	r.Start(len(repos))
	var sum SetupSummary
	for _, repo := range repos {
		res := setupRepo(ctx, api, o, repo)
		sum.count(res)
		r.Repo(res)
	}
	return sum, nil
}

func (s *SetupSummary) count(res RepoResult) {
	switch {
	case res.Err != nil:
		s.Failed++
		return
	case res.Plan.Action == HookCreate:
		s.Created++
	case res.Plan.Action == HookRepair:
		s.Repaired++
	default:
		s.UpToDate++
	}
	switch res.YML {
	case YMLLacking:
		s.NeedYML = append(s.NeedYML, res.Repo)
	case YMLUnknown:
		s.YMLUnknown = append(s.YMLUnknown, res.Repo)
	}
}

// setupRepo plans and applies the webhook of one repository, then reads
// its bitbucket-pipelines.yml.
func setupRepo(ctx context.Context, api SetupAPI, o SetupOptions, repo *bbapi.RepositoryDetail) RepoResult {
	res := RepoResult{Repo: repo.FullName}
	ws, slug, _ := strings.Cut(repo.FullName, "/")
	hooks, err := api.ListRepoWebhooks(ctx, ws, slug)
	if err != nil {
		res.Err = fmt.Errorf("list webhooks: %w", err)
		return res
	}
	res.Plan = PlanHook(hooks, o.URL, o.ReplaceURL, o.Secret, o.UpdateSecret)
	if res.Plan.Hook != nil {
		res.Hook = res.Plan.Hook.UUID
	}
	switch {
	case o.DryRun:
	case res.Plan.Action == HookCreate:
		h, _, err := api.CreateRepoWebhook(ctx, ws, slug, res.Plan.Body)
		if err != nil {
			res.Err = fmt.Errorf("create webhook: %w", err)
			return res
		}
		res.Hook = h.UUID
	case res.Plan.Action == HookRepair:
		if _, _, err := api.UpdateRepoWebhook(ctx, ws, slug, res.Hook, res.Plan.Body); err != nil {
			res.Err = fmt.Errorf("repair webhook %s: %w", res.Hook, err)
			return res
		}
	}
	res.YML = ymlState(ctx, api, ws, slug, repo.MainBranch)
	return res
}

// ymlState reads whether the repository's main branch has the pipelines.
func ymlState(ctx context.Context, api RepoReader, ws, slug string, main *bbapi.Branch) YMLState {
	branch := ""
	if main != nil {
		branch = main.Name
	}
	_, y, err := readMainYML(ctx, api, ws, slug, branch)
	var syntax *ymlSyntaxError
	switch {
	case errors.Is(err, errNoYML), errors.As(err, &syntax):
		return YMLLacking
	case err != nil:
		return YMLUnknown
	}
	if pipe, relay := y.Missing(); len(pipe)+len(relay) > 0 {
		return YMLLacking
	}
	return YMLComplete
}
