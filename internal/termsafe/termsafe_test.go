package termsafe_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitreview/bitreview/internal/termsafe"
)

func TestLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "app/server.go", "app/server.go"},
		{"OSC title", "a\x1b]0;pwned\x07b.go", "a]0;pwnedb.go"},
		{"clear screen", "\x1b[2Jx.go", "[2Jx.go"},
		{"newline and CR", "evil\nfile\r.go", "evil file .go"},
		{"tab", "a\tb", "a b"},
		{"C1 CSI as a rune", "a\u009b31mb", "a31mb"},
		{"raw C1 byte", "a\x9b31mb", "a\ufffd31mb"},
		{"DEL and NUL", "a\x7fb\x00c", "abc"},
		{"bidi override", "safe\u202etxt.exe", "safetxt.exe"},
		{"bidi isolate", "\u2066x\u2069", "x"},
		{"line separator", "a\u2028b", "a b"},
		{"unicode kept", "héllo wörld → 日本 🔴", "héllo wörld → 日本 🔴"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, termsafe.Line(tt.in))
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"keeps newlines and tabs", "a\n\tb\n", "a\n\tb\n"},
		{"CRLF", "a\r\nb", "a\nb"},
		{"lone CR rewrites the line", "ok\rFAIL", "okFAIL"},
		{"escapes", "x\x1b[2J\x1b]0;t\x07y\u009b", "x[2J]0;ty"},
		{"line separator", "a\u2029b", "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, termsafe.Text(tt.in))
		})
	}
}

// Safe reports what the tests of the printers check: no byte below 0x20
// but newline and tab, no DEL, no C1 control, no bidi control.
func TestSafe(t *testing.T) {
	assert.True(t, termsafe.Safe("a\n\tb 🔴"))
	for _, s := range []string{"\x1b", "\x07", "\r", "\x7f", "\u009b", "\x9b", "\u202e"} {
		assert.False(t, termsafe.Safe("a"+s+"b"), "%q", s)
		assert.True(t, termsafe.Safe(termsafe.Text("a"+s+"b")), "%q", s)
	}
}

func TestJSON(t *testing.T) {
	doc := []byte("{\n  \"path\": \"a\\u001b\u009b\u202e\x7fb 🔴\"\n}\n")
	got := termsafe.JSON(doc)
	assert.Equal(t, "{\n  \"path\": \"a\\u001b\\u009b\\u202e\\u007fb 🔴\"\n}\n", string(got))
	assert.True(t, termsafe.Safe(string(got)))
	var a, b map[string]string
	assert.NoError(t, json.Unmarshal(doc, &a))
	assert.NoError(t, json.Unmarshal(got, &b))
	assert.Equal(t, a, b, "same document")
}

// EncodeJSON indents, keeps HTML characters and the exact value, and
// escapes what a terminal would act on.
func TestEncodeJSON(t *testing.T) {
	var b strings.Builder
	v := map[string]string{"path": "a<b>&\x1b]0;x\x07\u009b\u202e.go"}
	assert.NoError(t, termsafe.EncodeJSON(&b, v))
	assert.Equal(t, "{\n  \"path\": \"a<b>&\\u001b]0;x\\u0007\\u009b\\u202e.go\"\n}\n", b.String())
	assert.True(t, termsafe.Safe(b.String()))
	var back map[string]string
	assert.NoError(t, json.Unmarshal([]byte(b.String()), &back))
	assert.Equal(t, v, back)
	assert.Error(t, termsafe.EncodeJSON(&b, func() {}), "a value JSON cannot hold")
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := termsafe.Writer(&b)
	n, err := fmt.Fprintf(w, "name: %s\n", "a\x1b[2Jb\r\n")
	assert.NoError(t, err)
	assert.Equal(t, len("name: a\x1b[2Jb\r\n\n"), n, "the caller's byte count")
	assert.Equal(t, "name: a[2Jb\n\n", b.String())
}
