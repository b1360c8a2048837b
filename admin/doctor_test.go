package admin

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
)

func TestDoctorAllGood(t *testing.T) {
	f := newFixture(t)
	f.opts.RelayURL = relayURL // the relay itself: TestDoctorRelay
	f.opts.For = []string{ForPipe, ForSetup}
	rep := f.doctor(t)
	require.True(t, rep.OK, "%+v", rep.Checks)
	assert.Equal(t, []string{
		"Credentials", "Scope read:user:bitbucket", "Scope read:repository:bitbucket", "Scope read:pullrequest:bitbucket",
		"Scope write:pullrequest:bitbucket", "Scope read:webhook:bitbucket", "Scope write:webhook:bitbucket",
		"Workspace membership", "Relay webhook", "Pipelines enabled", "bitbucket-pipelines.yml", "LLM",
	}, names(rep))
	for _, c := range rep.Checks {
		want := StatusOK
		if c.Name == "Pipelines enabled" {
			want = StatusWarn // reading the setting needs admin:repository
		}
		assert.Equal(t, want, c.Status, "%s: %s", c.Name, c.Detail)
		assert.Empty(t, c.Missing, c.Name)
	}
	assert.Equal(t, Report{OK: true, Workspace: ws, Repo: slug, API: f.bb.URL, Auth: apiTokenAuth,
		For: []string{ForPipe, ForSetup}, Checks: rep.Checks}, rep)
	for name, detail := range map[string]string{
		"Credentials":                       apiTokenAuth + " accepted; acting as bitreview-bot " + f.bot.UUID + " (user)",
		"Scope read:repository:bitbucket":   "read the repository and its files (main branch main)",
		"Scope read:pullrequest:bitbucket":  "read pull requests and their comments (pull request #3 with 0 comment(s))",
		"Scope write:pullrequest:bitbucket": "post review comments (probed: PUT a pull request's comment 0 answered 404, nothing changed)",
		"Scope read:webhook:bitbucket":      "list the repository's webhooks (1 webhook(s))",
		"Workspace membership":              "member of acme",
		"bitbucket-pipelines.yml":           "main has the pull-request step and custom: bitreview with its three variables",
	} {
		assert.Equal(t, detail, check(t, rep, name).Detail, name)
	}
	assert.Regexp(t, `^openai-compatible \S+ answered in \d+ms$`, check(t, rep, "LLM").Detail)

	// Doctor changes nothing.
	assert.Empty(t, f.bb.Comments(ws, slug, 3))
	assert.Len(t, f.bb.Webhooks(ws, slug), 1)
	assert.Empty(t, f.bb.Pipelines(ws, slug))
	assert.Zero(t, f.bb.Count("POST", "/comments")+f.bb.Count("POST", "/hooks")+f.bb.Count("POST", "/pipelines/"))
}

// --for chooses the checks: each serves the commands it names.
func TestDoctorForChoosesChecks(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		roles    []string
		relayURL string
		want     []string
	}{
		{[]string{ForPipe}, "", []string{"Credentials", "Scope read:user:bitbucket", "Scope read:repository:bitbucket", "Scope read:pullrequest:bitbucket",
			"Scope write:pullrequest:bitbucket", "Workspace membership", "Pipelines enabled", "bitbucket-pipelines.yml", "LLM"}},
		{[]string{ForRelay}, "", []string{"Credentials", "Scope read:user:bitbucket", "Scope read:pipeline:bitbucket", "Scope write:pipeline:bitbucket",
			"Workspace membership", "Relay webhook", "Pipelines enabled", "bitbucket-pipelines.yml"}},
		{[]string{ForRelay}, relayStub(t).URL + "/webhook", []string{"Credentials", "Scope read:user:bitbucket", "Scope read:pipeline:bitbucket",
			"Scope write:pipeline:bitbucket", "Workspace membership", "Relay webhook", "Relay", "Pipelines enabled", "bitbucket-pipelines.yml"}},
		{[]string{ForSetup}, "", []string{"Credentials", "Scope read:repository:bitbucket", "Scope read:pullrequest:bitbucket",
			"Scope read:webhook:bitbucket", "Scope write:webhook:bitbucket", "Workspace membership", "Relay webhook"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.roles, ",")+" "+tt.relayURL, func(t *testing.T) {
			f.opts.For, f.opts.RelayURL = tt.roles, tt.relayURL
			rep := f.doctor(t)
			assert.Equal(t, tt.want, names(rep))
			assert.Equal(t, tt.roles, rep.For)
		})
	}
}

