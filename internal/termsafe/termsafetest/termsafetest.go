// Package termsafetest checks, in tests, that output is safe to print on
// a terminal (see package termsafe).
package termsafetest

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// AssertSafe fails on any byte a terminal would act on in out: below
// 0x20 but newline and tab, DEL, invalid UTF-8 (a raw 0x9b), C1 controls
// and direction overrides. where names the output in the failure.
func AssertSafe(t testing.TB, where, out string) {
	t.Helper()
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			t.Errorf("%s: control byte %#x at %d: %q", where, c, i, out[max(i-20, 0):min(i+20, len(out))])
		}
	}
	assert.True(t, utf8.ValidString(out), "%s: invalid UTF-8 (a raw C1 byte)", where)
	for _, r := range []string{"\u009b", "\u0085", "\u202e", "\u2066"} {
		assert.NotContains(t, out, r, where)
	}
}
