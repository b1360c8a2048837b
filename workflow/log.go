package workflow

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/review"
)

// Log is a run's progress in the CI step log: one line per stage with
// counts and timings, ✔/✖ in the style of Atlassian pipes. It never prints
// secrets: callers pass counts, names and error texts that the API clients
// already scrubbed, pull request text goes through Field, and every line is
// run through the secret scanner and stripped of terminal control
// characters before it is written.
type Log struct {
	w     io.Writer
	debug bool
	start time.Time
	// scanner is built on the first line (a few milliseconds).
	scanner func() (review.TextScanner, error)
}

// NewLog returns a log writing to w; debug adds the [debug] lines. scanner
// builds the secret scanner every line is redacted with (redact.New).
func NewLog(w io.Writer, debug bool, scanner func() (review.TextScanner, error)) *Log {
	return &Log{w: w, debug: debug, start: time.Now(), scanner: sync.OnceValues(scanner)}
}

// OK logs a finished stage that started at since.
func (l *Log) OK(since time.Time, format string, a ...any) {
	l.print("✔ ", fmt.Sprintf(format, a...)+" ("+elapsed(since)+")")
}

// Fail logs an error.
func (l *Log) Fail(format string, a ...any) { l.print("✖ ", fmt.Sprintf(format, a...)) }

// Warn logs a problem that did not stop the run.
func (l *Log) Warn(format string, a ...any) { l.print("! ", fmt.Sprintf(format, a...)) }

// Info logs a fact.
func (l *Log) Info(format string, a ...any) { l.print("  ", fmt.Sprintf(format, a...)) }

// Debugf logs only with DEBUG.
func (l *Log) Debugf(format string, a ...any) {
	if l.debug {
		l.print("  [debug] ", fmt.Sprintf(format, a...))
	}
}

// Start is when the log was created: the run's start.
func (l *Log) Start() time.Time { return l.start }

// print writes one entry (several lines for a fix hint), redacted and
// without control characters. Should the scanner be unavailable (it is
// built from rules compiled into the binary), lines are printed as the
// callers built them, which hold no pull request text but through Field.
func (l *Log) print(prefix, msg string) {
	if sc, err := l.scanner(); err == nil {
		msg = review.Redact(sc, "step log", msg)
	}
	fmt.Fprintf(l.w, "%s%s\n", prefix, termsafe.Text(msg))
}

// Field renders text written by others (a pull request title) for a log
// line: redacted as a whole first, so that a cut cannot split a secret out
// of a rule's reach, then on one line, at most n runes.
func (l *Log) Field(s string, n int) string {
	sc, err := l.scanner()
	if err != nil {
		return "[not shown]"
	}
	return OneLine(termsafe.Line(review.Redact(sc, "pull request text", s)), n)
}

func elapsed(since time.Time) string {
	d := time.Since(since)
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// OneLine folds s onto one line of at most n runes.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
