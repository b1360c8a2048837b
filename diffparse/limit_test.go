package diffparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeFiles is a diff of a.go, b.go and c.go, and the offset where each
// file's "diff --git" line starts.
func threeFiles(t *testing.T) (string, []int) {
	t.Helper()
	var b strings.Builder
	var starts []int
	for _, name := range []string{"a.go", "b.go", "c.go"} {
		starts = append(starts, b.Len())
		fmt.Fprintf(&b, "diff --git a/%s b/%s\nindex 1111111..2222222 100644\n--- a/%s\n+++ b/%s\n", name, name, name, name)
		b.WriteString("@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n@@ -10,2 +10,2 @@\n ten\n-eleven\n+ELEVEN\n")
	}
	return b.String(), starts
}

func TestReadAllMaxBytes(t *testing.T) {
	raw, starts := threeFiles(t)
	whole, err := Parse([]byte(raw))
	require.NoError(t, err)
	secondHunkOfB := starts[1] + strings.Index(raw[starts[1]:], "@@ -10")
	tests := []struct {
		name      string
		max       int64
		want      []string
		truncated bool
	}{
		{"no limit", 0, []string{"a.go", "b.go", "c.go"}, false},
		{"limit is the size", int64(len(raw)), []string{"a.go", "b.go", "c.go"}, false},
		{"one byte short", int64(len(raw) - 1), []string{"a.go", "b.go"}, true},
		// b.go's first hunk is complete, but b.go may go on: it is dropped.
		{"between two hunks of a file", int64(secondHunkOfB), []string{"a.go"}, true},
		// Whether b.go is complete is only known from the next line.
		{"at a file boundary", int64(starts[2]), []string{"a.go"}, true},
		{"inside the first header", 10, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, read, err := ReadAll(strings.NewReader(raw), ReadOptions{MaxBytes: tt.max})
			require.NoError(t, err)
			assert.Equal(t, tt.truncated, read.Cut)
			if tt.truncated {
				assert.Equal(t, tt.max, read.Bytes)
			} else {
				assert.Equal(t, int64(len(raw)), read.Bytes)
			}
			if len(tt.want) > 0 {
				assert.Equal(t, tt.want[len(tt.want)-1], read.LastRead)
			}
			var got []string
			for i, f := range d.Files {
				got = append(got, f.Path())
				assert.Equal(t, whole.Files[i], f, "a file read before the cut is the whole file")
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReadAllKeepsParseErrors(t *testing.T) {
	raw, _ := threeFiles(t)
	bad := strings.Replace(raw, "@@ -1,2 +1,2 @@", "@@ -1,5 +1,5 @@", 1)
	_, _, err := ReadAll(strings.NewReader(bad), ReadOptions{MaxBytes: int64(len(bad) - 1)})
	require.ErrorIs(t, err, ErrMalformed)
}

// TestParseFromStopsTheWriter: once the limit is reached the writer's next
// Write fails, so a 64 MB body is neither downloaded nor held.
func TestParseFromStopsTheWriter(t *testing.T) {
	raw, _ := threeFiles(t)
	var written int64
	chunk := []byte(raw)
	d, read, err := ParseFrom(func(w io.Writer) error {
		for written < 64<<20 {
			n, err := w.Write(chunk)
			written += int64(n)
			if err != nil {
				return fmt.Errorf("copy body: %w", err)
			}
		}
		return nil
	}, ReadOptions{MaxBytes: 1 << 20})
	require.NoError(t, err)
	assert.True(t, read.Cut)
	assert.Equal(t, int64(1<<20), read.Bytes)
	assert.NotEmpty(t, d.Files)
	assert.Less(t, written, int64(2<<20), "the writer was stopped soon after the limit")
}

func TestParseFromErrors(t *testing.T) {
	raw, _ := threeFiles(t)
	boom := errors.New("555 diff too large")
	_, _, err := ParseFrom(func(w io.Writer) error {
		_, _ = w.Write([]byte(raw[:20]))
		return boom
	}, ReadOptions{MaxBytes: 1 << 20})
	require.ErrorIs(t, err, boom, "the writer's own error wins over the parse error it causes")

	d, read, err := ParseFrom(func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader([]byte(raw)))
		return err
	}, ReadOptions{})
	require.NoError(t, err)
	assert.False(t, read.Cut)
	assert.Len(t, d.Files, 3)
}

func TestNotReadFiles(t *testing.T) {
	d := NewDiff([]*File{
		{NewPath: "src/later.go", OldPath: "src/later.go", Status: StatusModified, NotRead: true},
		{NewPath: "go.sum", OldPath: "go.sum", Status: StatusModified, NotRead: true},
	})
	require.NotNil(t, d.File("src/later.go"))
	assert.Equal(t, ClassNotRead, Classify(d.File("src/later.go")))
	assert.Equal(t, ClassLockfile, Classify(d.File("go.sum")), "a name that classifies the file still does")
}
