package repoconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An unknown key is marked as such and, when a key of the same mapping is
// close, names it.
func TestUnknownKeysSuggestTheClosest(t *testing.T) {
	data := []byte("path_filter:\n  - src/**\nprofil: chill\nauto_review:\n  draft: true\npaths:\n  - path: a\n    instruction: x\n    instructions: y\nzzz: 1\n")
	cfg, warns, err := Parse(".bitreview.yaml", data)
	require.NoError(t, err)
	require.NotNil(t, cfg)
	var got []string
	for _, w := range warns {
		assert.True(t, w.UnknownKey, w.String())
		got = append(got, w.String())
	}
	assert.Equal(t, []string{
		"path_filter: unknown key, ignored (did you mean path_filters?), line 1",
		"profil: unknown key, ignored (did you mean profile?), line 3",
		"auto_review.draft: unknown key, ignored (did you mean drafts?), line 5",
		"paths[0].instruction: unknown key, ignored (did you mean instructions?), line 8",
		"zzz: unknown key, ignored, line 10",
	}, got)
}
