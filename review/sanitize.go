package review

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Output sanitising. Everything the model writes is posted under the bot's
// name, and the model read text the pull request's author controls, so its
// output is treated as hostile Markdown:
//
//   - Images are removed everywhere (CamoLeak exfiltrated data through
//     image URLs that the viewer's browser fetched on its own).
//   - Raw HTML is removed: comments and resource-loading or script tags
//     everywhere, any other tag outside code; a "<" that could still open
//     a tag is escaped.
//   - Links stay clickable only for https URLs without user info on an
//     allowed host (LinkHosts); others are shown as inert text
//     (`hxxps://evil[.]example/path…`, no query string). Link reference
//     definitions are removed, so no reference-style link resolves.
//   - "@" gets a zero-width space after it in prose, so no one is
//     mentioned; in code only "@bitreview" and "@{" (an account mention)
//     are broken, so code such as decorators stays intact.
//   - Our hidden markers are stripped, so a reply cannot forge a summary,
//     state or fingerprint.
//   - Token-shaped strings (GitHub, GitLab, Slack, AWS, OpenAI/Anthropic,
//     Stripe, Google, npm, PyPI, Atlassian tokens, JWTs, PEM private keys,
//     Basic/Bearer credentials, user info in URLs) become [REDACTED].
//   - Invisible and bidirectional-control characters (Unicode smuggling)
//     and control characters are removed first, so they cannot hide any of
//     the above.
//
// Fenced code blocks and single-line code spans are kept as code; the
// structure is judged conservatively (a code span never crosses a line),
// and the rules that matter most (images, links, hidden HTML, markers,
// tokens) apply inside code too, so text taken for code here but rendered
// as prose by Bitbucket gains nothing. Sanitize is idempotent.

// maxCommentChars keeps every body under Bitbucket's limit (32,768
// characters reported; PR-Agent caps at 31,000) with room for markers. It
// counts UTF-16 code units, which are never fewer than runes (unverified
// which unit Bitbucket counts).
const maxCommentChars = 30_000

// maxInputRunes bounds the work on one piece of model text; longer text is
// cut before sanitising (the comment cap then adds the notice).
const maxInputRunes = 2 * maxCommentChars

const cutNotice = "_… cut: the comment was longer than Bitbucket accepts._"

// Sanitizer sanitises model-written Markdown before it is posted.
type Sanitizer struct {
	// LinkHosts are the hosts whose https links stay clickable:
	// "example.com" allows that host only, ".example.com" the host and
	// every subdomain. Everything else is defanged.
	LinkHosts []string
}

// DefaultLinkHosts returns the hosts Sanitize keeps links to: Bitbucket
// Cloud, a few documentation sites findings commonly cite, and the rule
// documentation of common static-analysis tools (their help links in
// LINT_REPORTS).
func DefaultLinkHosts() []string {
	return []string{
		"bitbucket.org", ".atlassian.com",
		".owasp.org", "cwe.mitre.org", "capec.mitre.org", "nvd.nist.gov", "www.cve.org",
		"developer.mozilla.org", "go.dev", "pkg.go.dev", "docs.python.org", "peps.python.org",
		"learn.microsoft.com", "docs.oracle.com", "doc.rust-lang.org", "nodejs.org",
		"kotlinlang.org", "www.typescriptlang.org", "en.cppreference.com",
		"staticcheck.dev", "golangci-lint.run", "www.shellcheck.net", "eslint.org", "typescript-eslint.io",
		"docs.astral.sh", "semgrep.dev", "avd.aquasec.com", "codeql.github.com", "rules.sonarsource.com",
	}
}

// NewSanitizer returns a Sanitizer allowing DefaultLinkHosts plus extra
// (for instance the host of a self-hosted documentation site).
func NewSanitizer(extra ...string) Sanitizer {
	return Sanitizer{LinkHosts: append(DefaultLinkHosts(), extra...)}
}

var defaultSanitizer = NewSanitizer()

