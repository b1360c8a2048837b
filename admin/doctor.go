package admin

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/llm"
)

// Status is a check's outcome.
type Status string

// The check statuses.
const (
	StatusOK   Status = "ok"
	StatusFail Status = "fail"
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
)

// Check is one line of doctor's report.
type Check struct {
	Name    string   `json:"name"`
	Status  Status   `json:"status"`
	Detail  string   `json:"detail,omitempty"`
	Missing []string `json:"missing_scopes,omitempty"`
	Fix     string   `json:"fix,omitempty"`
	For     []string `json:"for"` // the commands that need it
}

// Report is doctor's whole result, as `bitreview doctor --format json`
// prints it.
type Report struct {
	OK        bool     `json:"ok"` // no check failed
	Workspace string   `json:"workspace"`
	Repo      string   `json:"repository"`
	API       string   `json:"api"`
	Auth      string   `json:"auth_mode"`
	For       []string `json:"for"`
	Checks    []Check  `json:"checks"`
	// Problems are the configuration errors that kept doctor from
	// checking anything; names and fixes, never values. Doctor leaves it
	// empty: the command fills it.
	Problems []string `json:"configuration_errors,omitempty"`
}

// DoctorAPI is what doctor asks Bitbucket; each call needs one scope more
// than the checks before it proved.
type DoctorAPI interface {
	RepoReader
	HookLister
	HookUpdater
	// CurrentUser is GET /user.
	CurrentUser(ctx context.Context) (*bbapi.Account, *bbapi.Response, error)
	// GetWorkspaceMembership is GET /user/workspaces/{workspace}/permission.
	GetWorkspaceMembership(ctx context.Context, workspace string) (*bbapi.WorkspaceMembership, *bbapi.Response, error)
	// ListPullRequests is GET /repositories/{workspace}/{repo_slug}/pullrequests.
	ListPullRequests(ctx context.Context, workspace, repo, state string, pagelen int) ([]*bbapi.PullRequest, *bbapi.Response, error)
	// GetPullRequest is GET …/pullrequests/{id}.
	GetPullRequest(ctx context.Context, workspace, repo string, id int) (*bbapi.PullRequest, *bbapi.Response, error)
	// ListPullRequestComments is GET …/pullrequests/{id}/comments.
	ListPullRequestComments(ctx context.Context, workspace, repo string, id int) ([]*bbapi.Comment, error)
	// UpdatePullRequestComment is PUT …/pullrequests/{id}/comments/{comment_id}.
	UpdatePullRequestComment(ctx context.Context, workspace, repo string, id, commentID int, in *bbapi.NewComment) (*bbapi.Comment, *bbapi.Response, error)
	// ListWorkspaceWebhooks is GET /workspaces/{workspace}/hooks.
	ListWorkspaceWebhooks(ctx context.Context, workspace string) ([]*bbapi.Webhook, error)
	// ListPipelines is GET /repositories/{workspace}/{repo_slug}/pipelines.
	ListPipelines(ctx context.Context, workspace, repo string, pagelen int) ([]*bbapi.Pipeline, *bbapi.Response, error)
	// StopPipeline is POST …/pipelines/{uuid}/stopPipeline.
	StopPipeline(ctx context.Context, workspace, repo, uuid string) (*bbapi.Response, error)
	// GetIssue is GET …/issues/{issue_id}.
	GetIssue(ctx context.Context, workspace, repo string, id int) (*bbapi.Issue, *bbapi.Response, error)
	// GetPipelinesConfig is GET …/pipelines_config.
	GetPipelinesConfig(ctx context.Context, workspace, repo string) (*bbapi.PipelinesConfig, *bbapi.Response, error)
}

