package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A thread sent with a question keeps its newest MaxThreadComments
// comments, oldest first, each cut to MaxThreadChars characters.
func TestTrimThread(t *testing.T) {
	t.Parallel()
	var long []ThreadComment
	for i := range MaxThreadComments + 5 {
		long = append(long, ThreadComment{Author: fmt.Sprint("u", i), Text: fmt.Sprint("comment ", i)})
	}
	for _, tc := range []struct {
		name  string
		in    []ThreadComment
		first string // author of the first kept
		n     int
	}{
		{name: "empty", in: nil, n: 0},
		{name: "short", in: long[:3], first: "u0", n: 3},
		{name: "long: the newest kept", in: long, first: "u5", n: MaxThreadComments},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := TrimThread(tc.in)
			require.Len(t, got, tc.n)
			if tc.n > 0 {
				assert.Equal(t, tc.first, got[0].Author)
				assert.Equal(t, tc.in[len(tc.in)-1], got[len(got)-1])
			}
		})
	}
	wide := strings.Repeat("é", MaxThreadChars+10)
	in := []ThreadComment{{Author: "a", Text: wide, Bot: true}}
	got := TrimThread(in)
	require.Len(t, got, 1)
	assert.Equal(t, strings.Repeat("é", MaxThreadChars)+" [cut]", got[0].Text, "cut by characters, not bytes")
	assert.True(t, got[0].Bot)
	assert.Equal(t, wide, in[0].Text, "the caller's thread is not modified")
}
