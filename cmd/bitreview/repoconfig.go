package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/gitblob"
	"github.com/bitreview/bitreview/repoconfig"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
)

// fileGetter reads a file, or its metadata, at a commit (bbapi.Client).
type fileGetter = bbservice.FileAPI

// repoSettings is what the repository's config file contributed.
type repoSettings struct {
	file     *repoconfig.Config
	source   string   // for the summary footer: "… from main (abc123)" or "defaults"
	warnings []string // unknown keys, an unreadable file, a PR that edits it
	guides   []review.Guideline
}

const maxGuidelineFile = 16 << 10

// loadRepoSettings reads CONFIG_FILE and its guideline files from the
// destination commit — never from the PR's own changes, so a PR cannot
// reconfigure its own review. A missing file means defaults; a broken one
// means defaults and a warning, never a failed run. A guideline must be a
// regular file there: a symlink, a submodule or a directory is refused.
func loadRepoSettings(ctx context.Context, api fileGetter, ws, repo, branch, commit, name string) repoSettings {
	read := func(ctx context.Context, p string, limit int) ([]byte, error) {
		data, err := readAt(ctx, api, ws, repo, commit, p, limit)
		if isNotFound(err) {
			return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		}
		return data, err
	}
	files := bbservice.NewFiles(api, bbservice.PR{Workspace: ws, Repo: repo}, commit)
	guideline := func(ctx context.Context, p string, limit int) ([]byte, error) {
		clean, err := repoPath(p)
		if err != nil {
			return nil, err
		}
		if err := files.CheckRegular(ctx, clean); err != nil {
			if isNotFound(err) {
				return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
			}
			return nil, err
		}
		return read(ctx, clean, limit)
	}
	return loadSettings(ctx, settingsSource{
		config: read, guideline: guideline,
		from: fmt.Sprintf("%s (%s)", branch, short(commit)), on: "on " + branch, at: branch,
	}, name)
}

// readFunc reads at most limit bytes of a repository file; a missing file
// is an error wrapping fs.ErrNotExist.
type readFunc func(ctx context.Context, path string, limit int) ([]byte, error)

// settingsSource is where a run reads the repository's config file and its
// guideline files.
type settingsSource struct {
	config    readFunc // the config file
	guideline readFunc // a guideline: a tracked regular file, or a refusal
	from      string   // for the footer: "main (abc123)", "the working tree"
	on        string   // for messages: "on main", "in the working tree"
	at        string   // where guidelines are read, for "not tracked at main"
}

// loadSettings reads the config file name and its guidelines from src.
// Each guideline that is refused (not a tracked regular file where it is
// read, or under .git/) is named with the reason in the warnings.
func loadSettings(ctx context.Context, src settingsSource, name string) repoSettings {
	rs := repoSettings{source: "defaults (no " + name + " " + src.on + ")"}
	data, err := src.config(ctx, name, repoconfig.MaxSize+1)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rs
	case err != nil:
		rs.warnings = append(rs.warnings, fmt.Sprintf("%s could not be read (%v); using defaults", name, err))
		rs.source = "defaults (" + name + " unreadable)"
		return rs
	}
	cfg, warns, err := repoconfig.Parse(name, data)
	for _, w := range warns {
		rs.warnings = append(rs.warnings, name+": "+w.String())
	}
	if err != nil {
		rs.warnings = append(rs.warnings, fmt.Sprintf("%v; using defaults", err))
		rs.source = "defaults (" + name + " is invalid)"
		return rs
	}
	rs.file = cfg
	rs.source = name + " from " + src.from
	for _, g := range cfg.Guidelines {
		text, err := src.guideline(ctx, g, maxGuidelineFile)
		if why := refusal(err, src.at); why != "" {
			rs.warnings = append(rs.warnings, fmt.Sprintf("guideline %s refused: %s", g, why))
			continue
		}
		if err != nil {
			rs.warnings = append(rs.warnings, fmt.Sprintf("guideline %s could not be read at %s", g, src.at))
			continue
		}
		rs.guides = append(rs.guides, review.Guideline{Name: g, Text: string(text)})
	}
	return rs
}

// readAt reads at most limit bytes of path at commit.
func readAt(ctx context.Context, api fileGetter, ws, repo, commit, p string, limit int) ([]byte, error) {
	clean, err := repoPath(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := &limitWriter{w: &buf, n: limit}
	if _, err := api.GetFile(ctx, ws, repo, commit, clean, w); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Paths from the config file that are never read.
var (
	errOutsideRepo = errors.New("outside the repository")
	errUnderGitDir = errors.New("under .git/")
)

// repoPath cleans a path from the config file and refuses one that leaves
// the repository or names anything under .git/.
func repoPath(p string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(p, "/"))
	if clean == "." || strings.HasPrefix(clean, "../") || clean == ".." {
		return "", errOutsideRepo
	}
	for _, name := range strings.Split(clean, "/") {
		if strings.EqualFold(strings.TrimRight(name, ". "), ".git") {
			return "", errUnderGitDir
		}
	}
	return clean, nil
}

// blobReader reads repository files as blobs of src's commit or tree:
// regular files only (gitblob refuses symlinks, submodules, directories,
// untracked paths and .git/).
func blobReader(src *gitblob.Source) readFunc {
	return func(ctx context.Context, p string, limit int) ([]byte, error) {
		clean, err := repoPath(p)
		if err != nil {
			return nil, err
		}
		return src.ReadRegularFile(ctx, clean, limit)
	}
}

// limitWriter keeps the first n bytes and drops the rest.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	keep := p
	if len(keep) > l.n {
		keep = keep[:l.n]
	}
	l.n -= len(keep)
	if _, err := l.w.Write(keep); err != nil {
		return 0, err
	}
	return len(p), nil
}

