package diffparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	godiff "github.com/sourcegraph/go-diff/diff"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoPhantomFiles: in tricky.diff a removed "-- a/fake.txt" and an added
// "++ b/fake.txt" end a -U0 hunk right before the next one. Bare go-diff
// reads "--- a/fake.txt", "+++ b/fake.txt", "@@" as a new file; the framer
// counts hunk lines and keeps them in the hunk.
func TestNoPhantomFiles(t *testing.T) {
	data, err := os.ReadFile("testdata/tricky.diff")
	require.NoError(t, err)

	fds, err := godiff.ParseMultiFileDiff(data)
	require.NoError(t, err)
	require.Len(t, fds, 2, "go-diff v0.10.0 splits off a phantom file; if this fails go-diff was fixed")
	assert.Equal(t, "a/fake.txt", fds[1].OrigName)

	d, err := Parse(data)
	require.NoError(t, err)
	require.Len(t, d.Files, 1)
	assert.Nil(t, d.File("fake.txt"))
	f := d.File("tricky.txt")
	require.Len(t, f.Hunks, 3)
	assert.Equal(t, []Line{
		{Kind: Removed, Old: 2, Text: "-- a/fake.txt"},
		{Kind: Added, New: 2, Text: "++ b/fake.txt"},
	}, f.Hunks[0].Lines)
}

func TestGoDiffPanicBecomesParseError(t *testing.T) {
	saved := readHunks
	t.Cleanup(func() { readHunks = saved })
	readHunks = func(io.Reader) ([]*godiff.Hunk, error) { panic("index out of range [3] with length 3") }

	_, err := Parse([]byte(modified))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "app/server.go", pe.File)
	assert.Equal(t, 1, pe.Hunk)
	assert.Equal(t, 5, pe.Line, "the hunk header's line")
	assert.ErrorIs(t, err, ErrParserPanic)
	assert.Contains(t, err.Error(), "diff of app/server.go, hunk 1")

	err = ParseReader(strings.NewReader(modified), func(*File) error { return nil })
	assert.ErrorIs(t, err, ErrParserPanic)
}

// TestMalformed: broken diffs give a *ParseError wrapping ErrMalformed that
// names the file and hunk; none is accepted silently or crashes.
func TestMalformed(t *testing.T) {
	const head = "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n"
	tests := []struct {
		name, diff string
		hunk       int
		msg        string
	}{
		{"truncated hunk at end", head + "@@ -1,3 +1,3 @@\n a\n-b\n", 1, "ends inside the hunk"},
		{"truncated hunk before next file", head + "@@ -1,3 +1,3 @@\n a\n-b\n+c\ndiff --git a/g b/g\n", 1, "ends early"},
		{"hunk longer than header", head + "@@ -1 +1 @@\n-a\n+b\n+c\n", 1, "more lines than its header"},
		{"one side overflows", head + "@@ -1,2 +1,1 @@\n-a\n-b\n-c\n", 1, "one more removed line"},
		{"bad hunk header", head + "@@ -1,x +1 @@\n a\n", 1, "bad hunk header"},
		{"signed hunk header", head + "@@ --1,1 +1 @@\n a\n", 1, "bad hunk header"},
		{"huge numbers", head + "@@ -99999999999,1 +1 @@\n a\n", 1, "bad hunk header"},
		{"zero start", head + "@@ -0,1 +1 @@\n a\n", 1, "starts at line 0"},
		{"hunks out of order", head + "@@ -5 +5 @@\n-a\n+b\n@@ -1 +1 @@\n-a\n+b\n", 2, "precedes"},
		{"hunks overlap", head + "@@ -1,2 +1,2 @@\n a\n b\n@@ -2 +2 @@\n-b\n+c\n", 2, "overlaps"},
		{"marker first", head + "@@ -1 +1 @@\n\\ No newline at end of file\n-a\n+b\n", 1, "before any line"},
		{"line after new-side marker", head + "@@ -1,2 +1,2 @@\n-a\n+b\n\\ No newline at end of file\n c\n", 1, "after"},
		{"hunk after end of file", head + "@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n@@ -5 +5 @@\n-x\n+y\n", 2, "precedes"},
		{"--- without +++", "diff --git a/f.txt b/f.txt\n--- a/f.txt\n@@ -1 +1 @@\n-a\n+b\n", 0, "+++"},
		{"hunk without file", "@@ -1 +1 @@\n-a\n+b\n", 0, "without a file header"},
		{"no path", "diff --git x\nold mode 100644\nnew mode 100755\n", 0, "cannot tell the file's path"},
		{"combined without path", "diff --cc \nindex 1,2..3\n", 0, "names no file"}, // found by FuzzParse
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.diff))
			require.Error(t, err)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, ErrMalformed)
			assert.Equal(t, tt.hunk, pe.Hunk)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Positive(t, pe.Line)
			serr := ParseReader(strings.NewReader(tt.diff), func(*File) error { return nil })
			assert.Equal(t, err.Error(), serr.Error())
		})
	}
}

