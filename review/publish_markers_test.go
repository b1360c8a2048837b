package review

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A summary written before State.Handled existed still parses, and
// WithHandled records command comments in it, the latest MaxHandled only.
func TestWithHandled(t *testing.T) {
	t.Parallel()
	old := "## bitreview\n\nsummary\n\n" + summaryMarker + "\n" + statePrefix +
		base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"head":"abc1234","paused":true}`)) + ")\n"
	st, ok := ParseState(old)
	require.True(t, ok)
	assert.False(t, st.HasHandled(7))

	body, ok := WithHandled(old, 7)
	require.True(t, ok)
	st, ok = ParseState(body)
	require.True(t, ok)
	assert.Equal(t, State{Version: 1, HeadCommit: "abc1234", Paused: true, Handled: []int{7}}, st)
	assert.True(t, IsSummary(body))
	assert.Contains(t, body, "## bitreview\n\nsummary\n")
	again, _ := WithHandled(body, 7)
	assert.Equal(t, body, again, "recording twice changes nothing")

	for id := 100; id < 100+MaxHandled+5; id++ {
		body, _ = WithHandled(body, id)
	}
	st, _ = ParseState(body)
	assert.Len(t, st.Handled, MaxHandled)
	assert.False(t, st.HasHandled(7), "the oldest are forgotten")
	assert.True(t, st.HasHandled(100+MaxHandled+4))

	_, ok = WithHandled("no marker", 1)
	assert.False(t, ok)
}
