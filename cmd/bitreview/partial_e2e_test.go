package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
)

// Threats requirement 23: Bitbucket refuses one inline comment (400, as it
// does for a line it will not anchor). The others are posted, the refused
// finding is in the summary instead, and nothing is posted twice on the
// next run.
func TestPipeOneRejectedInlineMovesToSummary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.bb.Fault(bbtest.Fault{
		Method: http.MethodPost, PathContains: "/pullrequests/7/comments", BodyContains: "Add subtracts",
		Status: http.StatusBadRequest, Body: `{"type":"error","error":{"message":"Invalid inline comment: line not in diff"}}`,
	})
	out, code := execPipe(t, f.env())
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "1 moved to the summary")

	summaries, inline := f.comments()
	require.Len(t, summaries, 1)
	require.Len(t, inline, 2, "the two other inline comments are posted")
	for _, c := range inline {
		assert.NotContains(t, c.Raw, "Add subtracts")
	}
	body := summaries[0].Raw
	i := strings.Index(body, "### Findings not posted inline")
	require.GreaterOrEqual(t, i, 0, body)
	assert.Contains(t, body[i:], "Add subtracts", "the refused finding is in the summary")

	out, code = execPipe(t, f.env())
	require.Equal(t, 0, code, out)
	summaries, again := f.comments()
	assert.Len(t, summaries, 1)
	assert.Len(t, again, len(inline), "a re-run duplicates nothing")
}
