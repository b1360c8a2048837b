package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/bitreview/bitreview/review"
)

// printText renders a review for a terminal.
func printText(w io.Writer, base string, res *review.Result) error {
	var b strings.Builder
	added, removed := 0, 0
	for _, f := range res.Files {
		added, removed = added+f.Added, removed+f.Removed
	}
	fmt.Fprintf(&b, "bitreview: %d file(s) changed against %s, +%d −%d\n\n", len(res.Files), base, added, removed)
	if res.Summary != "" {
		fmt.Fprintf(&b, "%s\n\n", review.Sanitize(res.Summary))
	}
	b.WriteString("Walkthrough\n")
	for _, f := range res.Files {
		fmt.Fprintf(&b, "  %-9s %-50s +%-5d −%-5d %s\n", f.Status, f.Path, f.Added, f.Removed, oneLine(f.Note, 80))
	}
	all := append(append([]review.Finding(nil), res.Findings...), res.Unanchored...)
	if len(all) > 0 {
		fmt.Fprintf(&b, "\nFindings (%d)\n", len(all))
		for _, f := range all {
			fmt.Fprintf(&b, "  %-8s %s:%d  %s\n", strings.ToUpper(f.Severity.String()), f.Path, f.Line, oneLine(f.Title, 100))
			if body := oneLine(f.Body, 300); body != "" {
				fmt.Fprintf(&b, "           %s\n", body)
			}
		}
	} else if len(res.Errors) == 0 {
		b.WriteString("\nNo issues found.\n")
	}
	if len(res.Skipped) > 0 {
		b.WriteString("\nNot reviewed\n")
		for _, s := range res.Skipped {
			fmt.Fprintf(&b, "  %s — %s\n", s.Path, s.Reason)
		}
	}
	for _, e := range res.Errors {
		fmt.Fprintf(&b, "\n! %s\n", e)
	}
	if res.Usage.Calls > 0 {
		fmt.Fprintf(&b, "\n%s: %d call(s), %d prompt + %d completion tokens\n", res.Model, res.Usage.Calls, res.Usage.PromptTokens, res.Usage.CompletionTokens)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
