package diffparse

//go:generate sh testdata/gen.sh

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the current parser")

// goldenFile is the reviewed form of a parsed file: every field, the
// classification, the added ranges and each line as `kind old new "text"`.
type goldenFile struct {
	OldPath     string       `json:"old_path,omitempty"`
	NewPath     string       `json:"new_path,omitempty"`
	Status      Status       `json:"status"`
	Similarity  int          `json:"similarity,omitempty"`
	OldMode     string       `json:"old_mode,omitempty"`
	NewMode     string       `json:"new_mode,omitempty"`
	Binary      bool         `json:"binary,omitempty"`
	Submodule   bool         `json:"submodule,omitempty"`
	Symlink     bool         `json:"symlink,omitempty"`
	Truncated   bool         `json:"truncated,omitempty"`
	Class       Class        `json:"class,omitempty"`
	Added       int          `json:"added"`
	Removed     int          `json:"removed"`
	AddedRanges []Range      `json:"added_ranges,omitempty"`
	Hunks       []goldenHunk `json:"hunks,omitempty"`
}

type goldenHunk struct {
	Header       string   `json:"header"`
	NoNewlineOld bool     `json:"no_newline_old,omitempty"`
	NoNewlineNew bool     `json:"no_newline_new,omitempty"`
	Lines        []string `json:"lines"`
}

func golden(d *Diff) []goldenFile {
	out := make([]goldenFile, 0, len(d.Files))
	for _, f := range d.Files {
		added, removed := f.Stats()
		g := goldenFile{
			OldPath: f.OldPath, NewPath: f.NewPath, Status: f.Status, Similarity: f.Similarity,
			OldMode: f.OldMode, NewMode: f.NewMode, Binary: f.Binary, Submodule: f.Submodule,
			Symlink: f.Symlink, Truncated: f.Truncated, Class: Classify(f),
			Added: added, Removed: removed, AddedRanges: f.AddedRanges(),
		}
		for _, h := range f.Hunks {
			gh := goldenHunk{
				Header:       strings.TrimSpace(fmt.Sprintf("@@ -%d,%d +%d,%d @@ %s", h.OldStart, h.OldCount, h.NewStart, h.NewCount, h.Section)),
				NoNewlineOld: h.NoNewlineOld, NoNewlineNew: h.NoNewlineNew,
			}
			for i, l := range h.Lines {
				if n := len(h.Lines); n > 40 && i >= 10 && i < n-10 {
					if i == 10 {
						gh.Lines = append(gh.Lines, fmt.Sprintf("… %d lines …", n-20))
					}
					continue
				}
				s := fmt.Sprintf("%c %d %d %q", l.Kind, l.Old, l.New, l.Text)
				if l.CRLF {
					s += " crlf"
				}
				gh.Lines = append(gh.Lines, s)
			}
			g.Hunks = append(g.Hunks, gh)
		}
		out = append(out, g)
	}
	return out
}

// TestGolden parses every testdata/*.diff (made by real git runs, see
// testdata/gen.sh) and compares with testdata/*.json. Run with -update to
// rewrite the JSON, then review the change.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.diff")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".diff")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			d, err := Parse(data)
			require.NoError(t, err)
			checkInvariants(t, d)
			assertStreamSame(t, data, d)

			got, err := json.MarshalIndent(golden(d), "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			want := strings.TrimSuffix(in, ".diff") + ".json"
			if *update {
				require.NoError(t, os.WriteFile(want, got, 0o644))
				return
			}
			exp, err := os.ReadFile(want)
			require.NoError(t, err, "run go test ./diffparse -run TestGolden -update")
			assert.Equal(t, string(exp), string(got))
		})
	}
}

// assertStreamSame checks that ParseReader and Stream yield exactly the
// files Parse returns.
func assertStreamSame(t *testing.T, data []byte, d *Diff) {
	t.Helper()
	var streamed []*File
	require.NoError(t, ParseReader(bytes.NewReader(data), func(f *File) error {
		streamed = append(streamed, f)
		return nil
	}))
	require.Equal(t, d.Files, streamed)
	var iterated []*File
	for f, err := range Stream(bytes.NewReader(data)) {
		require.NoError(t, err)
		iterated = append(iterated, f)
	}
	require.Equal(t, d.Files, iterated)
}
