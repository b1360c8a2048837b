package admin

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
)

// setupScopes is the least a setup token needs.
var setupScopes = []string{"read:webhook:bitbucket", "write:webhook:bitbucket", "read:pullrequest:bitbucket", "read:repository:bitbucket"}

type setupFixture struct {
	bb    *bbtest.Server
	admin bbtest.User
	opts  SetupOptions
}

func newSetupFixture(t *testing.T) *setupFixture {
	t.Helper()
	bb := bbtest.New(t)
	u := bbtest.NewUser("workspace-admin")
	u.Scopes = setupScopes
	secret := hookSecret
	f := &setupFixture{bb: bb, admin: bb.AddUser(u), opts: SetupOptions{Workspace: ws, Repos: []string{slug}, URL: relayURL, Secret: &secret}}
	bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: slug})
	return f
}

// recorder is the SetupReporter of the tests.
type recorder struct {
	started int
	repos   []RepoResult
}

func (r *recorder) Start(n int)       { r.started = n }
func (r *recorder) Repo(x RepoResult) { r.repos = append(r.repos, x) }

func (f *setupFixture) setup(t *testing.T) (SetupSummary, *recorder) {
	t.Helper()
	c, err := bbapi.NewClient(f.bb.URL, bbapi.WithAPIToken(f.admin.Email, f.admin.APIToken), bbapi.WithRetry(1, 0, 0))
	require.NoError(t, err)
	rec := &recorder{started: -1}
	sum, err := Setup(t.Context(), c, f.opts, rec)
	require.NoError(t, err)
	require.Len(t, rec.repos, rec.started)
	return sum, rec
}

func (f *setupFixture) writes() int {
	return f.bb.Count("POST", "/hooks") + f.bb.Count("PUT", "") + f.bb.Count("DELETE", "")
}

// Setup run twice: the first creates the webhook, the second changes
// nothing and creates no duplicate.
func TestSetupCreatesOneHookThenKeepsIt(t *testing.T) {
	f := newSetupFixture(t)
	sum, rec := f.setup(t)
	assert.Equal(t, SetupSummary{Created: 1, NeedYML: []string{"acme/shop"}}, sum)
	hooks := f.bb.Webhooks(ws, slug)
	require.Len(t, hooks, 1)
	h := hooks[0]
	assert.Equal(t, bbtest.Webhook{UUID: h.UUID, URL: relayURL, Description: HookDescription, Active: true, Events: HookEvents(),
		Secret: hookSecret, SubjectType: h.SubjectType, CreatedAt: h.CreatedAt}, h)
	r := rec.repos[0]
	assert.Equal(t, "acme/shop", r.Repo)
	assert.Equal(t, HookCreate, r.Plan.Action)
	assert.Equal(t, h.UUID, r.Hook)
	assert.NoError(t, r.Err)
	assert.Equal(t, YMLLacking, r.YML)

	writes := f.writes()
	sum, rec = f.setup(t)
	assert.Equal(t, SetupSummary{UpToDate: 1, NeedYML: []string{"acme/shop"}}, sum)
	assert.Equal(t, HookKeep, rec.repos[0].Plan.Action)
	assert.Equal(t, h.UUID, rec.repos[0].Hook)
	assert.Len(t, f.bb.Webhooks(ws, slug), 1, "no duplicate")
	assert.Equal(t, writes, f.writes(), "the second run writes nothing")
}

// A broken hook is repaired in place, keeping the user's other events.
func TestSetupRepairsInPlace(t *testing.T) {
	f := newSetupFixture(t)
	h := f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: relayURL, Description: "relay (old name)", Events: []string{"pullrequest:comment_created", "repo:push"}})
	f.bb.AddFile(ws, slug, "main", PipelinesFile, PipelinesSnippet("1.0.0"))
	sum, rec := f.setup(t)
	assert.Equal(t, SetupSummary{Repaired: 1}, sum)
	got := f.bb.Webhooks(ws, slug)
	require.Len(t, got, 1)
	assert.Equal(t, h.UUID, got[0].UUID)
	assert.True(t, got[0].Active)
	assert.Equal(t, hookSecret, got[0].Secret)
	assert.ElementsMatch(t, append([]string{"repo:push"}, HookEvents()...), got[0].Events)
	r := rec.repos[0]
	assert.Equal(t, HookRepair, r.Plan.Action)
	assert.Equal(t, h.UUID, r.Hook)
	assert.Equal(t, YMLComplete, r.YML)
}

func TestSetupDryRunChangesNothing(t *testing.T) {
	f := newSetupFixture(t)
	f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api"})
	f.bb.AddWebhook(ws, "api", bbtest.Webhook{URL: relayURL, Description: HookDescription, Events: HookEvents()})
	f.opts.Repos, f.opts.DryRun, f.opts.Secret = []string{slug, "acme/api"}, true, nil
	sum, rec := f.setup(t)
	assert.Equal(t, SetupSummary{Created: 1, Repaired: 1, NeedYML: []string{"acme/shop", "acme/api"}}, sum)
	assert.Equal(t, HookCreate, rec.repos[0].Plan.Action)
	assert.Empty(t, rec.repos[0].Hook)
	assert.Equal(t, HookRepair, rec.repos[1].Plan.Action)
	assert.Zero(t, f.writes())
	assert.Empty(t, f.bb.Webhooks(ws, slug))
}

