package admin

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/settings"
)

func loadSettings(t *testing.T, env ...string) settings.Settings {
	t.Helper()
	cfg, cerr := settings.Load(env)
	require.Nil(t, cerr)
	return cfg
}

const secret = "0123456789abcdef0123456789abcdef"

// Setup's flags and the environment become its options; every problem
// with them is named at once.
func TestNewSetupOptions(t *testing.T) {
	t.Parallel()
	cfg := loadSettings(t, "BITBUCKET_WORKSPACE=acme", "BITBUCKET_REPO_SLUG=shop")
	const url = "https://relay.example.com/webhook"
	for _, tc := range []struct {
		name     string
		f        SetupFlags
		cfg      settings.Settings
		secret   string
		want     SetupOptions
		problems []string
	}{
		{name: "defaults from the environment", f: SetupFlags{URL: url}, cfg: cfg, secret: secret,
			want: SetupOptions{Workspace: "acme", Repos: []string{"shop"}, URL: url}},
		{name: "flags win", f: SetupFlags{URL: url, Workspace: "other", Repos: " a, ,b ", UpdateSecret: true}, cfg: cfg, secret: secret,
			want: SetupOptions{Workspace: "other", Repos: []string{"a", "b"}, URL: url, UpdateSecret: true}},
		{name: "all", f: SetupFlags{URL: url, All: true}, cfg: cfg, secret: secret,
			want: SetupOptions{Workspace: "acme", All: true, URL: url}},
		{name: "a dry run needs no secret", f: SetupFlags{URL: url, DryRun: true}, cfg: cfg,
			want: SetupOptions{Workspace: "acme", Repos: []string{"shop"}, URL: url, DryRun: true}},
		{name: "nothing set", problems: []string{"--url: required", "RELAY_WEBHOOK_SECRET", "--workspace: not set", "--repos: name the repositories"}},
		{name: "bad URLs, both repos and all", f: SetupFlags{URL: "http://user:pw@relay/x", ReplaceURL: "ftp://old", All: true, Repos: "a"}, cfg: cfg, secret: secret,
			problems: []string{"--url: must be an absolute http(s) URL without credentials", "--replace-url: must be", "--all and --repos: choose one"}},
		{name: "replacing a URL by itself", f: SetupFlags{URL: url, ReplaceURL: url}, cfg: cfg, secret: secret,
			problems: []string{"--replace-url: is the same as --url"}},
	} {
		got, problems := NewSetupOptions(tc.f, tc.cfg, settings.Relay{Secret: tc.secret})
		if tc.problems != nil {
			all := strings.Join(problems, "\n")
			for _, p := range tc.problems {
				assert.Contains(t, all, p, tc.name)
			}
			assert.Len(t, problems, len(tc.problems), "%s: %q", tc.name, problems)
			continue
		}
		assert.Empty(t, problems, tc.name)
		if tc.secret != "" {
			require.NotNil(t, got.Secret, tc.name)
			assert.Equal(t, tc.secret, *got.Secret, tc.name)
			got.Secret = nil
		} else {
			assert.Nil(t, got.Secret, tc.name)
		}
		assert.Equal(t, tc.want, got, tc.name)
	}
}

// Doctor's flags and the environment become its options.
func TestNewDoctorOptions(t *testing.T) {
	t.Parallel()
	cfg := loadSettings(t, "BITBUCKET_WORKSPACE=acme", "BITBUCKET_REPO_SLUG=shop", "BITBUCKET_ACCESS_TOKEN=x", "LLM_API_KEY=k")
	o, problems := NewDoctorOptions(DoctorFlags{For: "pipe,relay", PR: 4, URL: "https://relay.example.com/webhook"}, cfg)
	assert.Empty(t, problems)
	assert.Equal(t, "acme", o.Workspace)
	assert.Equal(t, "shop", o.Repo)
	assert.Equal(t, []string{ForPipe, ForRelay}, o.For)
	assert.Equal(t, 4, o.PR)
	assert.True(t, o.AccessToken)
	assert.Equal(t, "https://relay.example.com/webhook", o.RelayURL)
	assert.Equal(t, "k", o.LLM.APIKey)

	o, problems = NewDoctorOptions(DoctorFlags{Workspace: "w", Repo: "r", For: "pipe"}, cfg)
	assert.Empty(t, problems)
	assert.Equal(t, "w/r", o.Workspace+"/"+o.Repo, "flags win")

	_, problems = NewDoctorOptions(DoctorFlags{For: "everything", URL: "relay"}, loadSettings(t))
	all := strings.Join(problems, "\n")
	for _, p := range []string{"--for: must list pipe, relay or setup", "--url: must be", "--workspace: not set", "--repo: not set"} {
		assert.Contains(t, all, p)
	}
}
