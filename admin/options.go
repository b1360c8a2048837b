package admin

import (
	"cmp"
	"strings"

	"github.com/bitreview/bitreview/settings"
)

// SetupFlags are setup's flags as given.
type SetupFlags struct {
	URL, ReplaceURL, Workspace, Repos string
	All, DryRun, UpdateSecret         bool
}

// NewSetupOptions turns setup's flags, the configuration and the relay's
// (for its webhook secret) into setup's options, and names everything
// wrong with them. A flag beats the variable it defaults from.
func NewSetupOptions(f SetupFlags, cfg settings.Settings, rc settings.Relay) (SetupOptions, []string) {
	var problems []string
	if p := HookURLProblem(f.URL); p != "" {
		problems = append(problems, "--url: "+p)
	}
	if f.ReplaceURL != "" {
		if p := HookURLProblem(f.ReplaceURL); p != "" {
			problems = append(problems, "--replace-url: "+p)
		} else if f.ReplaceURL == f.URL {
			problems = append(problems, "--replace-url: is the same as --url")
		}
	}
	if p := settings.SecretProblem(rc.Secret); p != "" && (!f.DryRun || rc.Secret != "") {
		problems = append(problems, p)
	}
	o := SetupOptions{Workspace: cmp.Or(f.Workspace, cfg.Workspace), All: f.All, URL: f.URL, ReplaceURL: f.ReplaceURL,
		UpdateSecret: f.UpdateSecret, DryRun: f.DryRun}
	if rc.Secret != "" {
		o.Secret = &rc.Secret
	}
	problems = append(problems, workspaceProblem(o.Workspace)...)
	switch {
	case f.All && f.Repos != "":
		problems = append(problems, "--all and --repos: choose one")
	case f.Repos != "":
		for _, s := range strings.Split(f.Repos, ",") {
			if s = strings.TrimSpace(s); s != "" {
				o.Repos = append(o.Repos, s)
			}
		}
	case !f.All && cfg.RepoSlug != "":
		o.Repos = []string{cfg.RepoSlug}
	case !f.All:
		problems = append(problems, "--repos: name the repositories (--repos a,b), use --all, or set BITBUCKET_REPO_SLUG")
	}
	return o, problems
}

// DoctorFlags are doctor's flags as given, but its output format.
type DoctorFlags struct {
	Workspace, Repo, URL, For string
	PR                        int
	NoWriteProbes             bool
}

// NewDoctorOptions turns doctor's flags and the configuration into
// doctor's options, and names everything wrong with them. A flag beats
// the variable it defaults from.
func NewDoctorOptions(f DoctorFlags, cfg settings.Settings) (DoctorOptions, []string) {
	var problems []string
	roles, ok := ParseRoles(f.For)
	if !ok {
		problems = append(problems, "--for: must list pipe, relay or setup")
	}
	if f.URL != "" {
		if p := HookURLProblem(f.URL); p != "" {
			problems = append(problems, "--url: "+p)
		}
	}
	o := DoctorOptions{
		Workspace: cmp.Or(f.Workspace, cfg.Workspace), Repo: cmp.Or(f.Repo, cfg.RepoSlug),
		APIURL: cfg.APIURL, Auth: cfg.AuthMode(), AccessToken: cfg.AccessToken != "",
		RelayURL: f.URL, PR: f.PR, For: roles, NoWriteProbes: f.NoWriteProbes,
		LLM:         cfg.LLM(),
		LLMProblems: cfg.LLMProblems("pipe"),
	}
	problems = append(problems, workspaceProblem(o.Workspace)...)
	if o.Repo == "" {
		problems = append(problems, "--repo: not set, and neither is BITBUCKET_REPO_SLUG")
	}
	return o, problems
}

// workspaceProblem names the missing workspace.
func workspaceProblem(ws string) []string {
	if ws == "" {
		return []string{"--workspace: not set, and neither is BITBUCKET_WORKSPACE"}
	}
	return nil
}
