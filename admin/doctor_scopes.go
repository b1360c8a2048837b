package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
)

// scopes checks each scope with a call that needs it and nothing the
// checks before it did not prove.
func (d *doctor) scopes(ctx context.Context) {
	ws, repo := d.o.Workspace, d.o.Repo
	d.scopeCheck("read:repository:bitbucket", "read the repository and its files", []string{ForPipe, ForSetup}, func() (string, error) {
		return d.readRepository(ctx)
	})
	d.scopeCheck("read:pullrequest:bitbucket", "read pull requests and their comments", []string{ForPipe, ForSetup}, func() (string, error) {
		return d.readPullRequests(ctx)
	})
	d.issueScope(ctx)
	d.probe("write:pullrequest:bitbucket", "post review comments", []string{ForPipe}, func() error {
		_, _, err := d.api.UpdatePullRequestComment(ctx, ws, repo, max(d.prID, 1), 0,
			&bbapi.NewComment{Content: bbapi.Content{Raw: "bitreview doctor write probe"}})
		return err
	}, "PUT a pull request's comment 0")
	d.scopeCheck("read:webhook:bitbucket", "list the repository's webhooks", []string{ForSetup}, func() (string, error) {
		hooks, err := d.listHooks(ctx)
		return fmt.Sprintf("%d webhook(s)", len(hooks)), err
	})
	d.probe("write:webhook:bitbucket", "install and repair the relay's webhook", []string{ForSetup}, func() error {
		u := d.o.RelayURL
		if u == "" {
			u = "https://example.com/bitreview-doctor-probe"
		}
		_, _, err := d.api.UpdateRepoWebhook(ctx, ws, repo, nilUUID, &bbapi.WebhookRequest{
			Description: "bitreview doctor write probe", URL: u, Events: []string{"pullrequest:created"}})
		return err
	}, "PUT webhook "+nilUUID)
	d.scopeCheck("read:pipeline:bitbucket", "read pipelines", []string{ForRelay}, func() (string, error) {
		ps, _, err := d.api.ListPipelines(ctx, ws, repo, 1)
		d.pipelines = ps
		if len(ps) > 0 {
			return fmt.Sprintf("latest run #%d", ps[0].BuildNumber), err
		}
		return "no runs yet", err
	})
	d.probe("write:pipeline:bitbucket", "start the custom pipeline", []string{ForRelay}, func() error {
		_, err := d.api.StopPipeline(ctx, ws, repo, nilUUID)
		return err
	}, "POST stopPipeline for pipeline "+nilUUID)
}

// issueScope checks read:issue:bitbucket where the repository has an
// issue tracker, which pull requests may link ("closes #3"): reading issue
// 0, which cannot exist, answers 404 with the scope and 403 without. The
// pipe reviews without it (the summary says the issue was not read), so a
// missing scope is a warning.
func (d *doctor) issueScope(ctx context.Context) {
	if !d.hasIssues {
		return
	}
	d.add(Check{Name: "Scope read:issue:bitbucket", For: []string{ForPipe}}, func(c *Check) {
		_, _, err := d.api.GetIssue(ctx, d.o.Workspace, d.o.Repo, 0)
		switch code := statusCode(err); {
		case code == http.StatusNotFound || err == nil:
			c.Status, c.Detail = StatusOK, "read the issues pull requests link (#3) in the repository's tracker"
		case code == http.StatusForbidden:
			d.apiFail(c, err)
			c.Status = StatusWarn
			c.Detail += "; linked #N issues are listed as not read (write:issue:bitbucket is needed too for `@bitreview create issue` without Jira)"
		default:
			c.Status, c.Detail = StatusWarn, "inconclusive: reading issue 0 failed with "+err.Error()
		}
	})
}

// scopeCheck runs a read call that needs scope; detail adds to what on
// success.
func (d *doctor) scopeCheck(scope, what string, forCmds []string, call func() (detail string, err error)) {
	d.add(Check{Name: "Scope " + scope, For: forCmds}, func(c *Check) {
		detail, err := call()
		if err != nil {
			d.apiFail(c, err)
			return
		}
		c.Status, c.Detail = StatusOK, what
		if detail != "" {
			c.Detail += " (" + detail + ")"
		}
	})
}

// probe checks a write scope with a request to an object that cannot
// exist: 404 means the scope passed, 403 names what is missing.
func (d *doctor) probe(scope, what string, forCmds []string, call func() error, how string) {
	d.add(Check{Name: "Scope " + scope, For: forCmds}, func(c *Check) {
		if d.o.NoWriteProbes {
			c.Status, c.Detail = StatusSkip, "not probed (--no-write-probes)"
			return
		}
		err := call()
		switch code := statusCode(err); {
		case err == nil:
			c.Status, c.Detail = StatusWarn, "the probe ("+how+") unexpectedly succeeded"
		case code == http.StatusNotFound:
			c.Status, c.Detail = StatusOK, what+" (probed: "+how+" answered 404, nothing changed)"
		case code == http.StatusForbidden:
			d.apiFail(c, err)
		default:
			c.Status, c.Detail = StatusWarn, "inconclusive: the probe ("+how+") failed with "+err.Error()
		}
	})
}

