package workflow

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
)

// Requirement 31: a step log line carrying text from elsewhere (an error
// body, a config warning) cannot drive the terminal, and keeps its line
// breaks.
func TestStepLogStripsControlCharacters(t *testing.T) {
	var out bytes.Buffer
	l := NewLog(&out, true, func() (review.TextScanner, error) { return redact.New() })
	l.Warn("config: %s", "bad key \x1b]0;pwned\x07\x1b[2J in\r\u202efile")
	l.Fail("publish: %s\n  fix: %s", "refused\x9b", "grant\tscope")
	l.Debugf("base URL %s", "https://bot:hunter22-secret@llm.internal/v1")
	assert.Equal(t, "! config: bad key ]0;pwned[2J infile\n"+
		"✖ publish: refused\ufffd\n  fix: grant\tscope\n"+
		"  [debug] base URL https://[REDACTED url-credentials]@llm.internal/v1\n", out.String())
	assert.True(t, termsafe.Safe(out.String()))
	assert.Equal(t, "Rotate redis://[REDACTED url-credentials]@db and[2J more", l.Field("Rotate\nredis://:hunter22-secret@db and\x1b[2J more", 80))
	assert.Equal(t, "Rotate redis://[REDACTED…", l.Field("Rotate redis://:hunter22-secret@db", 24), "redacted before the cut")
}
