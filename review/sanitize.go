package review

import "strings"

// Sanitize makes model-written text safe to post: our markers are
// stripped and mentions of users or of the bot are neutralised so a reply
// cannot notify anyone or trigger a command.
func Sanitize(s string) string {
	s = stripMarkers(strings.TrimSpace(s))
	return strings.ReplaceAll(s, "@", "@\u200b")
}