// --all sets up every repository the listing's pages name, and takes
// each one's main branch from the listing.
func TestSetupAllTakesTheListing(t *testing.T) {
	f := newSetupFixture(t)
	f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: "api", MainBranch: "develop"})
	f.bb.AddFile(ws, "api", "develop", PipelinesFile, PipelinesSnippet("1.0.0"))
	for i := range 99 {
		f.bb.AddRepository(bbtest.Repository{Workspace: ws, Slug: fmt.Sprintf("svc-%02d", i)})
	}
	f.opts.All, f.opts.Repos = true, []string{"ignored"}
	sum, rec := f.setup(t)
	assert.Equal(t, 101, rec.started, "two pages")
	assert.Equal(t, 101, sum.Created)
	assert.Len(t, sum.NeedYML, 100, "all but api")
	assert.NotContains(t, sum.NeedYML, "acme/api")
	assert.Empty(t, f.bb.Webhooks(ws, "ignored"))
	assert.Zero(t, f.bb.Count("GET", "/repositories/"+ws+"/api"), "the listing names each main branch")
}

func TestSetupListingFails(t *testing.T) {
	f := newSetupFixture(t)
	f.opts.All = true
	f.bb.Fault(bbtest.Fault{Method: "GET", PathContains: "/repositories/" + ws, Status: 403, Times: -1})
	c, err := bbapi.NewClient(f.bb.URL, bbapi.WithAPIToken(f.admin.Email, f.admin.APIToken))
	require.NoError(t, err)
	rec := &recorder{started: -1}
	_, err = Setup(t.Context(), c, f.opts, rec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "list the repositories of acme: ")
	assert.NotEmpty(t, Hint(err))
	assert.Equal(t, -1, rec.started, "nothing was started")
}

// A failure names its stage and carries Bitbucket's fix; the
// repository's yml is not read then.
func TestSetupFailures(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		fault  *bbtest.Fault
		hook   bool
		stage  string
	}{
		{name: "listing the hooks", scopes: []string{"write:webhook:bitbucket", "read:pullrequest:bitbucket", "read:repository:bitbucket"}, stage: "list webhooks: "},
		{name: "creating", scopes: []string{"read:webhook:bitbucket", "write:webhook:bitbucket", "read:repository:bitbucket"}, stage: "create webhook: "},
		{name: "repairing", hook: true, fault: &bbtest.Fault{Method: "PUT", PathContains: "/hooks/", Status: 403, Times: -1}, stage: "repair webhook {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSetupFixture(t)
			if tt.scopes != nil {
				u := f.admin
				u.Scopes = tt.scopes
				f.admin = f.bb.AddUser(u)
			}
			if tt.fault != nil {
				f.bb.Fault(*tt.fault)
			}
			if tt.hook {
				f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: relayURL, Description: HookDescription, Events: HookEvents()})
			}
			sum, rec := f.setup(t)
			assert.Equal(t, SetupSummary{Failed: 1}, sum)
			r := rec.repos[0]
			require.Error(t, r.Err)
			assert.Regexp(t, "^"+tt.stage, r.Err.Error())
			var er *bbapi.ErrorResponse
			require.True(t, errors.As(r.Err, &er))
			assert.Equal(t, er.Hint, Hint(r.Err))
			assert.Equal(t, YMLNotChecked, r.YML)
			assert.Zero(t, f.bb.Count("GET", "/src/"))
		})
	}
}

func TestSetupReadsTheYML(t *testing.T) {
	tests := []struct {
		name  string
		yml   string // "" means no file
		fault *bbtest.Fault
		want  YMLState
	}{
		{name: "complete", yml: PipelinesSnippet("1.0.0"), want: YMLComplete},
		{name: "absent", want: YMLLacking},
		{name: "partial", yml: partialYML, want: YMLLacking},
		{name: "not YAML", yml: "pipelines: [\n", want: YMLLacking},
		{name: "unreadable file", yml: PipelinesSnippet("1.0.0"), fault: &bbtest.Fault{Method: "GET", PathContains: "/src/", Status: 500, Times: -1}, want: YMLUnknown},
		{name: "unreadable repository", yml: PipelinesSnippet("1.0.0"), want: YMLUnknown,
			// The second GET under the repository: the first lists its hooks.
			fault: &bbtest.Fault{Method: "GET", PathContains: "/repositories/acme/shop", Status: 500, Times: 1, Every: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSetupFixture(t)
			f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: relayURL, Description: HookDescription, Active: true, Events: HookEvents(), Secret: hookSecret})
			if tt.yml != "" {
				f.bb.AddFile(ws, slug, "main", PipelinesFile, tt.yml)
			}
			if tt.fault != nil {
				f.bb.Fault(*tt.fault)
			}
			want := SetupSummary{UpToDate: 1}
			switch tt.want {
			case YMLLacking:
				want.NeedYML = []string{"acme/shop"}
			case YMLUnknown:
				want.YMLUnknown = []string{"acme/shop"}
			}
			sum, rec := f.setup(t)
			assert.Equal(t, tt.want, rec.repos[0].YML)
			assert.Equal(t, want, sum)
		})
	}
}
