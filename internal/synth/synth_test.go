package synth

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

func TestDiffParsesAndIsDeterministic(t *testing.T) {
	o := Options{Files: 50, HunksPerFile: 3, LinesPerHunk: 6, Context: 3, Mixed: 0.2, Seed: 1}
	a, b := Diff(o), Diff(o)
	require.True(t, bytes.Equal(a, b))
	d, err := diffparse.Parse(a)
	require.NoError(t, err)
	assert.Len(t, d.Files, 50)
	for _, f := range d.Files {
		for _, h := range f.Hunks {
			added, removed := 0, 0
			for _, l := range h.Lines {
				switch l.Kind {
				case diffparse.Added:
					added++
				case diffparse.Removed:
					removed++
				}
			}
			assert.Equal(t, h.NewCount, added+len(h.Lines)-added-removed, f.Path())
			assert.Equal(t, h.OldCount, removed+len(h.Lines)-added-removed, f.Path())
		}
	}
}
