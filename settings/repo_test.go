package settings

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/repoconfig"
	"github.com/bitreview/bitreview/review"
)

// memFiles is an in-memory repository at one commit: files by path, and
// paths a source refuses (a symlink, a directory) with its reason, or an
// error to answer.
type memFiles struct {
	files   map[string]string
	refused map[string]*refusedErr
	failing map[string]error
	reads   []string
}

func (m *memFiles) ReadFile(_ context.Context, p string) ([]byte, error) {
	m.reads = append(m.reads, p)
	if r, ok := m.refused[p]; ok {
		return nil, r
	}
	if err, ok := m.failing[p]; ok {
		return nil, err
	}
	if s, ok := m.files[p]; ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
}

// refusedErr is shaped like gitblob's and the adapters' refusals.
type refusedErr struct {
	path, why  string
	notTracked bool // gitblob: a path not tracked at the commit
}

func (e *refusedErr) Error() string { return e.path + ": " + e.why }
func (e *refusedErr) Why() string   { return e.why }
func (e *refusedErr) Is(target error) bool {
	return e.notTracked && target == fs.ErrNotExist
}

func TestLoadRepo(t *testing.T) {
	t.Parallel()
	refusals := map[string]*refusedErr{
		"docs/guide.md": {path: "docs/guide.md", why: "a symlink"},
		"docs/more":     {path: "docs/more", why: "a directory"},
		".env":          {path: ".env", why: "not tracked at 0123456789ab", notTracked: true},
	}
	for _, tc := range []struct {
		name       string
		files      *memFiles
		file       bool // a config was used
		source     string
		warnings   []string
		guidelines []review.Guideline
	}{
		{
			name:   "no file",
			files:  &memFiles{},
			source: "defaults (no .bitreview.yaml on main)",
		},
		{
			name:       "a file with a guideline",
			files:      &memFiles{files: map[string]string{".bitreview.yaml": "profile: assertive\nguidelines: [CONTRIBUTING.md]\n", "CONTRIBUTING.md": "Use table tests."}},
			file:       true,
			source:     ".bitreview.yaml from main (0123456789ab)",
			guidelines: []review.Guideline{{Name: "CONTRIBUTING.md", Text: "Use table tests."}},
		},
		{
			name:     "unreadable",
			files:    &memFiles{failing: map[string]error{".bitreview.yaml": errors.New("HTTP 500")}},
			source:   "defaults (.bitreview.yaml unreadable)",
			warnings: []string{".bitreview.yaml could not be read (HTTP 500); using defaults"},
		},
		{
			name:     "broken YAML",
			files:    &memFiles{files: map[string]string{".bitreview.yaml": "profile: [\n"}},
			source:   "defaults (.bitreview.yaml is invalid)",
			warnings: []string{"using defaults"},
		},
		{
			name:     "too large",
			files:    &memFiles{files: map[string]string{".bitreview.yaml": strings.Repeat("#", 1<<20)}},
			source:   "defaults (.bitreview.yaml is invalid)",
			warnings: []string{"larger than"},
		},
		{
			name:     "unknown key",
			files:    &memFiles{files: map[string]string{".bitreview.yaml": "profile: chill\nprofle: x\n"}},
			file:     true,
			source:   ".bitreview.yaml from main (0123456789ab)",
			warnings: []string{".bitreview.yaml: "},
		},
		{
			name: "guidelines refused",
			files: &memFiles{
				files:   map[string]string{".bitreview.yaml": "guidelines: [docs/guide.md, docs/more, .git/config, ../x.md, CONTRIBUTING.md]\n", "CONTRIBUTING.md": "Use table tests.", "docs/more/a.md": "a"},
				refused: refusals,
			},
			file:   true,
			source: ".bitreview.yaml from main (0123456789ab)",
			warnings: []string{
				"guideline docs/guide.md refused: a symlink",
				"guideline docs/more refused: a directory",
				"guideline .git/config refused: under .git/",
				"guideline ../x.md refused: outside the repository",
			},
			guidelines: []review.Guideline{{Name: "CONTRIBUTING.md", Text: "Use table tests."}},
		},
		{
			name: "guidelines not tracked or missing",
			files: &memFiles{
				files:   map[string]string{".bitreview.yaml": "guidelines: [.env, gone.md, flaky.md]\n"},
				refused: refusals, failing: map[string]error{"flaky.md": errors.New("HTTP 502")},
			},
			file:   true,
			source: ".bitreview.yaml from main (0123456789ab)",
			warnings: []string{
				"guideline .env refused: not tracked at main",
				"guideline gone.md could not be read at main",
				"guideline flaky.md could not be read at main",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := LoadRepo(t.Context(), OnBranch(tc.files, "main", "0123456789abcdef"), ".bitreview.yaml")
			assert.Equal(t, tc.file, r.File != nil)
			assert.Equal(t, tc.source, r.Source)
			require.Len(t, r.Warnings, len(tc.warnings), "%q", r.Warnings)
			for i, w := range tc.warnings {
				assert.Contains(t, r.Warnings[i], w)
			}
			assert.Equal(t, tc.guidelines, r.Guidelines)
			for _, p := range tc.files.reads {
				assert.False(t, strings.HasPrefix(p, ".git/") || strings.HasPrefix(p, "../"), "%s was read", p)
			}
		})
	}
}

