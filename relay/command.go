package relay

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Command is the value of BITREVIEW_COMMAND: one of the fixed words below,
// never text from the comment.
type Command string

// The commands (product.md, "Chat and commands").
const (
	CmdReview     Command = "review"
	CmdFullReview Command = "full review"
	CmdSummary    Command = "summary"
	CmdPause      Command = "pause"
	CmdResume     Command = "resume"
	CmdHelp       Command = "help"
	// CmdAsk is any other text after the mention: a question the pipe
	// answers in the thread, reading the comment itself.
	CmdAsk Command = "ask"
)

// Commands lists every value BITREVIEW_COMMAND can take.
func Commands() []Command {
	return []Command{CmdReview, CmdFullReview, CmdSummary, CmdPause, CmdResume, CmdHelp, CmdAsk}
}

// markerRE matches bitreview's hidden markers, "[//]: # (bitreview:…",
// with any spacing: a comment carrying one was written by bitreview (or
// quotes it) and never triggers.
var markerRE = regexp.MustCompile(`\[//\]:\s*#\s*\(\s*bitreview\s*:`)

func hasMarker(raw string) bool {
	return strings.Contains(raw, "bitreview") && markerRE.MatchString(raw)
}

// matcher finds mentions of the bot in a comment's raw Markdown.
type matcher struct {
	name string   // "@"+name, matched case-insensitively at a word boundary
	ids  []string // "{account id}" and "{uuid}", the account mention forms
}

func newMatcher(name, uuid, accountID string) *matcher {
	m := &matcher{name: name}
	if accountID != "" {
		m.ids = append(m.ids, "{"+accountID+"}")
	}
	if u := strings.Trim(uuid, "{}"); u != "" {
		m.ids = append(m.ids, "{"+u+"}")
	}
	return m
}

// command returns the command of the first mention of the bot, and false
// when the comment does not mention it.
func (m *matcher) command(raw string) (Command, bool) {
	inFence := false
	lines := strings.Split(raw, "\n")
	for li, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || strings.HasPrefix(trimmed, ">") {
			continue
		}
		start, end, ok := m.mention(line)
		if !ok {
			continue
		}
		rest := line[end:]
		var other strings.Builder
		other.WriteString(line[:start])
		for j, l := range lines {
			if j != li {
				other.WriteString(l)
			}
		}
		return parseCommand(rest, other.String()), true
	}
	return "", false
}

// mention finds the first mention on one line and returns its byte range.
func (m *matcher) mention(line string) (int, int, bool) {
	for i := 0; i < len(line); i++ {
		if line[i] != '@' || !mentionStart(line, i) {
			continue
		}
		after := line[i+1:]
		for _, id := range m.ids {
			if len(after) >= len(id) && strings.EqualFold(after[:len(id)], id) {
				return i, i + 1 + len(id), true
			}
		}
		if m.name != "" && len(after) >= len(m.name) && strings.EqualFold(after[:len(m.name)], m.name) && nameEnds(after[len(m.name):]) {
			return i, i + 1 + len(m.name), true
		}
	}
	return 0, 0, false
}

// mentionStart reports whether the "@" at i starts a word outside an
// inline code span: at the start of the line or after a space or an
// opening bracket, with an even number of backticks before it.
func mentionStart(line string, i int) bool {
	if strings.Count(line[:i], "`")%2 == 1 {
		return false
	}
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(line[:i])
	return unicode.IsSpace(r) || r == '(' || r == '['
}

// nameEnds reports whether a name mention ends here: "@bitreview" must
// not continue as "@bitreview-bot", "@bitreviewer" or "@bitreview.io".
func nameEnds(s string) bool {
	if s == "" {
		return true
	}
	r, size := utf8.DecodeRuneInString(s)
	if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '/' || r == '@' {
		return false
	}
	if r == '.' {
		n, _ := utf8.DecodeRuneInString(s[size:])
		return !(unicode.IsLetter(n) || unicode.IsDigit(n))
	}
	return true
}

// parseCommand maps the text after the mention on its line to a command.
// other is the rest of the comment; a bare mention is help, and anything
// that is not exactly a command is ask.
func parseCommand(rest, other string) Command {
	s := strings.ToLower(strings.Join(strings.Fields(rest), " "))
	s = strings.TrimSpace(strings.TrimLeft(s, ":,"))
	s = strings.TrimSpace(strings.TrimRight(s, ".!"))
	switch c := Command(s); c {
	case CmdReview, CmdFullReview, CmdSummary, CmdPause, CmdResume, CmdHelp:
		return c
	}
	if s == "" && strings.TrimSpace(other) == "" {
		return CmdHelp
	}
	return CmdAsk
}
