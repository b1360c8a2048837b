package command

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Parser finds mentions of one bot account. It is safe for concurrent use.
type Parser struct {
	name string   // "@"+name, case-insensitive, at a word boundary
	ids  []string // "{account id}" and "{uuid}": Bitbucket's account forms
	md   parser.Parser
}

// New returns the parser for "@name" and, for each non-empty id (an
// account id such as "557058:…" or a UUID with or without braces), the
// account form "@{id}".
func New(name string, ids ...string) *Parser {
	p := &Parser{name: name, md: goldmark.New().Parser()}
	for _, id := range ids {
		if id = strings.Trim(strings.TrimSpace(id), "{}"); id != "" {
			p.ids = append(p.ids, "{"+id+"}")
		}
	}
	return p
}

// Parse returns the first mention of the bot in a comment's raw Markdown,
// and false when there is none or when the comment carries a bitreview
// marker.
func (p *Parser) Parse(raw string) (Mention, bool) {
	if HasMarker(raw) {
		return Mention{}, false
	}
	var out Mention
	found := false
	p.walk(raw, func(m hit) bool {
		out, found = mentionOf(raw, m.start, m.end, m.words), true
		return false
	})
	return out, found
}

// Ignores reports whether a pull request description says "@bitreview
// ignore": any of its mentions is exactly the Ignore command.
func (p *Parser) Ignores(description string) bool {
	ignores := false
	p.walk(description, func(m hit) bool {
		c, _, _ := exact(m.words)
		ignores = c == Ignore
		return !ignores
	})
	return ignores
}

// Placeholder finds "@bitreview summary" in a pull request description:
// the source range, from the mention to the end of its line without
// trailing spaces, of the first mention that is exactly the Summary
// command, as Parse sees mentions (never in code, a quote or HTML). The
// pipe replaces that range with the pull request's summary.
func (p *Parser) Placeholder(description string) (start, end int, ok bool) {
	p.walk(description, func(m hit) bool {
		if c, _, _ := exact(m.words); c != Summary {
			return true
		}
		end = len(description)
		if i := strings.IndexByte(description[m.end:], '\n'); i >= 0 {
			end = m.end + i
		}
		start, end, ok = m.start, m.start+len(strings.TrimRight(description[m.start:end], " \t\r")), true
		return false
	})
	return start, end, ok
}

// hit is one mention: its source range and the visible words after it
// on its line.
type hit struct {
	start, end int
	words      string
}

// walk calls fn for each mention in document order until fn returns false.
func (p *Parser) walk(raw string, fn func(hit) bool) {
	raw = scanned(raw)
	if !p.candidate(raw) {
		return // the common case: no "@name" or "@{id}" at all
	}
	src := []byte(raw)
	flattenQuotes(src)
	doc := p.md.Parse(text.NewReader(src))
	cont := true
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || !cont {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindBlockquote, ast.KindCodeBlock, ast.KindFencedCodeBlock, ast.KindHTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		if n.Type() != ast.TypeBlock || n.FirstChild() == nil || n.FirstChild().Type() != ast.TypeInline {
			return ast.WalkContinue, nil
		}
		var v visible
		v.collect(n, src)
		cont = p.scan(&v, fn)
		return ast.WalkSkipChildren, nil
	})
}

// opaque stands for what is not text (code, HTML, images, autolinks, the
// end of a link) in visible: no mention starts right after it, and it is
// never a command word.
const opaque = "\uFFFC"

// visible is the text of one block as a reader sees it, with the source
// offset of every text run.
type visible struct {
	buf  []byte
	runs []run
}

type run struct{ at, src, n int }

func (v *visible) collect(n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			seg := c.Segment
			v.runs = append(v.runs, run{at: len(v.buf), src: seg.Start, n: seg.Len()})
			v.buf = append(v.buf, seg.Value(src)...)
			if c.SoftLineBreak() || c.HardLineBreak() {
				v.buf = append(v.buf, '\n')
			}
		case *ast.Emphasis:
			v.collect(c, src)
		case *ast.Link:
			// The label is text; the destination and title are not.
			v.collect(c, src)
			v.buf = append(v.buf, opaque...)
		default:
			v.buf = append(v.buf, opaque...)
		}
	}
}

// source maps an offset of buf inside a text run to the source.
func (v *visible) source(at int) (int, bool) {
	i := sort.Search(len(v.runs), func(i int) bool { return v.runs[i].at+v.runs[i].n > at })
	if i == len(v.runs) || at < v.runs[i].at {
		return 0, false
	}
	return v.runs[i].src + at - v.runs[i].at, true
}

// scan reports mentions in v to fn; false means fn asked to stop.
func (p *Parser) scan(v *visible, fn func(hit) bool) bool {
	s := string(v.buf)
	for i := strings.IndexByte(s, '@'); i >= 0; {
		if n := p.at(s, i); n > 0 {
			start, ok1 := v.source(i)
			last, ok2 := v.source(i + n - 1)
			if ok1 && ok2 {
				words, _, _ := strings.Cut(s[i+n:], "\n")
				if !fn(hit{start: start, end: last + 1, words: words}) {
					return false
				}
			}
		}
		j := strings.IndexByte(s[i+1:], '@')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return true
}

// at returns the length of a mention of the bot starting at s[i] ('@'),
// or 0.
func (p *Parser) at(s string, i int) int {
	if !wordStart(s, i) {
		return 0
	}
	after := s[i+1:]
	for _, id := range p.ids {
		if len(after) >= len(id) && strings.EqualFold(after[:len(id)], id) {
			return 1 + len(id)
		}
	}
	if p.name != "" && len(after) >= len(p.name) && strings.EqualFold(after[:len(p.name)], p.name) && nameEnds(after[len(p.name):]) {
		return 1 + len(p.name)
	}
	return 0
}

// wordStart reports whether the "@" at i starts a word: at the start of
// the text, or after a space or an opening bracket.
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r) || r == '(' || r == '['
}

// nameEnds reports whether a name mention ends here: "@bitreview" must
// not continue as "@bitreview-bot", "@bitreviewer" or "@bitreview.io".
func nameEnds(s string) bool {
	if s == "" {
		return true
	}
	r, size := utf8.DecodeRuneInString(s)
	if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '/' || r == '@' {
		return false
	}
	if r == '.' {
		n, _ := utf8.DecodeRuneInString(s[size:])
		return !unicode.IsLetter(n) && !unicode.IsDigit(n)
	}
	return true
}
