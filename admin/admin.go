// Package admin is the policy of `bitreview doctor` and `bitreview setup`:
// which checks doctor runs for which command, what a Bitbucket answer
// means and how to fix it, what setup does to a repository's webhooks
// (the plan), and what a bitbucket-pipelines.yml has of bitreview.
//
// It returns structured results (a Report of Checks, a HookPlan per
// repository, a PipelinesYML) and prints nothing; cmd/bitreview parses the
// flags and the environment, calls Doctor or Setup, prints the result as
// text or JSON and maps it to the exit code. It reads no environment and
// talks to Bitbucket only through the small interfaces below, which
// *bbapi.Client satisfies.
package admin

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
)

// The commands whose needs doctor checks (its --for).
const (
	ForPipe  = "pipe"
	ForRelay = "relay"
	ForSetup = "setup"
)

// ParseRoles reads a comma-separated list of commands (pipe, relay,
// setup), without repeats. ok is false when the list is empty or names
// anything else.
func ParseRoles(list string) (roles []string, ok bool) {
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(roles, p) {
			roles = append(roles, p)
		}
	}
	for _, r := range roles {
		if r != ForPipe && r != ForRelay && r != ForSetup {
			return roles, false
		}
	}
	return roles, len(roles) > 0
}

// RepoReader reads a repository (for its main branch) and a file of it.
type RepoReader interface {
	// GetRepository is GET /repositories/{workspace}/{repo_slug}.
	GetRepository(ctx context.Context, workspace, repo string) (*bbapi.RepositoryDetail, *bbapi.Response, error)
	// GetFile is GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}.
	GetFile(ctx context.Context, workspace, repo, commit, path string, w io.Writer) (*bbapi.Response, error)
}

// HookLister lists a repository's webhooks.
type HookLister interface {
	// ListRepoWebhooks is GET /repositories/{workspace}/{repo_slug}/hooks.
	ListRepoWebhooks(ctx context.Context, workspace, repo string) ([]*bbapi.Webhook, error)
}

// HookUpdater changes a repository's webhook.
type HookUpdater interface {
	// UpdateRepoWebhook is PUT /repositories/{workspace}/{repo_slug}/hooks/{uid}.
	UpdateRepoWebhook(ctx context.Context, workspace, repo, uid string, in *bbapi.WebhookRequest) (*bbapi.Webhook, *bbapi.Response, error)
}

// Hint is how to fix a failed Bitbucket call, when its error says
// (bbapi.ErrorResponse.Hint), else "".
func Hint(err error) string {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) {
		return er.Hint
	}
	return ""
}

// statusCode is the HTTP status of a failed Bitbucket call, or 0.
func statusCode(err error) int {
	var er *bbapi.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode
	}
	return 0
}

// dash shows an empty value as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