// Doctor against the fake with each scope removed in turn names that
// scope on the check that needs it, with a fix that names it too.
func TestDoctorNamesEachMissingScope(t *testing.T) {
	f := newFixture(t)
	for _, missing := range doctorScopes {
		t.Run(missing, func(t *testing.T) {
			f.setScopes(slices.DeleteFunc(slices.Clone(doctorScopes), func(s string) bool { return s == missing })...)
			rep := f.doctor(t)
			assert.False(t, rep.OK)
			name := "Scope " + missing
			if missing == "read:workspace:bitbucket" {
				name = "Workspace membership"
			}
			c := check(t, rep, name)
			assert.Equal(t, StatusFail, c.Status, c.Detail)
			assert.Equal(t, []string{missing}, c.Missing)
			assert.True(t, strings.HasPrefix(c.Detail, "Bitbucket answered 403: the credentials lack "+missing), c.Detail)
			assert.Contains(t, c.Fix, missing)
			for _, c := range rep.Checks {
				for _, m := range c.Missing {
					assert.Equal(t, missing, m, "only the removed scope is reported missing (%s)", c.Name)
				}
			}
			if missing == "read:user:bitbucket" {
				assert.Equal(t, StatusOK, check(t, rep, "Credentials").Status, "the credentials work without GET /user")
				assert.Contains(t, c.Detail, "; the relay needs GET /user to recognise the bot's own comments")
			}
		})
	}
	f.setScopes(doctorScopes...)
	assert.True(t, f.doctor(t).OK)
}

func TestScopeFix(t *testing.T) {
	tests := []struct {
		name        string
		accessToken bool
		missing     []string
		want        string
	}{
		{"API token", false, []string{"write:pullrequest:bitbucket"},
			"create a new Atlassian API token with the scope write:pullrequest:bitbucket added (scopes cannot be added to an existing token; they do not imply each other) and update BITBUCKET_API_TOKEN"},
		{"API token, two scopes", false, []string{"read:webhook:bitbucket", "write:webhook:bitbucket"},
			"create a new Atlassian API token with the scope read:webhook:bitbucket, write:webhook:bitbucket added (scopes cannot be added to an existing token; they do not imply each other) and update BITBUCKET_API_TOKEN"},
		{"access token", true, []string{"write:pullrequest:bitbucket"},
			"create a new access token with the Pull requests: Write permission (permissions cannot be added to an existing token) and update the secured variable BITBUCKET_ACCESS_TOKEN"},
		{"access token, one permission for two scopes", true, []string{"read:webhook:bitbucket", "write:webhook:bitbucket"},
			"create a new access token with the Webhooks: Read and write permission (permissions cannot be added to an existing token) and update the secured variable BITBUCKET_ACCESS_TOKEN"},
		{"access token, two permissions", true, []string{"read:repository:bitbucket", "write:pipeline:bitbucket"},
			"create a new access token with the Repositories: Read, Pipelines: Write permission (permissions cannot be added to an existing token) and update the secured variable BITBUCKET_ACCESS_TOKEN"},
		{"access token, a scope it cannot have", true, []string{"read:workspace:bitbucket"},
			"access tokens cannot be given read:workspace:bitbucket; use an Atlassian API token (BITBUCKET_API_TOKEN and BITBUCKET_EMAIL) with it instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scopeFix(tt.accessToken, tt.missing))
		})
	}
	for _, s := range doctorScopes {
		if s == "read:user:bitbucket" || s == "read:workspace:bitbucket" {
			continue
		}
		assert.NotEmpty(t, accessTokenPermission(s), "an access token can be given %s", s)
	}
	assert.Equal(t, "Repositories: Admin", accessTokenPermission("admin:repository:bitbucket"))
	assert.Equal(t, "Pipelines: Read", accessTokenPermission("read:pipeline:bitbucket"))
}