// A long guideline is cut at 16 KiB; the config file and the guidelines
// may come from different sources.
func TestLoadRepoGuidelineCutAndSeparateSources(t *testing.T) {
	t.Parallel()
	cfg := &memFiles{files: map[string]string{"ci/review.yaml": "guidelines: [/GUIDE.md]\n"}}
	guides := &memFiles{files: map[string]string{"GUIDE.md": strings.Repeat("g", 20<<10)}}
	r := LoadRepo(t.Context(), RepoSource{Config: cfg, Guidelines: guides, From: "the working tree", On: "in the working tree", At: "main"}, "ci/review.yaml")
	require.Len(t, r.Guidelines, 1)
	assert.Len(t, r.Guidelines[0].Text, 16<<10)
	assert.Equal(t, "/GUIDE.md", r.Guidelines[0].Name)
	assert.Equal(t, "ci/review.yaml from the working tree", r.Source)
	assert.Equal(t, []string{"ci/review.yaml"}, cfg.reads)
	assert.Equal(t, []string{"GUIDE.md"}, guides.reads)

	r = LoadRepo(t.Context(), RepoSource{Config: &memFiles{}, On: "in the working tree"}, "../outside.yaml")
	assert.Equal(t, []string{"../outside.yaml could not be read (outside the repository); using defaults"}, r.Warnings)
}

func TestRepoPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"docs/a.md", "docs/a.md", nil},
		{"/docs//./a.md", "docs/a.md", nil},
		{"a/../b.md", "b.md", nil},
		{"../x", "", ErrOutsideRepo},
		{"..", "", ErrOutsideRepo},
		{"/", "", ErrOutsideRepo},
		{".git/config", "", ErrUnderGitDir},
		{"sub/.GIT/config", "", ErrUnderGitDir},
		{".git. /x", "", ErrUnderGitDir},
		{".github/x.md", ".github/x.md", nil},
	} {
		got, err := RepoPath(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.ErrorIs(t, err, tc.err, tc.in)
		if tc.err == nil {
			assert.NoError(t, err, tc.in)
		}
	}
}

func TestRefusal(t *testing.T) {
	t.Parallel()
	notTracked := &refusedErr{path: "x", why: "not tracked at 0123456789ab", notTracked: true}
	for _, tc := range []struct {
		name string
		err  error
		at   string
		want string
	}{
		{"none", nil, "main", ""},
		{"missing", fmt.Errorf("x: %w", fs.ErrNotExist), "main", ""},
		{"network", errors.New("HTTP 500"), "main", ""},
		{"outside", ErrOutsideRepo, "main", "outside the repository"},
		{"under .git", ErrUnderGitDir, "", "under .git/"},
		{"symlink", fmt.Errorf("read: %w", &refusedErr{path: "x", why: "a symlink"}), "main", "a symlink"},
		{"not tracked, named", notTracked, "main", "not tracked at main"},
		{"not tracked, the source's words", notTracked, "", "not tracked at 0123456789ab"},
	} {
		assert.Equal(t, tc.want, Refusal(tc.err, tc.at), tc.name)
	}
}

func parsed(t *testing.T, yaml string) Repo {
	t.Helper()
	cfg, _, err := repoconfig.Parse("x.yaml", []byte(yaml))
	require.NoError(t, err)
	return Repo{File: cfg}
}

// A variable set in the environment wins, then the file, then the
// defaults.
func TestApplyPrecedence(t *testing.T) {
	t.Parallel()
	r := parsed(t, "profile: assertive\nlanguage: de-DE\nmax_comments: 5\nmax_files: 6\nmax_input_tokens: 7000\nmin_severity: high\nfail_on: critical\ncode_insights: false\npath_filters: ['src/**']\n")
	s := loaded(t, "MIN_SEVERITY=low", "PATH_FILTERS_COUNT=1", "PATH_FILTERS_0=lib/**", "CODE_INSIGHTS=true").Apply(r)
	assert.Equal(t, "assertive", s.ReviewProfile, "file beats default")
	assert.Equal(t, "de-DE", s.ReviewLanguage)
	assert.Equal(t, []int{6, 5, 7000}, []int{s.MaxFiles, s.MaxComments, s.MaxInputTokens})
	assert.Equal(t, "critical", s.FailOn)
	assert.Equal(t, "low", s.MinSeverity, "variable beats file")
	assert.Equal(t, []string{"lib/**"}, s.PathFilters, "a list variable beats the file")
	assert.True(t, s.CodeInsights, "variable beats file")

	s = loaded(t, "MIN_SEVERITY=").Apply(r)
	assert.Equal(t, "high", s.MinSeverity, "an empty variable is not set")
	assert.False(t, s.CodeInsights)
	assert.Equal(t, []string{"src/**"}, s.PathFilters)

	d := loaded(t)
	assert.Equal(t, d, d.Apply(Repo{}), "no file: the settings as they were")
}