// Sanitize makes model-written text safe to post with the default link
// hosts; see Sanitizer.Sanitize.
func Sanitize(s string) string { return defaultSanitizer.Sanitize(s) }

// Sanitize returns s as Markdown that is safe to post under the bot's
// name: no images, no raw HTML, no links outside LinkHosts, no mentions,
// no markers of ours, no token-shaped strings, no invisible characters,
// and no unclosed code fence.
func (z Sanitizer) Sanitize(s string) string {
	s, cut := truncateRunes(s, maxInputRunes)
	s = normalise(s)
	s = htmlComment.ReplaceAllString(s, "")
	s = unclosedComment.ReplaceAllString(s, "")
	s = removeRawElements(s)
	s = refDefinition.ReplaceAllString(s, "")
	s = stripMarkers(s)
	s = scrubTokens(s)
	var b strings.Builder
	fence := ""
	for _, seg := range splitCode(s) {
		if seg.code {
			b.WriteString(z.code(seg.text))
		} else {
			b.WriteString(z.prose(seg.text))
		}
		fence = seg.fence
	}
	out := strings.TrimSpace(b.String())
	if fence != "" {
		out += "\n" + fence
	}
	if cut {
		out += "\n\n" + cutNotice
	}
	return out
}

// FinishComment is the last step before a comment body is posted (markers
// are appended after it): the whole body is sanitised again, as a guard for
// any model text a template forgot to sanitise, and capped at
// maxCommentChars with a notice.
func FinishComment(s string) string {
	out := capComment(Sanitize(s), maxCommentChars)
	if strings.HasSuffix(s, "\n") {
		out += "\n"
	}
	return out
}

// --- code and prose --------------------------------------------------------

// code sanitises a fenced block or code span: shown literally when
// rendered as code, so only what would matter if it were rendered as prose
// is changed.
func (z Sanitizer) code(s string) string {
	s = z.images(s)
	s = z.links(s, nil)
	s = botMention.ReplaceAllString(s, "@\u200b$1")
	return strings.ReplaceAll(s, "@{", "@\u200b{")
}

// prose sanitises text outside code.
func (z Sanitizer) prose(s string) string {
	var keep []string
	hold := func(v string) string {
		keep = append(keep, v)
		return "\x00" + strconv.Itoa(len(keep)-1) + "\x00"
	}
	s = autolink.ReplaceAllStringFunc(s, func(m string) string {
		u := m[1 : len(m)-1]
		if z.allowed(u) {
			return hold(m)
		}
		return hold(defang(u))
	})
	s = z.images(s)
	s = z.links(s, hold)
	s = htmlTag.ReplaceAllString(s, "")
	s = tagStart.ReplaceAllString(s, "&lt;$1")
	s = bareURL.ReplaceAllStringFunc(s, func(u string) string {
		trimmed := strings.TrimRight(u, ".,;:!?)]}'\"")
		rest := u[len(trimmed):]
		if z.allowed(trimmed) && strings.Contains(trimmed, "://") {
			return hold(trimmed) + rest
		}
		return hold(defang(trimmed)) + rest
	})
	s = strings.ReplaceAll(s, "![", "!\\[")
	s = strings.ReplaceAll(s, "](", "]\\(")
	s = strings.ReplaceAll(s, "@", "@\u200b")
	return placeholder.ReplaceAllStringFunc(s, func(p string) string {
		i, _ := strconv.Atoi(p[1 : len(p)-1])
		return keep[i]
	})
}

// images replaces Markdown images with a note.
func (z Sanitizer) images(s string) string {
	return image.ReplaceAllString(s, "(image removed)")
}

