package command

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseCreateIssue(t *testing.T) {
	t.Parallel()
	p := New("bitreview")
	for raw, want := range map[string]Command{
		"@bitreview create issue":              CreateIssue,
		"@bitreview Create  Issue.":            CreateIssue,
		"@bitreview create issue for this":     Ask,
		"`@bitreview create issue`":            "",
		"> @bitreview create issue":            "",
		"thanks!\n\n@bitreview create issue\n": CreateIssue,
	} {
		m, ok := p.Parse(raw)
		assert.Equal(t, want != "", ok, "%q", raw)
		assert.Equal(t, want, m.Command, "%q", raw)
	}
	assert.Contains(t, All(), CreateIssue)
}

func TestPlaceholder(t *testing.T) {
	t.Parallel()
	p := New("bitreview")
	cases := []struct {
		name, raw, placeholder string // "" placeholder: none
	}{
		{"alone", "@bitreview summary", "@bitreview summary"},
		{"between the author's text", "Intro.\n\n@bitreview summary\n\nOutro.", "@bitreview summary"},
		{"trailing spaces stay", "Intro\n@bitreview Summary.  \nmore", "@bitreview Summary."},
		{"CRLF", "Intro\r\n\r\n@bitreview summary\r\nOutro", "@bitreview summary"},
		{"in a list item", "- @bitreview summary\n- other", "@bitreview summary"},
		{"in code", "Use `@bitreview summary` here", ""},
		{"in a fence", "```\n@bitreview summary\n```", ""},
		{"in a quote", "> @bitreview summary", ""},
		{"in a hidden comment", "<!-- @bitreview summary -->", ""},
		{"another command", "@bitreview review", ""},
		{"a question", "@bitreview summary please", ""},
		{"first of two", "@bitreview summary\n\n@bitreview summary", "@bitreview summary"},
	}
	for _, tc := range cases {
		start, end, ok := p.Placeholder(tc.raw)
		if tc.placeholder == "" {
			assert.False(t, ok, tc.name)
			continue
		}
		if assert.True(t, ok, tc.name) {
			assert.Equal(t, tc.placeholder, tc.raw[start:end], tc.name)
		}
	}
}
