package workflow

import (
	"fmt"
	"strings"
)

// Short is a commit hash as the step log and the summary show it.
func Short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// ShortRange is "base..head", or head alone without a base.
func ShortRange(base, head string) string {
	if base == "" || head == "" {
		return head
	}
	return Short(base) + ".." + Short(head)
}

// Plural is "1 file", "2 files".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ByteSize is n bytes in B, KB or MB.
func ByteSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

func orDefault(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func orNotPosted(s string) string {
	if s == "" {
		return "not posted"
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
