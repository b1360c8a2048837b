package review

import (
	"encoding/base64"
	"strings"
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

// WithState writes a whole state into a summary: the pause note follows
// the pause flag, Handled keeps the latest MaxHandled, a summary written
// before states were recorded gets a marker, and a body that is not a
// summary is left alone.
func TestWithState(t *testing.T) {
	t.Parallel()
	summary := RenderSummary(&Result{Summary: "Adds a loop."}, SummaryInfo{Version: "v1"}, State{HeadCommit: "abc1234", Posted: []string{"fp"}})
	legacy := "## bitreview\n\nold summary\n\n" + summaryMarker + "\n"
	many := make([]int, MaxHandled+3)
	for i := range many {
		many[i] = i + 1
	}
	for _, tc := range []struct {
		name      string
		body      string
		st        State
		ok        bool
		pauseNote bool
		want      State
	}{
		{name: "pause", body: summary, st: State{HeadCommit: "abc1234", Posted: []string{"fp"}, Paused: true}, ok: true, pauseNote: true,
			want: State{Version: 1, HeadCommit: "abc1234", Posted: []string{"fp"}, Paused: true}},
		{name: "handled, capped", body: summary, st: State{HeadCommit: "abc1234", Handled: many}, ok: true,
			want: State{Version: 1, HeadCommit: "abc1234", Handled: many[3:]}},
		{name: "summary without state", body: legacy, st: State{Paused: true}, ok: true, pauseNote: true,
			want: State{Version: 1, Paused: true}},
		{name: "not a summary", body: "a human's comment", st: State{Paused: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, ok := WithState(tc.body, tc.st)
			require.Equal(t, tc.ok, ok)
			if !ok {
				assert.Equal(t, tc.body, body)
				return
			}
			st, parsed := ParseState(body)
			require.True(t, parsed)
			assert.Equal(t, tc.want, st)
			assert.True(t, IsSummary(body))
			assert.Equal(t, tc.pauseNote, strings.Contains(body, pausedNote))
			again, _ := WithState(body, tc.st)
			assert.Equal(t, body, again, "writing the same state twice changes nothing")
		})
	}
	idle := RenderStateSummary(State{}, SummaryInfo{})
	pausedIdle, _ := WithState(idle, State{Paused: true})
	assert.Equal(t, RenderStateSummary(State{Paused: true}, SummaryInfo{}), pausedIdle, "a state-only summary says why, without a second note")
	resumedIdle, _ := WithState(pausedIdle, State{})
	assert.Equal(t, idle, resumedIdle)

	paused, _ := WithState(summary, State{HeadCommit: "abc1234", Paused: true})
	resumed, _ := WithState(paused, State{HeadCommit: "abc1234"})
	assert.NotContains(t, resumed, pausedNote, "resuming removes the note")
	assert.Contains(t, resumed, "Adds a loop.", "the review's text is kept")
}

// The summary a state is recorded in when there is none yet says why
// nothing was reviewed, and reads back as that state.
func TestRenderStateSummary(t *testing.T) {
	t.Parallel()
	for _, paused := range []bool{true, false} {
		body := RenderStateSummary(State{Paused: paused, Handled: []int{9}}, SummaryInfo{Version: "v1"})
		st, ok := ParseState(body)
		require.True(t, ok)
		assert.Equal(t, State{Version: 1, Paused: paused, Handled: []int{9}}, st)
		assert.True(t, IsSummary(body))
		assert.Equal(t, paused, strings.Contains(body, "paused"), body)
	}
}
