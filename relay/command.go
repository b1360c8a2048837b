package relay

import "github.com/bitreview/bitreview/command"

// Command is the value of BITREVIEW_COMMAND: one of the fixed words below,
// never text from the comment. It is the shared parser's type.
type Command = command.Command

// The commands (product.md, "Chat and commands").
const (
	CmdReview     = command.Review
	CmdFullReview = command.FullReview
	CmdSummary    = command.Summary
	CmdPause      = command.Pause
	CmdResume     = command.Resume
	CmdHelp       = command.Help
	// CmdCreateIssue, in a reply to bitreview's inline comment, files the
	// finding as an issue.
	CmdCreateIssue = command.CreateIssue
	// CmdAsk is any other text after the mention: a question the pipe
	// answers in the thread, reading the comment itself.
	CmdAsk = command.Ask
)

// Commands lists every value BITREVIEW_COMMAND can take: every command of
// the shared parser but ignore, which belongs in a description.
func Commands() []Command {
	var out []Command
	for _, c := range command.All() {
		if c != command.Ignore {
			out = append(out, c)
		}
	}
	return out
}

// commandOf is the BITREVIEW_COMMAND of a comment's first mention of the
// bot, and false without one. "@bitreview ignore" belongs in a pull
// request's description, so in a comment it is answered with the help.
func commandOf(p *command.Parser, raw string) (Command, bool) {
	m, ok := p.Parse(raw)
	if !ok {
		return "", false
	}
	if m.Command == command.Ignore {
		return CmdHelp, true
	}
	return m.Command, true
}
