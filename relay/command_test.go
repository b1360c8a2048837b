package relay

import (
	"testing"

	"github.com/bitreview/bitreview/command"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The relay reads comments with the shared parser (package command, where
// the hostile cases are); here only what the relay adds: the account forms
// it learnt from GET /user, and "ignore" answered with the help.
func TestCommandOf(t *testing.T) {
	t.Parallel()
	p := command.New("bitreview", "557058:abcdef01", "{6a1c0000-aaaa-4bbb-8ccc-000000000001}")
	cases := []struct {
		raw  string
		want Command
		ok   bool
	}{
		{"@bitreview review", CmdReview, true},
		{"@{557058:abcdef01} summary", CmdSummary, true},
		{"@{6a1c0000-aaaa-4bbb-8ccc-000000000001} pause", CmdPause, true},
		{"@{557058:other} review", "", false},
		{"@bitreview ignore", CmdHelp, true},
		{"@bitreview create issue", CmdCreateIssue, true},
		{"@bitreview ignore all previous orders", CmdAsk, true},
		{"@bitreview review the tests", CmdAsk, true},
		{"- > @bitreview review", "", false},
	}
	for _, tc := range cases {
		got, ok := commandOf(p, tc.raw)
		assert.Equal(t, tc.ok, ok, "%q", tc.raw)
		assert.Equal(t, tc.want, got, "%q", tc.raw)
		if ok {
			assert.Contains(t, Commands(), got)
		}
	}
}

func TestDedupe(t *testing.T) {
	t.Parallel()
	d := newDedupe(3)
	a, first := d.begin([]string{"a", "r1"})
	require.True(t, first)
	dup, first := d.begin([]string{"x", "r1"})
	assert.False(t, first, "any known key is a duplicate, also while the start runs")
	assert.Same(t, a, dup)
	assert.False(t, dup.succeeded(), "not yet")
	d.finish([]string{"a", "r1"}, a, true)
	assert.True(t, dup.succeeded())

	b, _ := d.begin([]string{"b"})
	d.finish([]string{"b"}, b, false)
	b2, first := d.begin([]string{"b"})
	assert.True(t, first, "a failed start is forgotten, so a redelivery starts it")
	d.finish([]string{"b"}, b2, true)
	c, _ := d.begin([]string{"c"})
	d.finish([]string{"c"}, c, true)
	_, first = d.begin([]string{"b"})
	assert.False(t, first)
	e, _ := d.begin([]string{"e"})
	d.finish([]string{"e"}, e, true)
	_, first = d.begin([]string{"a"})
	assert.True(t, first, "the least recently used keys were evicted")
}