func (d *doctor) readRepository(ctx context.Context) (string, error) {
	r, _, err := d.api.GetRepository(ctx, d.o.Workspace, d.o.Repo)
	if err != nil {
		return "", err
	}
	if r.MainBranch != nil {
		d.mainBranch = r.MainBranch.Name
	}
	d.hasIssues = r.HasIssues
	return "main branch " + dash(d.mainBranch), nil
}

func (d *doctor) readPullRequests(ctx context.Context) (string, error) {
	ws, repo := d.o.Workspace, d.o.Repo
	d.prID = d.o.PR
	if d.prID == 0 {
		prs, _, err := d.api.ListPullRequests(ctx, ws, repo, "OPEN", 1)
		if err != nil {
			return "", err
		}
		if len(prs) == 0 {
			return "no open pull request to read", nil
		}
		d.prID = prs[0].ID
	}
	if _, _, err := d.api.GetPullRequest(ctx, ws, repo, d.prID); err != nil {
		return "", err
	}
	cs, err := d.api.ListPullRequestComments(ctx, ws, repo, d.prID)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("pull request #%d with %d comment(s)", d.prID, len(cs)), nil
}

// listHooks lists the repository's webhooks once for the checks that
// need them.
func (d *doctor) listHooks(ctx context.Context) ([]*bbapi.Webhook, error) {
	if !d.hooksDone {
		d.hooks, d.hooksErr = d.api.ListRepoWebhooks(ctx, d.o.Workspace, d.o.Repo)
		d.hooksDone = true
	}
	return d.hooks, d.hooksErr
}

// apiFail turns a failed API call into a failed check: 403 names the
// missing scopes, anything else shows the error and the client's hint.
func (d *doctor) apiFail(c *Check, err error) {
	c.Status = StatusFail
	if missing, ok := scopeError(err); ok {
		c.Missing = missing
		c.Detail = "Bitbucket answered 403: the credentials lack " + strings.Join(missing, ", ")
		c.Fix = scopeFix(d.o.AccessToken, missing)
		return
	}
	c.Detail = err.Error()
	c.Fix = Hint(err)
}

// scopeError reads which scopes a 403 says are missing: Bitbucket's body
// carries error.detail.required and .granted. Without them the call's
// documented scopes stand in.
func scopeError(err error) (missing []string, is403 bool) {
	var er *bbapi.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != http.StatusForbidden {
		return nil, false
	}
	if er.Response != nil && er.Response.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(er.Response.Body, 64<<10))
		var body struct {
			Error struct {
				Detail struct {
					Required []string `json:"required"`
					Granted  []string `json:"granted"`
				} `json:"detail"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &body) == nil && len(body.Error.Detail.Required) > 0 {
			for _, s := range body.Error.Detail.Required {
				if !slices.Contains(body.Error.Detail.Granted, s) {
					missing = append(missing, s)
				}
			}
			if len(missing) > 0 {
				return missing, true
			}
		}
	}
	return er.Scopes, true
}

// accessTokenPermission names the access-token permission of a scope, or
// "" when access tokens cannot have it.
func accessTokenPermission(scope string) string {
	switch scope {
	case "read:repository:bitbucket":
		return "Repositories: Read"
	case "write:repository:bitbucket":
		return "Repositories: Write"
	case "admin:repository:bitbucket":
		return "Repositories: Admin"
	case "read:pullrequest:bitbucket":
		return "Pull requests: Read"
	case "write:pullrequest:bitbucket":
		return "Pull requests: Write"
	case "read:webhook:bitbucket", "write:webhook:bitbucket":
		return "Webhooks: Read and write"
	case "read:pipeline:bitbucket":
		return "Pipelines: Read"
	case "write:pipeline:bitbucket":
		return "Pipelines: Write"
	}
	return ""
}

// scopeFix says how to get the missing scopes: an access token's
// permissions, or an API token's scopes.
func scopeFix(accessToken bool, missing []string) string {
	if accessToken {
		var perms []string
		for _, s := range missing {
			if p := accessTokenPermission(s); p != "" && !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
		if len(perms) == 0 {
			return "access tokens cannot be given " + strings.Join(missing, ", ") + "; use an Atlassian API token (BITBUCKET_API_TOKEN and BITBUCKET_EMAIL) with it instead"
		}
		return "create a new access token with the " + strings.Join(perms, ", ") + " permission (permissions cannot be added to an existing token) and update the secured variable BITBUCKET_ACCESS_TOKEN"
	}
	return "create a new Atlassian API token with the scope " + strings.Join(missing, ", ") + " added (scopes cannot be added to an existing token; they do not imply each other) and update BITBUCKET_API_TOKEN"
}
