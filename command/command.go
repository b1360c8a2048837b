// Package command is the one parser of "@bitreview …" comments. The relay
// (which starts the pipeline), the pipe (chat mode and the "@bitreview
// ignore" check of a pull request description) and the GitHub action all
// read comments with it, so a comment means the same thing everywhere.
//
// A comment is parsed as CommonMark (goldmark) and a mention counts only in
// text a reader sees as text: not in code spans, indented or fenced code
// blocks, HTML blocks (<pre>, <!-- -->), raw inline HTML, autolinks,
// images, link destinations or block quotes (also a quote inside a list
// item), so quoting or showing a command never repeats it.
//
// The words after the mention on its line decide the command: exactly one
// of the fixed commands (ignoring case, spacing, a leading ":" or "," and
// trailing "." or "!") is that command; anything else is a question (Ask).
// A bare mention with no other text is Help. The result is always one of
// the fixed Command values; the comment's free text is only ever returned
// as Mention.Question, for the model, never as a command.
package command

import (
	"regexp"
	"strings"
	"unicode"
)

// Command is what a comment asks for. Its values are the words of the
// commands (and BITREVIEW_COMMAND's values), never text from the comment.
type Command string

// The commands (product.md, "Chat and commands").
const (
	Review     Command = "review"
	FullReview Command = "full review"
	Summary    Command = "summary"
	Pause      Command = "pause"
	Resume     Command = "resume"
	Help       Command = "help"
	// CreateIssue, in a reply to one of bitreview's inline comments,
	// files the finding as an issue (Jira or the repository's tracker).
	CreateIssue Command = "create issue"
	// Ignore belongs in a pull request's description: skip the pull
	// request.
	Ignore Command = "ignore"
	// Ask is any other text after the mention: a question.
	Ask Command = "ask"
)

// All lists every Command.
func All() []Command {
	return []Command{Review, FullReview, Summary, Pause, Resume, Help, CreateIssue, Ignore, Ask}
}

// Mention is the first mention of the bot in a comment and what it asks.
type Mention struct {
	Command Command
	// Question is, for Ask, the comment's raw Markdown without the
	// mention (trimmed); "" for the other commands. It is the user's
	// text: data for the model, never a command or a variable.
	Question string
}

// markerRE matches bitreview's hidden markers, "[//]: # (bitreview:…",
// with any spacing.
var markerRE = regexp.MustCompile(`\[//\]:\s*#\s*\(\s*bitreview\s*:`)

// HasMarker reports whether raw carries one of bitreview's hidden markers:
// a comment with one was written by bitreview (or quotes it) and never
// asks for anything.
func HasMarker(raw string) bool {
	return strings.Contains(raw, "bitreview") && markerRE.MatchString(raw)
}

// maxWords bounds the text after a mention that can still be a command.
const maxWords = 256

// exact returns the command the words after a mention name exactly, if
// any, and the normalised words.
func exact(words string) (Command, string, bool) {
	if len(words) > maxWords {
		return "", words, false // no command is that long, however spaced
	}
	s := strings.ToLower(strings.Join(strings.Fields(words), " "))
	s = strings.TrimSpace(strings.TrimLeft(s, ":,"))
	s = strings.TrimSpace(strings.TrimRight(s, ".!"))
	switch c := Command(s); c {
	case Review, FullReview, Summary, Pause, Resume, Help, CreateIssue, Ignore:
		return c, s, true
	}
	return "", s, false
}

// mentionOf is what a mention at raw[start:end], followed by words on its
// line, asks: the exact command, else a question, or Help for a bare
// mention in a comment without other text.
func mentionOf(raw string, start, end int, words string) Mention {
	c, s, ok := exact(words)
	if ok {
		return Mention{Command: c}
	}
	q := questionOf(raw, start, end)
	if s == "" && !strings.ContainsFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return Mention{Command: Help}
	}
	return Mention{Command: Ask, Question: q}
}

// questionOf is the comment without the mention at raw[start:end].
func questionOf(raw string, start, end int) string {
	q := strings.TrimSpace(raw[:start] + raw[end:])
	return strings.TrimSpace(strings.TrimLeft(q, ":,"))
}
