package workflow

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/review"
)

// describing is a pull request whose host can edit its description; edit,
// when set, is what the author saves between the run's first read and
// the re-read before the write.
type describing struct {
	*memory
	mu      sync.Mutex
	reads   int
	edit    string
	written []string
}

func (d *describing) PullRequest(ctx context.Context) (review.PullRequest, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	if d.reads > 1 && d.edit != "" {
		d.memory.meta.Description = d.edit
	}
	return d.memory.PullRequest(ctx)
}

func (d *describing) SetDescription(_ context.Context, s string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.written = append(d.written, s)
	d.memory.meta.Description = s
	return nil
}

const authored = "Intro ✓\r\n\r\n@bitreview summary\r\n\r\nOutro  "

func TestDescriptionSummary(t *testing.T) {
	f := newFixture(t, "INCREMENTAL=false")
	f.p.meta.Description = authored
	d := &describing{memory: f.p}
	out := Run(t.Context(), d, f.s, f.deps)
	require.NoError(t, out.Err, f.log.String())
	require.Len(t, d.written, 1, f.log.String())
	got := d.written[0]
	assert.True(t, strings.HasPrefix(got, "Intro ✓\r\n\r\n"+review.DescriptionStart), "the author's text before, byte for byte")
	assert.True(t, strings.HasSuffix(got, review.DescriptionEnd+"\r\n\r\nOutro  "), "and after")
	assert.Contains(t, got, "s", "the walkthrough's overview")
	assert.Contains(t, f.log.String(), "Description summary updated")

	// A second run writes nothing: the block is the same.
	out = Run(t.Context(), d, f.s, f.deps)
	require.NoError(t, out.Err)
	assert.Len(t, d.written, 1, "unchanged: no write")
	assert.Equal(t, got, d.memory.meta.Description, "the description does not grow")
}

func TestDescriptionEditedDuringTheRunIsLeftAlone(t *testing.T) {
	f := newFixture(t)
	f.p.meta.Description = authored
	d := &describing{memory: f.p, edit: authored + "\r\nan edit the author just saved"}
	out := Run(t.Context(), d, f.s, f.deps)
	require.NoError(t, out.Err)
	assert.Empty(t, d.written, "an edit is never overwritten")
	assert.Contains(t, f.log.String(), "edited during the run")
}

func TestDescriptionModes(t *testing.T) {
	for _, tc := range []struct {
		env, desc string
		writes    bool
	}{
		{"DESCRIPTION_SUMMARY=off", authored, false},
		{"DESCRIPTION_SUMMARY=placeholder", "No placeholder here.", false},
		{"DESCRIPTION_SUMMARY=append", "No placeholder here.", true},
	} {
		f := newFixture(t, tc.env)
		f.p.meta.Description = tc.desc
		d := &describing{memory: f.p}
		require.NoError(t, Run(t.Context(), d, f.s, f.deps).Err)
		assert.Equal(t, tc.writes, len(d.written) == 1, tc.env)
		if tc.writes {
			assert.True(t, strings.HasPrefix(d.written[0], "No placeholder here.\n\n"+review.DescriptionStart))
		}
	}
	// A host that cannot edit descriptions says so and goes on.
	f := newFixture(t)
	f.p.meta.Description = authored
	require.NoError(t, Run(t.Context(), f.p, f.s, f.deps).Err)
	assert.Contains(t, f.log.String(), "cannot edit descriptions on this host")
}
