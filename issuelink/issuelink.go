// Package issuelink finds the issues a pull request names: Jira keys
// (ABC-123) in its source branch, title, description and commit messages,
// and references to the repository's Bitbucket issues (#3, issue #3,
// closes #3) in its title and description. What it finds is a list of
// references, never a URL or a path: all of the text is the pull request
// author's.
package issuelink

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Max is how many issues a pull request links at most.
const Max = 5

// maxText bounds how much of one text (a description, a commit message)
// is searched, and maxCommits how many commit messages.
const (
	maxText    = 64 << 10
	maxCommits = 250
)

// Kind is the tracker a reference points to.
type Kind int

// Trackers.
const (
	Jira Kind = iota
	Bitbucket
)

// Ref is one linked issue: a Jira key ("ABC-123"), or the number of an
// issue in the repository's Bitbucket tracker ("3").
type Ref struct {
	Kind Kind
	Key  string
}

// String is the reference as a reader writes it: "ABC-123" or "#3".
func (r Ref) String() string {
	if r.Kind == Bitbucket {
		return "#" + r.Key
	}
	return r.Key
}

// Project is a Jira key's project ("ABC" of "ABC-123"), "" for a
// Bitbucket issue.
func (r Ref) Project() string {
	if r.Kind != Jira {
		return ""
	}
	p, _, _ := strings.Cut(r.Key, "-")
	return p
}

// Number is a Bitbucket issue's number, 0 for a Jira key.
func (r Ref) Number() int {
	if r.Kind != Bitbucket {
		return 0
	}
	n, _ := strconv.Atoi(r.Key)
	return n
}

// Sources are the texts of a pull request that may name issues.
type Sources struct {
	Branch, Title, Description string
	Commits                    []string // commit messages
}

// A Jira key is a project key (a capital letter, then capitals, digits or
// underscores) and an issue number from 1, not inside a word (an
// underscore may follow, as in a branch "ABC-1_fix"; refsIn checks what
// follows, so that the next key's separator is not consumed).
var jiraKey = regexp.MustCompile(`(?:^|[^A-Za-z0-9])([A-Z][A-Z0-9_]{1,9}-[1-9][0-9]{0,8})`)

// notProjects are prefixes that look like keys but name standards,
// encodings and licences (UTF-8, SHA-256, CVE-2024-1234, GPL-3): never
// looked up as issues.
var notProjects = []string{"AES", "AGPL", "ANSI", "APACHE", "BSD", "CC", "CVE", "CWE", "DES", "ECMA", "GHSA", "GPL",
	"HTTP", "IEEE", "ISO", "JSR", "LGPL", "MD", "MPL", "PEP", "RFC", "RSA", "SHA", "SSL", "TLS", "UCS", "UTF"}

// A Bitbucket reference is #N, not inside a word, an HTML entity (&#39;)
// or a URL's fragment.
var bitbucketRef = regexp.MustCompile(`(?:^|[^A-Za-z0-9_&/#])#([1-9][0-9]{0,8})\b`)

// pullRequestRef ends text that makes the #N after it a pull request.
var pullRequestRef = regexp.MustCompile(`(?i)(?:\bpr|pull[ -]request)\s*$`)

// code matches fenced code blocks and code spans, where #N is code.
var code = regexp.MustCompile("(?s)```.*?(?:```|$)|`[^`\n]*`")

// Find lists the issues the pull request names, de-duplicated, in the
// order branch, title, description, commit messages (and by position
// within each), at most Max.
func Find(s Sources) []Ref {
	var out []Ref
	add := func(r Ref) bool {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
		return len(out) < Max
	}
	texts := []struct {
		text      string
		bitbucket bool
	}{{s.Branch, false}, {s.Title, true}, {s.Description, true}}
	for i, c := range s.Commits {
		if i == maxCommits {
			break
		}
		texts = append(texts, struct {
			text      string
			bitbucket bool
		}{c, false})
	}
	for _, t := range texts {
		for _, r := range refsIn(bounded(t.text), t.bitbucket) {
			if !add(r) {
				return out
			}
		}
	}
	return out
}

// bounded is the part of a text that is searched.
func bounded(s string) string {
	if len(s) > maxText {
		return s[:maxText]
	}
	return s
}

// refsIn lists the references in one text by position: Jira keys, and
// Bitbucket references when bitbucket is set (outside code).
func refsIn(text string, bitbucket bool) []Ref {
	type at struct {
		pos int
		ref Ref
	}
	var found []at
	for _, m := range jiraKey.FindAllStringSubmatchIndex(text, Max*8) {
		key := text[m[2]:m[3]]
		if m[3] < len(text) && isAlnum(text[m[3]]) {
			continue
		}
		if p, _, _ := strings.Cut(key, "-"); !slices.Contains(notProjects, p) {
			found = append(found, at{m[2], Ref{Kind: Jira, Key: key}})
		}
	}
	if bitbucket {
		blanked := code.ReplaceAllStringFunc(text, func(c string) string { return strings.Repeat(" ", len(c)) })
		for _, m := range bitbucketRef.FindAllStringSubmatchIndex(blanked, Max*8) {
			if !pullRequestRef.MatchString(blanked[max(0, m[2]-1-24) : m[2]-1]) {
				found = append(found, at{m[2], Ref{Kind: Bitbucket, Key: blanked[m[2]:m[3]]}})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b at) int { return a.pos - b.pos })
	out := make([]Ref, 0, len(found))
	for _, f := range found {
		out = append(out, f.ref)
	}
	return out
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
