package review

import "strings"

// ParsedComment is what an inline comment written by RenderComment
// says: "<icon> **<Severity>[ · <category>]** — <title>", a blank line,
// then the body.
type ParsedComment struct {
	Severity Severity
	Category string
	Title    string
	Body     string
}

// ParseComment reads a body rendered by RenderComment. Sanitize's
// changes to the title (zero-width characters after "@" and in our marker
// prefix) are undone, so the title hashes as the finding's did.
func ParseComment(raw string) (ParsedComment, bool) {
	head, rest, _ := strings.Cut(raw, "\n")
	i := strings.Index(head, "**")
	if i < 0 {
		return ParsedComment{}, false
	}
	label, after, ok := strings.Cut(head[i+2:], "** — ")
	if !ok {
		return ParsedComment{}, false
	}
	sevName, cat, _ := strings.Cut(label, " · ")
	sev, err := ParseSeverity(sevName)
	if err != nil {
		return ParsedComment{}, false
	}
	title := strings.ReplaceAll(after, "@\u200b", "@")
	title = strings.ReplaceAll(title, "(bitreview\u200b:", "(bitreview:")
	body := rest
	if j := strings.Index(body, "[//]: # (bitreview:"); j >= 0 {
		body = body[:j]
	}
	if j := strings.Index(body, "\n**Suggested change**"); j >= 0 {
		body = body[:j]
	}
	return ParsedComment{Severity: sev, Category: cat, Title: strings.TrimSpace(title), Body: strings.TrimSpace(body)}, true
}
