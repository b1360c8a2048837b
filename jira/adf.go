package jira

import (
	"encoding/json"
	"strings"
)

// Jira Cloud's REST API v3 writes rich text (an issue's description) in the
// Atlassian Document Format: a JSON tree of typed nodes. Node and Text are
// written here because no Go module for ADF is available to the build (the
// Go module proxy refuses the Jira clients and ADF converters we looked
// at), and plain text needs only a walk over the tree.

// Node is one node of an Atlassian Document Format document.
type Node struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"` // 1 on the doc node
	Text    string         `json:"text,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Marks   []Mark         `json:"marks,omitempty"`
	Content []Node         `json:"content,omitempty"`
}

// Mark is a text node's formatting, such as a link.
type Mark struct {
	Type  string         `json:"type"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

// Limits of the plain-text rendering: nesting followed and characters
// written; deeper or longer documents are cut.
const (
	maxDepth     = 64
	maxTextBytes = 64 << 10
)

// Text renders an ADF document (raw JSON) as plain text: paragraphs and
// headings on lines of their own, list items as "- " or "1. " lines, task
// items as "- [ ]" / "- [x]", table cells separated by " | ", mentions,
// emoji, dates, statuses and cards by their text or URL. HTML is never
// produced. A value that is not an ADF document but a JSON string (API
// v2 answers) is returned as it is; anything else gives "".
func Text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return cut(s)
	}
	var doc Node
	if json.Unmarshal(raw, &doc) != nil {
		return ""
	}
	w := &textWriter{}
	w.block(doc, 0, "")
	return cut(strings.TrimSpace(w.b.String()))
}

func cut(s string) string {
	if len(s) <= maxTextBytes {
		return s
	}
	i := maxTextBytes
	for i > 0 && (s[i]&0xC0) == 0x80 {
		i--
	}
	return s[:i] + " […]"
}

type textWriter struct{ b strings.Builder }

func (w *textWriter) full() bool { return w.b.Len() > maxTextBytes }

// block writes n, a block node, prefixed with indent on each line it starts.
func (w *textWriter) block(n Node, depth int, indent string) {
	if depth > maxDepth || w.full() {
		return
	}
	switch n.Type {
	case "paragraph", "heading":
		w.b.WriteString(indent)
		w.inline(n.Content, depth+1)
		w.b.WriteString("\n")
	case "bulletList", "orderedList", "taskList", "decisionList":
		for i, item := range n.Content {
			w.b.WriteString(indent + bullet(n.Type, i, item))
			w.item(item, depth+1, indent+"  ")
		}
	case "codeBlock":
		w.b.WriteString(indent)
		w.inline(n.Content, depth+1)
		w.b.WriteString("\n")
	case "rule":
		w.b.WriteString(indent + "---\n")
	case "table":
		for _, row := range n.Content {
			var cells []string
			for _, cell := range row.Content {
				cw := &textWriter{}
				for _, c := range cell.Content {
					cw.block(c, depth+3, "")
				}
				cells = append(cells, strings.Join(strings.Fields(cw.b.String()), " "))
			}
			w.b.WriteString(indent + strings.Join(cells, " | ") + "\n")
		}
	case "mediaSingle", "mediaGroup", "media":
		w.b.WriteString(indent + "[attachment]\n")
	case "blockCard", "embedCard":
		w.b.WriteString(indent + attr(n, "url") + "\n")
	default: // doc, blockquote, panel, expand, layouts…: their children
		if isInline(n.Type) {
			w.b.WriteString(indent)
			w.inline([]Node{n}, depth+1)
			w.b.WriteString("\n")
			return
		}
		for _, c := range n.Content {
			w.block(c, depth+1, indent)
		}
	}
	if n.Type == "paragraph" || n.Type == "heading" || n.Type == "codeBlock" || n.Type == "table" {
		if depth <= 1 {
			w.b.WriteString("\n")
		}
	}
}

// item writes a list item's content: its first paragraph on the bullet's
// line, the rest below, indented.
func (w *textWriter) item(n Node, depth int, indent string) {
	if len(n.Content) == 0 || isInline(n.Content[0].Type) { // a task item holds inline nodes
		w.inline(n.Content, depth+1)
		w.b.WriteString("\n")
		return
	}
	for i, c := range n.Content {
		if i == 0 && (c.Type == "paragraph" || c.Type == "heading") {
			w.inline(c.Content, depth+1)
			w.b.WriteString("\n")
			continue
		}
		w.block(c, depth+1, indent)
	}
}

func bullet(list string, i int, item Node) string {
	switch {
	case list == "orderedList":
		return itoa(i+1) + ". "
	case item.Type == "taskItem" && attr(item, "state") == "DONE":
		return "- [x] "
	case item.Type == "taskItem":
		return "- [ ] "
	}
	return "- "
}

// inline writes inline nodes.
func (w *textWriter) inline(nodes []Node, depth int) {
	if depth > maxDepth {
		return
	}
	for _, n := range nodes {
		if w.full() {
			return
		}
		switch n.Type {
		case "text":
			w.b.WriteString(n.Text)
		case "hardBreak":
			w.b.WriteString("\n")
		case "mention", "status", "placeholder":
			w.b.WriteString(attr(n, "text"))
		case "emoji":
			if t := attr(n, "text"); t != "" {
				w.b.WriteString(t)
			} else {
				w.b.WriteString(attr(n, "shortName"))
			}
		case "date":
			w.b.WriteString(attr(n, "timestamp"))
		case "inlineCard":
			w.b.WriteString(attr(n, "url"))
		default:
			w.inline(n.Content, depth+1)
		}
	}
}

func isInline(t string) bool {
	switch t {
	case "text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "placeholder", "inlineExtension", "mediaInline":
		return true
	}
	return false
}

// attr reads a string (or number) attribute.
func attr(n Node, name string) string {
	switch v := n.Attrs[name].(type) {
	case string:
		return v
	case float64:
		return strings.TrimSuffix(strings.TrimRight(jsonNumber(v), "0"), ".")
	}
	return ""
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// Doc builds an ADF document of paragraphs, one per element of paras; a
// paragraph's lines are joined by hard breaks, and a paragraph given as a
// Link is one linked text.
func Doc(paras ...Paragraph) Node {
	doc := Node{Type: "doc", Version: 1, Content: []Node{}}
	for _, p := range paras {
		var content []Node
		if p.URL != "" {
			content = []Node{{Type: "text", Text: orURL(p.Text, p.URL), Marks: []Mark{{Type: "link", Attrs: map[string]any{"href": p.URL}}}}}
		} else {
			for i, line := range strings.Split(p.Text, "\n") {
				if i > 0 {
					content = append(content, Node{Type: "hardBreak"})
				}
				if line != "" {
					content = append(content, Node{Type: "text", Text: line})
				}
			}
		}
		if len(content) > 0 {
			doc.Content = append(doc.Content, Node{Type: "paragraph", Content: content})
		}
	}
	return doc
}

// Paragraph is one paragraph of Doc: Text, or a link to URL labelled
// Text.
type Paragraph struct{ Text, URL string }

func orURL(text, url string) string {
	if text == "" {
		return url
	}
	return text
}
