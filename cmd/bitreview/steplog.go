package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
)

// stepLog is the pipe's progress bar in the Pipelines step log: one line
// per stage with counts and timings, ✔/✖ in the style of Atlassian pipes.
// It never prints secrets: callers pass counts, names and error texts that
// the API clients already scrubbed, pull request text goes through field,
// and every line is run through the secret scanner and stripped of
// terminal control characters before it is written.
type stepLog struct {
	w     io.Writer
	debug bool
	start time.Time
	// scanner is created on the first line (a few milliseconds).
	scanner func() (*redact.Scanner, error)
}

func newStepLog(w io.Writer, debug bool) *stepLog {
	return &stepLog{w: w, debug: debug, start: time.Now(), scanner: sync.OnceValues(redact.New)}
}

func (l *stepLog) ok(since time.Time, format string, a ...any) {
	l.print("✔ ", fmt.Sprintf(format, a...)+" ("+elapsed(since)+")")
}

func (l *stepLog) fail(format string, a ...any) { l.print("✖ ", fmt.Sprintf(format, a...)) }

func (l *stepLog) warn(format string, a ...any) { l.print("! ", fmt.Sprintf(format, a...)) }

func (l *stepLog) info(format string, a ...any) { l.print("  ", fmt.Sprintf(format, a...)) }

func (l *stepLog) debugf(format string, a ...any) {
	if l.debug {
		l.print("  [debug] ", fmt.Sprintf(format, a...))
	}
}

// print writes one entry (several lines for a fix hint), redacted and
// without control characters. Should the scanner be unavailable (it is
// built from rules compiled into the binary), lines are printed as the
// callers built them, which hold no pull request text but through field.
func (l *stepLog) print(prefix, msg string) {
	if sc, err := l.scanner(); err == nil {
		msg = review.Redact(sc, "step log", msg)
	}
	fmt.Fprintf(l.w, "%s%s\n", prefix, termsafe.Text(msg))
}

// field renders text written by others (a pull request title) for a log
// line: redacted as a whole first, so that a cut cannot split a secret out
// of a rule's reach, then on one line, at most n runes.
func (l *stepLog) field(s string, n int) string {
	sc, err := l.scanner()
	if err != nil {
		return "[not shown]"
	}
	return oneLine(termsafe.Line(review.Redact(sc, "pull request text", s)), n)
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
