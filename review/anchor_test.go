package review

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

func sampleDiff(t *testing.T) *diffparse.Diff {
	t.Helper()
	raw, err := os.ReadFile("testdata/sample.diff")
	require.NoError(t, err)
	d, err := diffparse.Parse(raw)
	require.NoError(t, err)
	return d
}

func TestSuggestionKeptOnlyForTheAnchoredLines(t *testing.T) {
	d := sampleDiff(t)
	base := Finding{Path: "app/math.go", Side: diffparse.New, Line: 3, Code: "func Add(a, b int) int { return a - b }"}
	tests := []struct {
		name string
		edit func(*Finding)
		keep bool
	}{
		{"replacement for the line", func(f *Finding) { f.Suggestion = "func Add(a, b int) int { return a + b }" }, true},
		{"same as the code", func(f *Finding) { f.Suggestion = "func Add(a, b int)  int { return a - b }" }, false},
		{"on a removed line", func(f *Finding) {
			*f = Finding{Path: "app/server.go", Side: diffparse.Old, Line: 10, Code: "func unused() {}", Suggestion: "x"}
		}, false},
		{"range of three lines", func(f *Finding) { f.StartLine, f.Code, f.Suggestion = 1, "", "a\nb\nc" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			tt.edit(&f)
			got, why := anchor(d, f)
			require.Empty(t, why)
			assert.Equal(t, tt.keep, got.Suggestion != "")
		})
	}
}

func TestAnchor(t *testing.T) {
	d := sampleDiff(t)
	query := `rows, _ := db.Query("SELECT * FROM users WHERE name = '" + name + "'")`
	tests := []struct {
		name      string
		in        Finding
		wantLine  int
		wantStart int
		wantSide  diffparse.Side
		wantWhy   string
	}{
		{name: "exact added line", in: Finding{Path: "app/server.go", Side: diffparse.New, Line: 11, Code: query}, wantLine: 11, wantSide: diffparse.New},
		{name: "drift corrected by quote", in: Finding{Path: "app/server.go", Side: diffparse.New, Line: 14, Code: query}, wantLine: 11, wantSide: diffparse.New},
		{name: "b/ prefix tolerated", in: Finding{Path: "b/app/server.go", Side: diffparse.New, Line: 11}, wantLine: 11, wantSide: diffparse.New},
		{name: "removed line on old side", in: Finding{Path: "app/server.go", Side: diffparse.Old, Line: 10, Code: "func unused() {}"}, wantLine: 10, wantSide: diffparse.Old},
		{name: "removed line named new is moved to old", in: Finding{Path: "app/server.go", Side: diffparse.New, Line: 10, Code: "func unused() {}"}, wantLine: 10, wantSide: diffparse.Old},
		{name: "range inside one hunk", in: Finding{Path: "app/server.go", Side: diffparse.New, StartLine: 11, Line: 12}, wantLine: 12, wantStart: 11, wantSide: diffparse.New},
		{name: "file not in diff", in: Finding{Path: "../../etc/passwd", Side: diffparse.New, Line: 1}, wantWhy: "file is not part of this diff"},
		{name: "line outside hunks", in: Finding{Path: "app/server.go", Side: diffparse.New, Line: 99}, wantWhy: "line is outside the diff's hunks"},
		{name: "deleted file old side", in: Finding{Path: "notes.txt", Side: diffparse.Old, Line: 1}, wantLine: 1, wantSide: diffparse.Old},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := anchor(d, tt.in)
			assert.Equal(t, tt.wantWhy, why)
			if tt.wantWhy != "" {
				return
			}
			assert.Equal(t, tt.wantLine, got.Line)
			assert.Equal(t, tt.wantStart, got.StartLine)
			assert.Equal(t, tt.wantSide, got.Side)
			assert.True(t, d.Commentable(got.Path, got.Side, got.Line))
		})
	}
}