// links keeps Markdown links to allowed URLs (held by hold, when given, so
// later prose rules leave them alone) and turns the others into their
// text followed by the defanged URL.
func (z Sanitizer) links(s string, hold func(string) string) string {
	return link.ReplaceAllStringFunc(s, func(m string) string {
		sub := link.FindStringSubmatch(m)
		text, dest := sub[1], strings.Trim(sub[2], "<>")
		if z.allowed(dest) {
			if hold == nil {
				return m
			}
			text = tagStart.ReplaceAllString(htmlTag.ReplaceAllString(text, ""), "&lt;$1")
			text = strings.ReplaceAll(text, "@", "@\u200b")
			return hold("[" + text + "](" + dest + ")")
		}
		if hold == nil {
			return text + " (" + strings.Trim(defang(dest), "`") + ")"
		}
		return text + " (" + hold(defang(dest)) + ")"
	})
}

// allowed reports whether raw is an https URL without user info whose host
// is in LinkHosts.
func (z Sanitizer) allowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.User != nil || u.Opaque != "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || strings.ContainsFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return false
	}
	for _, h := range z.LinkHosts {
		h = strings.ToLower(h)
		if host == strings.TrimPrefix(h, ".") || strings.HasPrefix(h, ".") && strings.HasSuffix(host, h) {
			return true
		}
	}
	return false
}

// defang shows a URL as inert text: a code span with "hxxp", "[.]" in the
// host, no user info, query or fragment, at most 80 characters.
func defang(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && u.Host == "" && strings.HasPrefix(strings.ToLower(raw), "www.") {
		u, err = url.Parse("http://" + raw)
	}
	if err != nil || u.Host == "" {
		return "`link removed`"
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "http", "https":
		scheme = "hxxp" + strings.TrimPrefix(scheme, "http")
	default:
		return "`link removed`"
	}
	out := scheme + "://" + strings.ReplaceAll(u.Host, ".", "[.]") + u.EscapedPath()
	cut := u.RawQuery != "" || u.Fragment != ""
	if r := []rune(out); len(r) > 80 {
		out, cut = string(r[:80]), true
	}
	if cut {
		out += "…"
	}
	out = strings.NewReplacer("`", "", "@", "%40").Replace(out)
	return "`" + out + "`"
}

// --- structure -------------------------------------------------------------

type segment struct {
	text  string
	code  bool
	fence string // the opening fence of a block left open at the end of the text
}

var fenceOpen = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})(.*)$")

// splitCode splits s into prose and code: fenced code blocks (CommonMark
// rules: up to three spaces of indent, a closing fence of the same
// character at least as long; a backtick fence's info string has no
// backtick) and code spans, which here never cross a line.
func splitCode(s string) []segment {
	var out []segment
	var prose strings.Builder
	flushProse := func() {
		if prose.Len() > 0 {
			out = append(out, spans(prose.String())...)
			prose.Reset()
		}
	}
	lines := strings.SplitAfter(s, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceOpen.FindStringSubmatch(strings.TrimRight(lines[i], "\n"))
		if m == nil || m[1][0] == '`' && strings.Contains(m[2], "`") {
			prose.WriteString(lines[i])
			continue
		}
		flushProse()
		var code strings.Builder
		code.WriteString(lines[i])
		closed := false
		for i+1 < len(lines) {
			i++
			code.WriteString(lines[i])
			t := strings.TrimRight(lines[i], " \t\n")
			ind := len(t) - len(strings.TrimLeft(t, " "))
			body := strings.TrimLeft(t, " ")
			if ind <= 3 && len(body) >= len(m[1]) && strings.Trim(body, m[1][:1]) == "" {
				closed = true
				break
			}
		}
		seg := segment{text: code.String(), code: true}
		if !closed {
			seg.fence = m[1]
		}
		out = append(out, seg)
	}
	flushProse()
	return out
}

// spans splits prose into text and single-line code spans.
func spans(s string) []segment {
	var out []segment
	for _, line := range strings.SplitAfter(s, "\n") {
		start, i := 0, 0
		for i < len(line) {
			if line[i] != '`' {
				i++
				continue
			}
			n := runLen(line, i)
			j := findRun(line, i+n, n)
			if j < 0 {
				i += n
				continue
			}
			out = append(out, segment{text: line[start:i]}, segment{text: line[i : j+n], code: true})
			start, i = j+n, j+n
		}
		out = append(out, segment{text: line[start:]})
	}
	return out
}