func isNotFound(err error) bool {
	var er *bbapi.ErrorResponse
	return errors.As(err, &er) && er.StatusCode == http.StatusNotFound
}

// applyRepoConfig layers the file under the pipe variables: a variable set
// in the pipe wins, then the file, then the defaults.
func applyRepoConfig(cfg Config, rc *repoconfig.Config) Config {
	if rc == nil {
		return cfg
	}
	setStr := func(key string, dst *string, v string) {
		if v != "" && !cfg.explicit[key] {
			*dst = v
		}
	}
	setInt := func(key string, dst *int, v *int) {
		if v != nil && !cfg.explicit[key] {
			*dst = *v
		}
	}
	setBool := func(key string, dst *bool, v *bool) {
		if v != nil && !cfg.explicit[key] {
			*dst = *v
		}
	}
	setStr("REVIEW_PROFILE", &cfg.ReviewProfile, rc.Profile)
	setStr("REVIEW_LANGUAGE", &cfg.ReviewLanguage, rc.Language)
	setStr("MIN_SEVERITY", &cfg.MinSeverity, rc.MinSeverity)
	setStr("FAIL_ON", &cfg.FailOn, rc.FailOn)
	setInt("MAX_FILES", &cfg.MaxFiles, rc.MaxFiles)
	setInt("MAX_COMMENTS", &cfg.MaxComments, rc.MaxComments)
	setInt("MAX_INPUT_TOKENS", &cfg.MaxInputTokens, rc.MaxInputTokens)
	setBool("CODE_INSIGHTS", &cfg.CodeInsights, rc.CodeInsights)
	if len(rc.PathFilters) > 0 && !cfg.explicit["PATH_FILTERS"] {
		cfg.PathFilters = rc.PathFilters
	}
	return cfg
}

// instructions converts the file's per-path instructions for the engine.
func (rs repoSettings) instructions() []review.PathInstruction {
	if rs.file == nil {
		return nil
	}
	out := make([]review.PathInstruction, 0, len(rs.file.Paths))
	for _, p := range rs.file.Paths {
		out = append(out, review.PathInstruction{Glob: p.Path, Text: p.Instructions})
	}
	return out
}

// skipReason says why the repository's auto-review settings skip this
// pull request, or "" to review it. An explicit @bitreview command always
// reviews.
func (rs repoSettings) skipReason(meta review.PullRequest, command string) string {
	if rs.file == nil || command != "" {
		return ""
	}
	ar := rs.file.AutoReview
	switch {
	case ar.Enabled != nil && !*ar.Enabled:
		return "automatic reviews are turned off in the repository config; comment `@bitreview review` to ask for one"
	case meta.Draft && (ar.Drafts == nil || !*ar.Drafts):
		return "draft pull request (set auto_review.drafts: true to review drafts)"
	}
	title := strings.ToLower(meta.Title)
	for _, k := range ar.IgnoreTitleKeywords {
		if strings.Contains(title, strings.ToLower(k)) {
			return fmt.Sprintf("the title contains %q (auto_review.ignore_title_keywords)", k)
		}
	}
	if len(ar.BaseBranches) > 0 {
		for _, b := range ar.BaseBranches {
			if ok, _ := path.Match(b, meta.TargetBranch); ok || b == meta.TargetBranch {
				return ""
			}
		}
		return fmt.Sprintf("target branch %s is not in auto_review.base_branches", meta.TargetBranch)
	}
	return ""
}

// reviewsDrafts reports whether the file asks for drafts to be reviewed.
func (rs repoSettings) reviewsDrafts() bool {
	return rs.file != nil && rs.file.AutoReview.Drafts != nil && *rs.file.AutoReview.Drafts
}

// notes are the summary footer lines about the configuration: where it
// came from, and what was wrong with it.
func (rs repoSettings) notes() []string {
	out := []string{"Configuration: " + rs.source + "."}
	for _, w := range rs.warnings {
		out = append(out, "Configuration warning: "+w+".")
	}
	return out
}

// configEditNote says that a pull request which edits the config file was
// reviewed with the destination branch's version, or "".
func configEditNote(d *diffparse.Diff, name, branch string) string {
	name = path.Clean(strings.TrimPrefix(name, "/"))
	for _, f := range d.Files {
		if f.NewPath == name || f.OldPath == name {
			return fmt.Sprintf("This pull request changes %s; it was reviewed with the version on %s. The change applies to reviews after it is merged.", name, branch)
		}
	}
	return ""
}
