package settings

import (
	"fmt"
	"path"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Apply layers the repository's config file under the variables: a
// variable set in the environment wins, then the file, then the defaults.
func (s Settings) Apply(r Repo) Settings {
	rc := r.File
	if rc == nil {
		return s
	}
	setStr := func(key string, dst *string, v string) {
		if v != "" && !s.explicit[key] {
			*dst = v
		}
	}
	setInt := func(key string, dst *int, v *int) {
		if v != nil && !s.explicit[key] {
			*dst = *v
		}
	}
	setBool := func(key string, dst *bool, v *bool) {
		if v != nil && !s.explicit[key] {
			*dst = *v
		}
	}
	setStr("REVIEW_PROFILE", &s.ReviewProfile, rc.Profile)
	setStr("REVIEW_LANGUAGE", &s.ReviewLanguage, rc.Language)
	setStr("MIN_SEVERITY", &s.MinSeverity, rc.MinSeverity)
	setStr("FAIL_ON", &s.FailOn, rc.FailOn)
	setInt("MAX_FILES", &s.MaxFiles, rc.MaxFiles)
	setInt("MAX_COMMENTS", &s.MaxComments, rc.MaxComments)
	setInt("MAX_INPUT_TOKENS", &s.MaxInputTokens, rc.MaxInputTokens)
	setBool("CODE_INSIGHTS", &s.CodeInsights, rc.CodeInsights)
	if len(rc.PathFilters) > 0 && !s.explicit["PATH_FILTERS"] {
		s.PathFilters = rc.PathFilters
	}
	return s
}

// Instructions converts the file's per-path instructions for the engine.
func (r Repo) Instructions() []review.PathInstruction {
	if r.File == nil {
		return nil
	}
	out := make([]review.PathInstruction, 0, len(r.File.Paths))
	for _, p := range r.File.Paths {
		out = append(out, review.PathInstruction{Glob: p.Path, Text: p.Instructions})
	}
	return out
}

// SkipReason says why a pull request is not reviewed, or "". The
// `@bitreview ignore` line in the description always wins; an explicit
// command (BITREVIEW_COMMAND: review, full review…) overrides the
// automatic-review settings and the draft rule.
func (r Repo) SkipReason(meta review.PullRequest, command string) string {
	switch {
	case CommandParser().Ignores(meta.Description):
		return "the description says `@bitreview ignore`. Remove it to get a review on the next run."
	case command != "":
		return ""
	}
	if reason := r.autoReviewSkip(meta); reason != "" {
		return reason
	}
	if meta.Draft && !r.reviewsDrafts() {
		return "this pull request is a draft. bitreview reviews it once it is marked ready for review (or set auto_review.drafts: true)."
	}
	return ""
}

// autoReviewSkip says why the file's auto_review settings skip this pull
// request, or "".
func (r Repo) autoReviewSkip(meta review.PullRequest) string {
	if r.File == nil {
		return ""
	}
	ar := r.File.AutoReview
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
func (r Repo) reviewsDrafts() bool {
	return r.File != nil && r.File.AutoReview.Drafts != nil && *r.File.AutoReview.Drafts
}

// Notes are the summary footer lines about the configuration: where it
// came from, and what was wrong with it.
func (r Repo) Notes() []string {
	out := []string{"Configuration: " + r.Source + "."}
	for _, w := range r.Warnings {
		out = append(out, "Configuration warning: "+w+".")
	}
	return out
}

// ConfigEditNote says that a pull request which edits the config file name
// was reviewed with the destination branch's version, or "".
func ConfigEditNote(d *diffparse.Diff, name, branch string) string {
	name = path.Clean(strings.TrimPrefix(name, "/"))
	for _, f := range d.Files {
		if f.NewPath == name || f.OldPath == name {
			return fmt.Sprintf("This pull request changes %s; it was reviewed with the version on %s. The change applies to reviews after it is merged.", name, branch)
		}
	}
	return ""
}