func runLen(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	return n
}

// findRun finds the next run of exactly n backticks at or after i.
func findRun(s string, i, n int) int {
	for i < len(s) {
		if s[i] != '`' {
			i++
			continue
		}
		m := runLen(s, i)
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// --- patterns --------------------------------------------------------------

var (
	htmlComment     = regexp.MustCompile(`(?s)<!--.*?-->`)
	unclosedComment = regexp.MustCompile(`(?s)<!--.*$`)
	// Elements removed with their content wherever they appear.
	rawElements = []string{"script", "style", "iframe", "svg", "math", "object", "template", "noscript", "textarea", "xmp", "title", "pre"}
	// Tags that load resources, run code, link, or open an HTML block that
	// could hide a code fence: removed even inside code.
	resourceTags = "img|image|picture|source|video|audio|track|iframe|frame|frameset|object|embed|applet|svg|math|link|meta|base|script|style|form|input|button|a|details|summary|pre|textarea|xmp|plaintext|noscript|template"
	resourceTag  = regexp.MustCompile(`(?i)</?(?:` + resourceTags + `)\b[^<>\n]*>`)
	resourceOpen = regexp.MustCompile(`(?i)<(/?(?:` + resourceTags + `)\b)`)
	// Formatting and layout tags, removed from prose (their text stays);
	// anything else that could open a tag is escaped, so "Vec<T>" reads
	// as written.
	htmlTag    = regexp.MustCompile(`(?i)</?(?:` + formatTags + `)(?:\s[^<>]*)?/?>|<[!?][^<>]*>`)
	formatTags = "b|i|u|s|em|strong|span|div|p|br|hr|sub|sup|kbd|code|tt|del|ins|mark|small|big|font|center|strike|table|thead|tbody|tfoot|tr|td|th|caption|col|colgroup|ul|ol|li|dl|dt|dd|h[1-6]|blockquote|abbr|cite|q|section|article|header|footer|nav|main|aside|label|select|option|var|samp|wbr|bdi|bdo|ruby|rt|rp|figure|figcaption|time|data|output|progress|meter|dialog|slot|marquee|blink"
	tagStart   = regexp.MustCompile(`<([A-Za-z!?/])`)
	// Link reference definitions, with the destination on the same line or
	// the next.
	refDefinition = regexp.MustCompile(`(?m)^ {0,3}\[[^\]\n]+\]:[ \t]*(?:\n[ \t]*)?\S[^\n]*\n?`)
	image         = regexp.MustCompile(`!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\][ \t]*(?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\[\]\n]*\])`)
	link          = regexp.MustCompile(`\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)`)
	autolink      = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>`)
	bareURL       = regexp.MustCompile("(?i)\\b(?:[a-z][a-z0-9+.-]{1,31}://|www\\.)[^\\s<>\"'`\\\\]+")
	placeholder   = regexp.MustCompile("\x00[0-9]+\x00")
	botMention    = regexp.MustCompile(`(?i)@(bitreview)`)
)

// removeRawElements removes script-like elements with their content (when
// closed), tags that load resources or run code, and neutralises such a tag
// left unclosed on its line, everywhere, code included.
func removeRawElements(s string) string {
	lower := strings.ToLower(s)
	for _, name := range rawElements {
		if strings.Contains(lower, "<"+name) {
			s = regexp.MustCompile(`(?is)<`+name+`\b[^<>]*>.*?</\s*`+name+`\s*>`).ReplaceAllString(s, "")
			lower = strings.ToLower(s)
		}
	}
	s = resourceTag.ReplaceAllString(s, "")
	return resourceOpen.ReplaceAllString(s, "&lt;$1")
}

// tokenPatterns are credential shapes scrubbed from everything posted, each
// with the literals one of which a match must contain (a cheap prefilter).
// A scrubber can be dodged by a new prefix; it backs up the redaction of
// secrets before anything reaches the model.
var tokenPatterns = []struct {
	hints []string
	re    *regexp.Regexp
}{
	{[]string{"-----BEGIN"}, regexp.MustCompile(`(?s)-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)`)},
	{[]string{"gh", "github_pat_"}, regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`)},
	{[]string{"gl"}, regexp.MustCompile(`\bgl(?:pat|ptt|dt|rt|cbt|imt|agent|oas|ffct|soat|ft)-[A-Za-z0-9_\-]{20,}`)},
	{[]string{"xox"}, regexp.MustCompile(`\bxox[abposrec]-[A-Za-z0-9\-]{10,}`)},
	{[]string{"hooks.slack.com", "HOOKS.SLACK.COM"}, regexp.MustCompile(`(?i)https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+`)},
	{[]string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"}, regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b`)},
	{[]string{"sk-"}, regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{20,}`)},
	{[]string{"k_live_", "k_test_"}, regexp.MustCompile(`\b[rsp]k_(?:live|test)_[A-Za-z0-9]{10,}`)},
	{[]string{"AIza"}, regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}`)},
	{[]string{"npm_"}, regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}`)},
	{[]string{"pypi-"}, regexp.MustCompile(`\bpypi-[A-Za-z0-9_\-]{50,}`)},
	{[]string{"ATBB", "ATCTT", "ATATT", "ATCTB"}, regexp.MustCompile(`\bAT(?:BB|CTT|ATT|CTB)[A-Za-z0-9_\-=]{8,}`)},
	{[]string{"eyJ"}, regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}`)},
}

