package review

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// placeholderAt finds "@bitreview summary" as the command parser would,
// for these tests (package command does it in the pipe).
func placeholderAt(s string) (int, int, bool) {
	i := strings.Index(s, "@bitreview summary")
	return i, i + len("@bitreview summary"), i >= 0
}

func TestFillDescription(t *testing.T) {
	t.Parallel()
	const block = DescriptionStart + "\nNEW\n" + DescriptionEnd
	const old = DescriptionStart + "\nOLD\n" + DescriptionEnd
	cases := []struct {
		name, desc  string
		appendBlock bool
		want        string
		err         bool
	}{
		{"placeholder", "Intro ✓\r\n\r\n@bitreview summary\r\n\r\nOutro  ", false, "Intro ✓\r\n\r\n" + block + "\r\n\r\nOutro  ", false},
		{"an earlier block is replaced", "Intro\n" + old + "\ntail", false, "Intro\n" + block + "\ntail", false},
		{"the block wins over a new placeholder", "@bitreview summary\n" + old, false, "@bitreview summary\n" + block, false},
		{"nothing to fill", "Just text.", false, "Just text.", false},
		{"append", "Just text.\n\n", true, "Just text.\n\n" + block, false},
		{"append to nothing", "", true, block, false},
		{"append keeps a placeholder's place", "A\n@bitreview summary\nB", true, "A\n" + block + "\nB", false},
		{"a start without an end", "A\n" + DescriptionStart + "\nB", true, "A\n" + DescriptionStart + "\nB", true},
		{"an end before the start", DescriptionEnd + "\n" + DescriptionStart, false, DescriptionEnd + "\n" + DescriptionStart, true},
		{"two blocks", old + old, false, old + old, true},
	}
	for _, tc := range cases {
		got, err := FillDescription(tc.desc, block, tc.appendBlock, placeholderAt)
		assert.Equal(t, tc.want, got, tc.name)
		assert.Equal(t, tc.err, err != nil, tc.name)
	}
}

// Filling twice changes nothing the second time: the description does not
// grow from run to run.
func TestFillDescriptionIsStable(t *testing.T) {
	t.Parallel()
	res := &Result{Summary: "Adds a login.", Linked: []LinkedIssue{{Ref: "ABC-1", Tracker: "Jira", Title: "Login", Assessment: Addressed, Reason: "done"}}}
	block := RenderDescriptionSummary(res)
	once, err := FillDescription("Hi\n\n@bitreview summary\n\nBye", block, true, placeholderAt)
	require.NoError(t, err)
	twice, err := FillDescription(once, block, true, placeholderAt)
	require.NoError(t, err)
	assert.Equal(t, once, twice)
	assert.True(t, strings.HasPrefix(once, "Hi\n\n"+DescriptionStart))
	assert.True(t, strings.HasSuffix(once, DescriptionEnd+"\n\nBye"))
	assert.Contains(t, block, "Adds a login.")
	assert.Contains(t, block, "| `ABC-1` | Login | ✅ addressed | done |")
	assert.NotContains(t, block, "@bitreview summary", "the block holds no placeholder of its own")
}
