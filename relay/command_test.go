package relay

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMentionForms(t *testing.T) {
	t.Parallel()
	m := newMatcher("bitreview", "{6a1c0000-aaaa-4bbb-8ccc-000000000001}", "557058:abcdef01")
	cases := []struct {
		raw  string
		want Command
		ok   bool
	}{
		{"@bitreview review", CmdReview, true},
		{"@bitreview, review", CmdReview, true},
		{"@bitreview: Summary.", CmdSummary, true},
		{"@bitreview. Summary", CmdAsk, true},
		{"@{557058:abcdef01} summary", CmdSummary, true},
		{"@{6a1c0000-aaaa-4bbb-8ccc-000000000001} pause", CmdPause, true},
		{"@{6A1C0000-AAAA-4BBB-8CCC-000000000001} resume", CmdResume, true},
		{"@{557058:other} review", "", false},
		{"[@bitreview](https://bitbucket.org/bitreview) review", CmdAsk, true},
		{"line one\n\n@bitreview full review\n", CmdFullReview, true},
		{"```go\n// @bitreview review\n```\n@bitreview summary", CmdSummary, true},
		{"> @bitreview review\n@bitreview help", CmdHelp, true},
		{"`@bitreview` is the bot; @bitreview summary", CmdSummary, true},
		{"@bitreview/review", "", false},
		{"@bitreview@evil review", "", false},
		{"@bitreview.", CmdHelp, true},
		{"no mention at all", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := m.command(tc.raw)
		assert.Equal(t, tc.ok, ok, "%q", tc.raw)
		assert.Equal(t, tc.want, got, "%q", tc.raw)
	}
	// Without a known account only the name form works.
	m = newMatcher("reviewbot", "", "")
	_, ok := m.command("@{557058:abcdef01} review")
	assert.False(t, ok)
	c, ok := m.command("@ReviewBot review")
	assert.True(t, ok)
	assert.Equal(t, CmdReview, c)
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
