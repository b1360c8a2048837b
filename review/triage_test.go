package review

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

// The light pass's prompt: a compact view of each file's changes, the
// pull request's text as untrusted data.
func TestWalkthroughPrompt(t *testing.T) {
	d := sampleDiff(t)
	golden(t, "prompt_walkthrough", walkthroughPrompt(testPR, d.Files[:2], walkLinesPerFile))
}

func TestMechanicalTriage(t *testing.T) {
	d, err := diffparse.Parse([]byte("diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1,2 +1,2 @@\n-if x {\n-  y()\n+if x  {\n+\ty()\n"))
	require.NoError(t, err)
	note, ok := mechanicalTriage(d.Files[0])
	assert.True(t, ok)
	assert.Equal(t, "whitespace and formatting only", note)
}

type mapSource map[string]string

func (m mapSource) ReadFile(_ context.Context, p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, os.ErrNotExist
}

func TestSurroundingContext(t *testing.T) {
	var src strings.Builder
	for i := 1; i <= 40; i++ {
		if i == 20 {
			src.WriteString("changed\n")
			continue
		}
		src.WriteString("line" + strings.Repeat("x", i%3) + "\n")
	}
	d, err := diffparse.Parse([]byte("diff --git a/f.go b/f.go\n--- a/f.go\n+++ b/f.go\n@@ -19,3 +19,3 @@\n linex\n-old\n+changed\n line\n"))
	require.NoError(t, err)
	files := d.Files
	srcs := loadSources(t.Context(), mapSource{"f.go": src.String()}, files, 2)
	require.Contains(t, srcs, "f.go")
	var b strings.Builder
	renderer{sources: srcs, contextLines: 3, budget: 60}.file(&b, files[0])
	out := b.String()
	assert.Contains(t, out, "16 = line")
	assert.Contains(t, out, "22 = line")
	assert.NotContains(t, out, "15 = ")

	// A checkout that disagrees with the diff gives no context at all.
	srcs = loadSources(t.Context(), mapSource{"f.go": "something else\n"}, files, 2)
	assert.NotContains(t, srcs, "f.go")
}

func TestPathInstructionsOnlyForMatchingFiles(t *testing.T) {
	m := &fakeModel{fn: reply(`{"findings":[]}`)}
	d := sampleDiff(t)
	opts := Options{
		NoWalkthrough: true,
		BatchTokens:   oneFilePerBatch(d),
		Instructions: []PathInstruction{
			{Glob: "app/math.go", Text: "Arithmetic must be checked for overflow."},
			{Glob: "docs/**", Text: "Never shown."},
		},
		Guidelines: []Guideline{{Name: "CONTRIBUTING.md", Text: "Use table tests."}},
	}
	_, err := New(m, opts).Review(t.Context(), testPR, d)
	require.NoError(t, err)
	reqs := m.reviews()
	require.Equal(t, 2, len(reqs))
	for _, r := range reqs {
		hasMath := strings.Contains(r.Prompt, `path="app/math.go"`)
		assert.Equal(t, hasMath, strings.Contains(r.System, "checked for overflow"), "instructions follow their files")
		assert.NotContains(t, r.System, "Never shown.")
		assert.Contains(t, r.System, "Use table tests.")
		if hasMath {
			golden(t, "prompt_system_with_instructions", r.System)
		}
	}
}

func TestWalkLinesShrinkForHugePullRequests(t *testing.T) {
	for _, tc := range []struct{ files, budget, want int }{
		{0, 200_000, walkLinesPerFile},
		{5, 200_000, walkLinesPerFile},
		{100, 200_000, walkLinesPerFile},
		{300, 120_000, 5},
		{2000, 200_000, 2},
		{5000, 1000, 2},
	} {
		assert.Equal(t, tc.want, walkLines(tc.files, tc.budget), "%d files, budget %d", tc.files, tc.budget)
	}
}