// DoctorOptions are doctor's plain inputs: the command reads them from
// its flags and the environment.
type DoctorOptions struct {
	Workspace, Repo string
	// APIURL is Bitbucket's API URL, for the report.
	APIURL string
	// Auth names the credential in use, never its value, such as
	// "access token (Bearer)".
	Auth string
	// AccessToken tells that the credential is a repository, project or
	// workspace access token: it has permissions, not scopes, and is no
	// workspace member.
	AccessToken bool
	// RelayURL is the relay's webhook URL: the webhook must point to it,
	// and the relay is pinged. "" checks the hook named HookDescription.
	RelayURL string
	// PR is a pull request to read; 0 means the newest open one.
	PR int
	// For lists the commands whose needs are checked (ForPipe, …).
	For []string
	// NoWriteProbes skips the write-scope probes.
	NoWriteProbes bool
	// LLM configures the pipe's model for the LLM check (its timeout and
	// attempts are doctor's own), and LLMProblems are what the command
	// found wrong with it: they fail the check without a call.
	LLM         llm.Config
	LLMProblems []string
}

// nilUUID names an object that cannot exist, for the write probes.
const nilUUID = "{00000000-0000-0000-0000-000000000000}"

// doctor is one run of the checks.
type doctor struct {
	api DoctorAPI
	o   DoctorOptions

	checks     []Check
	stop       string // set when the credentials failed: later checks are skipped
	mainBranch string
	hasIssues  bool // the repository has its own issue tracker
	prID       int
	hooks      []*bbapi.Webhook
	hooksErr   error
	hooksDone  bool
	pipelines  []*bbapi.Pipeline
}

// Doctor checks what the commands of o.For need, in order: the
// credentials, each scope (every scope check adds one scope to what
// earlier checks proved, so a 403 names it; write scopes are probed with
// a write to an object that cannot exist), workspace membership, the
// relay's webhook, the relay, Pipelines, bitbucket-pipelines.yml and the
// LLM. It creates and changes nothing.
func Doctor(ctx context.Context, api DoctorAPI, o DoctorOptions) Report {
	d := &doctor{api: api, o: o}
	d.credentials(ctx)
	d.scopes(ctx)
	d.membership(ctx)
	d.webhook(ctx)
	d.relayReachable(ctx)
	d.pipelinesEnabled(ctx)
	d.pipelinesYML(ctx)
	d.llmReachable(ctx)

	rep := Report{OK: true, Workspace: o.Workspace, Repo: o.Repo, API: o.APIURL, Auth: o.Auth, For: o.For, Checks: d.checks}
	for _, c := range d.checks {
		if c.Status == StatusFail {
			rep.OK = false
		}
	}
	return rep
}

// wanted reports whether a check serves one of the chosen commands.
func (d *doctor) wanted(forCmds ...string) bool {
	return slices.ContainsFunc(forCmds, func(r string) bool { return slices.Contains(d.o.For, r) })
}

// add records a check unless it serves no chosen command; after a
// credentials failure every later check is recorded as skipped.
func (d *doctor) add(c Check, body func(*Check)) {
	if !d.wanted(c.For...) {
		return
	}
	if d.stop != "" {
		c.Status, c.Detail = StatusSkip, d.stop
	} else {
		body(&c)
	}
	d.checks = append(d.checks, c)
}

func (d *doctor) credentials(ctx context.Context) {
	c := Check{Name: "Credentials", For: []string{ForPipe, ForRelay, ForSetup}}
	me, _, err := d.api.CurrentUser(ctx)
	switch {
	case err == nil:
		c.Status = StatusOK
		c.Detail = fmt.Sprintf("%s accepted; acting as %s %s (%s)", d.o.Auth, dash(me.DisplayName), me.UUID, me.Type)
	case statusCode(err) == http.StatusForbidden:
		// Accepted, but GET /user needs read:user.
		c.Status = StatusOK
		c.Detail = d.o.Auth + " accepted"
	default:
		d.apiFail(&c, err)
		if statusCode(err) == http.StatusUnauthorized {
			c.Detail = "Bitbucket rejected the " + d.o.Auth + ": " + err.Error()
		}
		d.stop = "skipped: the credentials do not work"
	}
	d.checks = append(d.checks, c)
	if d.stop != "" {
		return
	}
	// The bot's identity is a scope of its own.
	d.add(Check{Name: "Scope read:user:bitbucket", For: []string{ForPipe, ForRelay}}, func(c *Check) {
		if err != nil {
			d.apiFail(c, err)
			c.Detail += "; the relay needs GET /user to recognise the bot's own comments"
			return
		}
		c.Status, c.Detail = StatusOK, "identify the bot account (GET /user)"
	})
}
