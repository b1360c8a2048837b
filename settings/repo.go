package settings

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/bitreview/bitreview/repoconfig"
	"github.com/bitreview/bitreview/review"
)

// Repo is what the repository's config file contributed to a run.
type Repo struct {
	// File is the parsed config file; nil means defaults.
	File *repoconfig.Config
	// Source is where the configuration came from, for the summary
	// footer: "… from main (abc123)" or "defaults".
	Source string
	// Warnings are unknown keys, an unreadable file, refused guidelines.
	Warnings []string
	// Guidelines are the guideline files that were read.
	Guidelines []review.Guideline
}

// ReadLimit is the most bytes LoadRepo uses of a file (the config file:
// repoconfig.MaxSize and one byte to tell a larger one); a FileSource may
// stop reading there.
const ReadLimit = repoconfig.MaxSize + 1

const maxGuidelineFile = 16 << 10

// RepoSource is where a run reads the repository's config file and its
// guideline files.
type RepoSource struct {
	// Config reads the config file.
	Config review.FileSource
	// Guidelines reads guideline files. It must refuse a path that is not
	// a tracked regular file where it reads (a symlink, a submodule, a
	// directory) with an error that says why (see Refusal).
	Guidelines review.FileSource
	From       string // for the footer: "main (abc123)", "the working tree"
	On         string // for messages: "on main", "in the working tree"
	At         string // where guidelines are read, for "not tracked at main"
}

// OnBranch is the RepoSource of a pull request's destination: files reads
// at commit, the head of branch.
func OnBranch(files review.FileSource, branch, commit string) RepoSource {
	return RepoSource{
		Config: files, Guidelines: files,
		From: fmt.Sprintf("%s (%s)", branch, short(commit)), On: "on " + branch, At: branch,
	}
}

// LoadRepo reads the config file name and its guidelines from src. A
// missing file means defaults; a broken one means defaults and a warning,
// never a failed run. Each guideline that is refused (not a tracked
// regular file where it is read, outside the repository, or under .git/)
// is named with the reason in the warnings.
func LoadRepo(ctx context.Context, src RepoSource, name string) Repo {
	r := Repo{Source: "defaults (no " + name + " " + src.On + ")"}
	data, err := read(ctx, src.Config, name, ReadLimit)
	var cfg *repoconfig.Config
	var warns []repoconfig.Problem
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return r
	case strings.HasPrefix(Refusal(err, src.At), "too large"):
		err = repoconfig.TooLarge(name) // refused unread: as a file over the limit
	case err != nil:
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s could not be read (%v); using defaults", name, err))
		r.Source = "defaults (" + name + " unreadable)"
		return r
	default:
		cfg, warns, err = repoconfig.Parse(name, data)
	}
	for _, w := range warns {
		r.Warnings = append(r.Warnings, name+": "+w.String())
	}
	if err != nil {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%v; using defaults", err))
		r.Source = "defaults (" + name + " is invalid)"
		return r
	}
	r.File = cfg
	r.Source = name + " from " + src.From
	for _, g := range cfg.Guidelines {
		text, err := read(ctx, src.Guidelines, g, maxGuidelineFile)
		if why := Refusal(err, src.At); why != "" {
			r.Warnings = append(r.Warnings, fmt.Sprintf("guideline %s refused: %s", g, why))
			continue
		}
		if err != nil {
			r.Warnings = append(r.Warnings, fmt.Sprintf("guideline %s could not be read at %s", g, src.At))
			continue
		}
		r.Guidelines = append(r.Guidelines, review.Guideline{Name: g, Text: string(text)})
	}
	return r
}

// read reads at most limit bytes of the repository file p from files.
func read(ctx context.Context, files review.FileSource, p string, limit int) ([]byte, error) {
	clean, err := RepoPath(p)
	if err != nil {
		return nil, err
	}
	data, err := files.ReadFile(ctx, clean)
	if len(data) > limit {
		data = data[:limit]
	}
	return data, err
}

// Paths from the config file that are never read.
var (
	ErrOutsideRepo = errors.New("outside the repository")
	ErrUnderGitDir = errors.New("under .git/")
)

// RepoPath cleans a path from the config file and refuses one that leaves
// the repository (ErrOutsideRepo) or names anything under .git/
// (ErrUnderGitDir).
func RepoPath(p string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(p, "/"))
	if clean == "." || strings.HasPrefix(clean, "../") || clean == ".." {
		return "", ErrOutsideRepo
	}
	for _, name := range strings.Split(clean, "/") {
		if strings.EqualFold(strings.TrimRight(name, ". "), ".git") {
			return "", ErrUnderGitDir
		}
	}
	return clean, nil
}

// refused is a file source's refusal of a path: it is not a tracked
// regular file (or, for context, a symlink's text) where it was looked
// up. Why says what it is instead ("a symlink", "not tracked at abc123").
// gitblob's and the adapters' refusals implement it.
type refused interface {
	error
	Why() string
}

// Refusal says why a repository file was refused as not a tracked regular
// file where it was looked up, or "" when err is another failure
// (missing, unreadable, a network error). at names the commit for "not
// tracked at …" ("" keeps the source's own words).
func Refusal(err error, at string) string {
	var r refused
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrUnderGitDir), errors.Is(err, ErrOutsideRepo):
		return err.Error()
	case !errors.As(err, &r):
		return ""
	case at != "" && errors.Is(err, fs.ErrNotExist): // not tracked there
		return "not tracked at " + at
	}
	return r.Why()
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