var (
	authHeader   = regexp.MustCompile(`(?i)\b(Bearer|Basic|Token)([ \t]+)([A-Za-z0-9._~+/\-]{16,}=*)`)
	urlUserInfo  = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]{1,31}://)[^/\s:@]+:[^/\s@]+@`)
	redactedMark = "[REDACTED]"
)

func scrubTokens(s string) string {
	for _, p := range tokenPatterns {
		for _, h := range p.hints {
			if strings.Contains(s, h) {
				s = p.re.ReplaceAllString(s, redactedMark)
				break
			}
		}
	}
	lower := strings.ToLower(s)
	if strings.Contains(lower, "bearer") || strings.Contains(lower, "basic") || strings.Contains(lower, "token") {
		s = authHeader.ReplaceAllStringFunc(s, func(m string) string {
			sub := authHeader.FindStringSubmatch(m)
			if !strings.ContainsAny(sub[3], "0123456789+/=") {
				return m // a word such as "Basic authentication-related"
			}
			return sub[1] + sub[2] + redactedMark
		})
	}
	if strings.Contains(s, "@") && strings.Contains(s, "://") {
		s = urlUserInfo.ReplaceAllString(s, "$1"+redactedMark+"@")
	}
	return s
}

// --- characters and length -------------------------------------------------

// normalise turns CRLF into LF and removes control characters (but tab and
// newline), zero-width and bidirectional controls, Unicode tag characters
// and other invisible format characters.
func normalise(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r),
			r >= 0xE0000 && r <= 0xE007F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
			return -1
		}
		return r
	}, s)
}

func truncateRunes(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	return string([]rune(s)[:n]), true
}

// capComment cuts s to at most limit UTF-16 code units including the
// notice, preferably at a line break, closing a code fence the cut left
// open.
func capComment(s string, limit int) string {
	if utf16Len(s) <= limit {
		return s
	}
	budget := limit - utf16Len(cutNotice) - 8
	n, cut := 0, 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > budget {
			break
		}
		cut = i + utf8.RuneLen(r)
	}
	head := s[:cut]
	if j := strings.LastIndexByte(head, '\n'); j > len(head)-2000 && j > 0 {
		head = head[:j]
	}
	if segs := splitCode(head); len(segs) > 0 && segs[len(segs)-1].fence != "" {
		head += "\n" + segs[len(segs)-1].fence
	}
	return head + "\n\n" + cutNotice
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
