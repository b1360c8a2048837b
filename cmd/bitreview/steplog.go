package main

import (
	"fmt"
	"io"
	"time"
)

// stepLog is the pipe's progress bar in the Pipelines step log: one line
// per stage with counts and timings, ✔/✖ in the style of Atlassian pipes.
// It never prints secrets: callers pass counts, names and error texts that
// the API clients already scrubbed.
type stepLog struct {
	w     io.Writer
	debug bool
	start time.Time
}

func newStepLog(w io.Writer, debug bool) *stepLog {
	return &stepLog{w: w, debug: debug, start: time.Now()}
}

func (l *stepLog) ok(since time.Time, format string, a ...any) {
	fmt.Fprintf(l.w, "✔ %s (%s)\n", fmt.Sprintf(format, a...), elapsed(since))
}

func (l *stepLog) fail(format string, a ...any) {
	fmt.Fprintf(l.w, "✖ %s\n", fmt.Sprintf(format, a...))
}

func (l *stepLog) warn(format string, a ...any) {
	fmt.Fprintf(l.w, "! %s\n", fmt.Sprintf(format, a...))
}

func (l *stepLog) info(format string, a ...any) {
	fmt.Fprintf(l.w, "  %s\n", fmt.Sprintf(format, a...))
}

func (l *stepLog) debugf(format string, a ...any) {
	if l.debug {
		fmt.Fprintf(l.w, "  [debug] %s\n", fmt.Sprintf(format, a...))
	}
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
