package relay

import (
	"testing"

	"github.com/bitreview/bitreview/command"

	"github.com/stretchr/testify/assert"
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

func TestLRU(t *testing.T) {
	t.Parallel()
	l := newLRU(3)
	assert.False(t, l.seenOrAdd([]string{"a", "r1"}))
	assert.True(t, l.seenOrAdd([]string{"x", "r1"}), "any known key is a duplicate")
	assert.False(t, l.seenOrAdd([]string{"b"}))
	assert.False(t, l.seenOrAdd([]string{"c"}))
	assert.True(t, l.seenOrAdd([]string{"b"}))
	assert.False(t, l.seenOrAdd([]string{"d"}), "evicts the least recently used")
	assert.False(t, l.seenOrAdd([]string{"a"}), "a was evicted")
	l.forget([]string{"a"})
	assert.False(t, l.seenOrAdd([]string{"a"}))
}
