package jira

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sampleADF = `{"type":"doc","version":1,"content":[
 {"type":"paragraph","content":[{"type":"text","text":"Users must be able to "},{"type":"text","text":"log in","marks":[{"type":"strong"}]},{"type":"text","text":"."},{"type":"hardBreak"},{"type":"text","text":"Ask "},{"type":"mention","attrs":{"id":"1","text":"@Ana"}},{"type":"text","text":" "},{"type":"emoji","attrs":{"shortName":":smile:"}}]},
 {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Acceptance criteria"}]},
 {"type":"bulletList","content":[
  {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a wrong password is refused"}]}]},
  {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"three failures lock"}]},
   {"type":"orderedList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"for 15 minutes"}]}]}]}]}]},
 {"type":"taskList","attrs":{"localId":"t"},"content":[{"type":"taskItem","attrs":{"localId":"a","state":"DONE"},"content":[{"type":"text","text":"design"}]},{"type":"taskItem","attrs":{"localId":"b","state":"TODO"},"content":[{"type":"text","text":"tests"}]}]},
 {"type":"codeBlock","attrs":{"language":"go"},"content":[{"type":"text","text":"login(user)"}]},
 {"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"Case"}]}]},{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"Result"}]}]}]}]},
 {"type":"rule"},
 {"type":"paragraph","content":[{"type":"inlineCard","attrs":{"url":"https://example.com/spec"}},{"type":"text","text":" due "},{"type":"date","attrs":{"timestamp":"1700000000000"}},{"type":"text","text":" "},{"type":"status","attrs":{"text":"IN PROGRESS","color":"blue"}}]},
 {"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"x","type":"file"}}]},
 {"type":"unknownFutureNode","content":[{"type":"paragraph","content":[{"type":"text","text":"still read"}]}]}
]}`

func TestText(t *testing.T) {
	t.Parallel()
	want := "Users must be able to log in.\nAsk @Ana :smile:\n\n" +
		"Acceptance criteria\n\n" +
		"- a wrong password is refused\n- three failures lock\n  1. for 15 minutes\n" +
		"- [x] design\n- [ ] tests\n" +
		"login(user)\n\n" +
		"Case | Result\n\n" +
		"---\n" +
		"https://example.com/spec due 1700000000000 IN PROGRESS\n\n" +
		"[attachment]\n" +
		"still read"
	assert.Equal(t, want, Text(json.RawMessage(sampleADF)))
}

func TestTextOtherValues(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", Text(nil))
	assert.Equal(t, "", Text(json.RawMessage("null")))
	assert.Equal(t, "wiki *text*", Text(json.RawMessage(`"wiki *text*"`)), "API v2 answers a string")
	assert.Equal(t, "", Text(json.RawMessage(`[1,2]`)))
	assert.Equal(t, "<b>x</b>", Text(json.RawMessage(`{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"<b>x</b>"}]}]}`)), "text stays text; no HTML is made")
}

func TestTextBounded(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"type":"blockquote","content":[`, 5000) + `{"type":"paragraph","content":[{"type":"text","text":"deep"}]}` + strings.Repeat(`]}`, 5000)
	assert.NotPanics(t, func() { Text(json.RawMessage(deep)) })
	long := `{"type":"doc","content":[` + strings.Repeat(`{"type":"paragraph","content":[{"type":"text","text":"`+strings.Repeat("é", 500)+`"}]},`, 200) + `{"type":"rule"}]}`
	out := Text(json.RawMessage(long))
	assert.LessOrEqual(t, len(out), maxTextBytes+10)
	assert.True(t, strings.HasSuffix(out, " […]"))
}

func TestDoc(t *testing.T) {
	t.Parallel()
	doc := Doc(Paragraph{Text: "line one\nline two"}, Paragraph{}, Paragraph{Text: "the comment", URL: "https://bitbucket.org/x#comment-1"})
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"doc","version":1,"content":[
	 {"type":"paragraph","content":[{"type":"text","text":"line one"},{"type":"hardBreak"},{"type":"text","text":"line two"}]},
	 {"type":"paragraph","content":[{"type":"text","text":"the comment","marks":[{"type":"link","attrs":{"href":"https://bitbucket.org/x#comment-1"}}]}]}]}`, string(raw))
	assert.Equal(t, "line one\nline two\n\nthe comment", Text(raw))
}