// An access token's 403 is fixed with its permissions, and membership is
// not checked: access tokens are not members.
func TestDoctorWithAnAccessToken(t *testing.T) {
	f := newFixture(t)
	f.opts.AccessToken, f.opts.Auth = true, accessTokenAuth
	f.setScopes(slices.DeleteFunc(slices.Clone(doctorScopes), func(s string) bool { return s == "write:pullrequest:bitbucket" })...)
	rep := f.doctor(t)
	c := check(t, rep, "Scope write:pullrequest:bitbucket")
	assert.Equal(t, StatusFail, c.Status)
	assert.Contains(t, c.Fix, "Pull requests: Write permission")
	m := check(t, rep, "Workspace membership")
	assert.Equal(t, StatusSkip, m.Status)
	assert.Equal(t, "access tokens belong to their repository, project or workspace and are not members", m.Detail)
	assert.True(t, strings.HasPrefix(check(t, rep, "Credentials").Detail, accessTokenAuth+" accepted"))
}

// A 403 without Bitbucket's detail names the scopes the call documents.
func TestDoctorScopeErrorWithoutDetail(t *testing.T) {
	f := newFixture(t)
	f.opts.For = []string{ForSetup}
	f.bb.Fault(bbtest.Fault{Method: "GET", PathContains: "/hooks", Status: 403, Body: `{"type":"error","error":{"message":"Forbidden"}}`, Times: -1})
	rep := f.doctor(t)
	c := check(t, rep, "Scope read:webhook:bitbucket")
	assert.Equal(t, StatusFail, c.Status)
	assert.Equal(t, []string{"read:webhook:bitbucket"}, c.Missing)
	assert.Equal(t, "Bitbucket answered 403: the credentials lack read:webhook:bitbucket", c.Detail)
}

func TestDoctorMembership(t *testing.T) {
	f := newFixture(t)
	f.opts.For = []string{ForSetup}
	f.bb.SetWorkspaceMember("other", f.bot.UUID, "member")
	f.opts.Workspace = "other"
	f.bb.AddRepository(bbtest.Repository{Workspace: "other", Slug: slug})
	assert.Equal(t, Check{Name: "Workspace membership", Status: StatusOK, Detail: "member of other", For: []string{ForPipe, ForRelay, ForSetup}},
		check(t, f.doctor(t), "Workspace membership"))

	f.bb.AddRepository(bbtest.Repository{Workspace: "strangers", Slug: slug})
	f.opts.Workspace = "strangers"
	c := check(t, f.doctor(t), "Workspace membership")
	assert.Equal(t, StatusFail, c.Status)
	assert.Equal(t, "the account is not a member of strangers", c.Detail)
	assert.Equal(t, "invite the account of BITBUCKET_EMAIL to the workspace strangers and give it write access to the repository", c.Fix)
}

func TestDoctorBadCredentialsSkipTheRest(t *testing.T) {
	f := newFixture(t)
	f.opts.AccessToken, f.opts.Auth = true, accessTokenAuth
	f.bot.AccessToken = "revoked-token-canary"
	rep := f.doctor(t)
	assert.False(t, rep.OK)
	c := rep.Checks[0]
	assert.Equal(t, "Credentials", c.Name)
	assert.Equal(t, StatusFail, c.Status)
	assert.True(t, strings.HasPrefix(c.Detail, "Bitbucket rejected the access token (Bearer): "), c.Detail)
	assert.NotEmpty(t, c.Fix)
	require.Len(t, rep.Checks, 13, "every check but read:user is listed: %v", names(rep))
	for _, c := range rep.Checks[1:] {
		assert.Equal(t, StatusSkip, c.Status, c.Name)
		assert.Equal(t, "skipped: the credentials do not work", c.Detail, c.Name)
	}
	for _, r := range f.bb.Requests() {
		assert.Contains(t, r.Path, "/user", "nothing but GET /user was asked")
	}
}

func TestDoctorNoWriteProbes(t *testing.T) {
	f := newFixture(t)
	f.opts.NoWriteProbes = true
	rep := f.doctor(t)
	for _, name := range []string{"Scope write:pullrequest:bitbucket", "Scope write:webhook:bitbucket", "Scope write:pipeline:bitbucket"} {
		c := check(t, rep, name)
		assert.Equal(t, StatusSkip, c.Status)
		assert.Equal(t, "not probed (--no-write-probes)", c.Detail)
	}
	assert.Zero(t, f.bb.Count("PUT", "")+f.bb.Count("POST", ""))
}