func TestSkipReason(t *testing.T) {
	t.Parallel()
	none := Repo{}
	off := parsed(t, "auto_review:\n  enabled: false\n")
	kw := parsed(t, "auto_review:\n  ignore_title_keywords: [WIP]\n  base_branches: ['release/*']\n")
	drafts := parsed(t, "auto_review:\n  drafts: true\n")
	for _, tc := range []struct {
		name    string
		repo    Repo
		meta    review.PullRequest
		command string
		want    string // substring; "" reviews
	}{
		{"defaults", none, review.PullRequest{}, "", ""},
		{"draft without a file", none, review.PullRequest{Draft: true}, "", "this pull request is a draft"},
		{"draft with a file", kw, review.PullRequest{Draft: true, TargetBranch: "release/1"}, "", "draft pull request (set auto_review.drafts: true"},
		{"drafts asked for", drafts, review.PullRequest{Draft: true}, "", ""},
		{"draft on command", none, review.PullRequest{Draft: true}, "review", ""},
		{"turned off", off, review.PullRequest{}, "", "turned off"},
		{"turned off, explicit command", off, review.PullRequest{}, "review", ""},
		{"title keyword", kw, review.PullRequest{Title: "wip: x", TargetBranch: "release/1"}, "", `the title contains "WIP"`},
		{"base branch", kw, review.PullRequest{Title: "x", TargetBranch: "main"}, "", "target branch main is not in auto_review.base_branches"},
		{"base branch glob", kw, review.PullRequest{Title: "x", TargetBranch: "release/1"}, "", ""},
		{"ignore", none, review.PullRequest{Description: "Please\n\n@bitreview ignore\n"}, "", "the description says `@bitreview ignore`"},
		{"ignore wins over a command", drafts, review.PullRequest{Description: "@bitreview ignore"}, "full review", "`@bitreview ignore`"},
		{"quoted ignore", none, review.PullRequest{Description: "`@bitreview ignore`"}, "", ""},
	} {
		got := tc.repo.SkipReason(tc.meta, tc.command)
		if tc.want == "" {
			assert.Empty(t, got, tc.name)
		} else {
			assert.Contains(t, got, tc.want, tc.name)
		}
	}
}

func TestRepoNotesAndInstructions(t *testing.T) {
	t.Parallel()
	r := parsed(t, "paths:\n  - path: 'db/**'\n    instructions: use placeholders\n")
	r.Source, r.Warnings = ".bitreview.yaml from main (abc)", []string{"guideline x refused: a symlink"}
	assert.Equal(t, []string{"Configuration: .bitreview.yaml from main (abc).", "Configuration warning: guideline x refused: a symlink."}, r.Notes())
	assert.Equal(t, []review.PathInstruction{{Glob: "db/**", Text: "use placeholders"}}, r.Instructions())
	assert.Nil(t, Repo{}.Instructions())
}

func TestConfigEditNote(t *testing.T) {
	t.Parallel()
	d := &diffparse.Diff{Files: []*diffparse.File{{OldPath: "a.go", NewPath: "a.go"}, {OldPath: "old.yaml", NewPath: ".bitreview.yaml"}}}
	assert.Equal(t, "This pull request changes .bitreview.yaml; it was reviewed with the version on main. The change applies to reviews after it is merged.",
		ConfigEditNote(d, "/.bitreview.yaml", "main"))
	assert.Contains(t, ConfigEditNote(d, "old.yaml", "main"), "changes old.yaml")
	assert.Empty(t, ConfigEditNote(d, "ci/review.yaml", "main"))
}

// A config file the source refuses unread because it is too large reads
// as one over the limit: defaults, and the same warning.
func TestLoadRepoConfigRefusedAsTooLarge(t *testing.T) {
	t.Parallel()
	files := &memFiles{refused: map[string]*refusedErr{".bitreview.yaml": {path: ".bitreview.yaml", why: "too large (over 1048576 bytes)"}}}
	r := LoadRepo(t.Context(), OnBranch(files, "main", "0123456789abcdef"), ".bitreview.yaml")
	assert.Nil(t, r.File)
	require.Len(t, r.Warnings, 1)
	assert.Equal(t, ".bitreview.yaml: (file): file is larger than the 256 KB limit; using defaults", r.Warnings[0])
	assert.Equal(t, "defaults (.bitreview.yaml is invalid)", r.Source)
}
