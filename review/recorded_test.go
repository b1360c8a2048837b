package review

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A summary records the reviewed state and the verdict; a skipped run's
// summary has no verdict, an old one neither, and no summary nothing.
func TestRecordedIn(t *testing.T) {
	t.Parallel()
	st := State{HeadCommit: "1111111111111111111111111111111111111111", Paused: true}
	v := Verdict{Findings: 2, Worst: High}
	reviewed := RenderSummary(&Result{}, SummaryInfo{}, st) + VerdictMarker(v) + "\n"
	st.Version = 1
	for _, tc := range []struct {
		name, body string
		want       Recorded
	}{
		{name: "no summary"},
		{name: "before states were recorded", body: "## bitreview\n\n" + summaryMarker + "\n"},
		{name: "a skipped run", body: RenderSkipped("draft", SummaryInfo{}, st), want: Recorded{State: st, HasState: true}},
		{name: "a review", body: reviewed, want: Recorded{State: st, HasState: true, Verdict: v, HasVerdict: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := RecordedIn(tc.body)
			assert.Equal(t, tc.want, got)
			open := []Finding{{Title: "open"}}
			assert.Equal(t, &Prior{Me: "bot", HasSummary: true, State: got.State, HasState: got.HasState, Verdict: got.Verdict, HasVerdict: got.HasVerdict, Open: open},
				got.Prior("bot", true, open))
		})
	}
}