// TestLenient: forms that are not git's exact output but are unambiguous.
func TestLenient(t *testing.T) {
	t.Run("CRLF transport", func(t *testing.T) {
		crlf := strings.ReplaceAll(modified, "\n", "\r\n")
		d, err := Parse([]byte(crlf))
		require.NoError(t, err)
		f := d.File("app/server.go")
		require.NotNil(t, f, "paths carry no \\r")
		assert.Equal(t, "package app", f.Hunks[0].Section)
		l := f.Hunks[0].Lines[1]
		assert.Equal(t, Line{Kind: Removed, CRLF: true, Old: 2, Text: `import "net/http"`}, l)
	})
	t.Run("whitespace-stripped empty context and trailing blank lines", func(t *testing.T) {
		stripped := strings.Replace(modified, "\n \n", "\n\n", 1) + "\n\n"
		d, err := Parse([]byte(stripped))
		require.NoError(t, err)
		h := d.Files[0].Hunks[0]
		require.Len(t, h.Lines, 7, "blank lines after the hunk are not context lines")
		assert.Equal(t, Line{Kind: Context, Old: 3, New: 5}, h.Lines[5])
	})
	t.Run("plain diff -u with timestamps", func(t *testing.T) {
		plain := "Only in a: extra\n--- a/dir/f.txt\t2024-01-01 00:00:00.000000000 +0000\n+++ b/dir/f.txt\t2024-01-02 00:00:00.000000000 +0000\n@@ -1 +1 @@\n-x\n+y\n" +
			"--- old name.txt\t2024-01-01\n+++ new name.txt\t2024-01-01\n@@ -1 +1,2 @@\n z\n+w\n"
		d, err := Parse([]byte(plain))
		require.NoError(t, err)
		require.Len(t, d.Files, 2)
		assert.Equal(t, "dir/f.txt", d.Files[0].Path())
		assert.Equal(t, StatusModified, d.Files[0].Status)
		assert.Equal(t, "old name.txt", d.Files[1].OldPath)
		assert.Equal(t, "new name.txt", d.Files[1].NewPath)
		assert.True(t, d.Commentable("new name.txt", New, 2))
	})
	t.Run("preamble and format-patch trailer", func(t *testing.T) {
		data, err := os.ReadFile("testdata/formatpatch.diff")
		require.NoError(t, err)
		d, err := Parse(append(data, data...)) // two mails in a row
		require.NoError(t, err)
		require.Len(t, d.Files, 2)
		for _, f := range d.Files {
			a, r := f.Stats()
			assert.Equal(t, [2]int{2, 1}, [2]int{a, r}, "the signature is not a removed line")
		}
	})
	t.Run("empty input", func(t *testing.T) {
		d, err := Parse(nil)
		require.NoError(t, err)
		assert.Empty(t, d.Files)
		assert.Empty(t, d.Paths())
	})
}

// TestModeAndBinaryWithoutNames: go-diff leaves both names empty for a mode
// change plus binary (and drops such a file at the end of the input); the
// names come from the "diff --git" line.
func TestModeAndBinaryWithoutNames(t *testing.T) {
	for _, quoted := range []bool{false, true} {
		line := "diff --git a/img dir/logo.png b/img dir/logo.png\n"
		want := "img dir/logo.png"
		if quoted {
			line = "diff --git \"a/\\303\\274 logo.png\" \"b/\\303\\274 logo.png\"\n"
			want = "ü logo.png"
		}
		diff := line + "old mode 100644\nnew mode 100755\nindex 1a..2b\nBinary files a/x and b/x differ\n"
		fds, err := godiff.ParseMultiFileDiff([]byte(diff))
		require.NoError(t, err)
		assert.Empty(t, fds, "go-diff drops the file when it is last")

		d, err := Parse([]byte(diff))
		require.NoError(t, err)
		require.Len(t, d.Files, 1)
		f := d.Files[0]
		assert.Equal(t, want, f.OldPath)
		assert.Equal(t, want, f.NewPath)
		assert.True(t, f.Binary)
		assert.True(t, f.ModeChanged())
		assert.Equal(t, StatusModified, f.Status)
		assert.Equal(t, ClassBinary, Classify(f))
	}
}

func TestGitLinePaths(t *testing.T) {
	tests := []struct{ args, old, new string }{
		{"a/x.go b/x.go", "x.go", "x.go"},
		{"a/with space b/with space", "with space", "with space"},
		{"a/a/x b/y.txt b/a/x b/y.txt", "a/x b/y.txt", "a/x b/y.txt"},
		{`"a/q\"uote" "b/q\"uote"`, `q"uote`, `q"uote`},
		{`a/plain "b/t\tab"`, "plain", "t\tab"},
		{`"a/\303\274" b/u`, "ü", "u"},
		{"x y", "x", "y"},
		{"a/one b/two b/three", "", ""},
	}
	for _, tt := range tests {
		o, n := gitLinePaths(tt.args)
		assert.Equal(t, [2]string{tt.old, tt.new}, [2]string{o, n}, tt.args)
	}
	v, rest, ok := cutQuoted(`"\a\b\t\n\v\f\r\"\\\101\377" tail`)
	require.True(t, ok)
	assert.Equal(t, "\a\b\t\n\v\f\r\"\\A\xff", v)
	assert.Equal(t, " tail", rest)
	for _, bad := range []string{`"abc`, `"\q"`, `"\40"`, `"\`} {
		_, _, ok := cutQuoted(bad)
		assert.False(t, ok, bad)
	}
}

func TestParseReader(t *testing.T) {
	t.Run("callback error stops and is returned unchanged", func(t *testing.T) {
		data, err := os.ReadFile("testdata/paths.diff")
		require.NoError(t, err)
		stop := errors.New("enough")
		n := 0
		err = ParseReader(bytes.NewReader(data), func(*File) error {
			n++
			return stop
		})
		assert.Same(t, stop, err)
		assert.Equal(t, 1, n)
	})
	t.Run("lines longer than the read buffer", func(t *testing.T) {
		long := strings.Repeat("x", 200<<10)
		diff := "diff --git a/min.js b/min.js\n--- a/min.js\n+++ b/min.js\n@@ -1 +1 @@\n-" + long + "\n+" + long + "y\n"
		var got *File
		require.NoError(t, ParseReader(iotestHalfReader{strings.NewReader(diff)}, func(f *File) error {
			got = f
			return nil
		}))
		require.NotNil(t, got)
		assert.Equal(t, long+"y", got.Hunks[0].Lines[1].Text)
		assert.Equal(t, ClassMinified, Classify(got))
	})
	t.Run("read error is wrapped", func(t *testing.T) {
		boom := errors.New("connection reset")
		err := ParseReader(io.MultiReader(strings.NewReader(modified[:40]), errReader{boom}), func(*File) error { return nil })
		assert.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), "read diff")
	})
	t.Run("MaxFileBytes truncates a file, not the diff", func(t *testing.T) {
		data, err := os.ReadFile("testdata/huge.diff")
		require.NoError(t, err)
		var files []*File
		require.NoError(t, ParseReaderOptions(bytes.NewReader(data), ReadOptions{MaxFileBytes: 4096}, func(f *File) error {
			files = append(files, f)
			return nil
		}))
		require.Len(t, files, 2)
		for _, f := range files {
			assert.True(t, f.Truncated)
			assert.Empty(t, f.Hunks)
			assert.Equal(t, ClassHuge, Classify(f))
		}
	})
	t.Run("Stream stops early and reports errors", func(t *testing.T) {
		data, err := os.ReadFile("testdata/paths.diff")
		require.NoError(t, err)
		n := 0
		for f, err := range Stream(bytes.NewReader(data)) {
			require.NoError(t, err)
			require.NotNil(t, f)
			if n++; n == 2 {
				break
			}
		}
		assert.Equal(t, 2, n)
		var last error
		for _, err := range Stream(strings.NewReader("@@ -1 +1 @@\n")) {
			last = err
		}
		assert.ErrorIs(t, last, ErrMalformed)
	})
}

// iotestHalfReader returns at most half of what is asked, to exercise
// partial reads.
type iotestHalfReader struct{ r io.Reader }

func (h iotestHalfReader) Read(p []byte) (int, error) { return h.r.Read(p[:(len(p)+1)/2]) }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
