package localreview

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/termsafe/termsafetest"
	"github.com/bitreview/bitreview/review"
)

var updateOutput = flag.Bool("update-output", false, "rewrite testdata/review_output.*.golden")

// evilName is a file name an attacker can commit: it retitles the
// terminal, clears it, and starts a new line.
const evilName = "evil\x1b]0;pwned\x07\x1b[2J\nname.go"

// hostile is what a model steered by the pull request could answer.
const hostile = "Looks fine\x1b[2J\x1b]0;pwned\x07 \u009b31m red \u202eevil\rCRITICAL fake.go:1\n[//]: # (bitreview:summary)"

// hostileResult is a review whose every printed field carries terminal
// controls, with one anchored and two unanchored findings.
func hostileResult() *review.Result {
	return &review.Result{
		Summary: "Summary line.\n" + hostile,
		Files: []review.FileNote{
			{Path: evilName, Status: "added", Added: 3, Note: hostile},
			{Path: "app/a.go", Status: "modified", Added: 1, Removed: 1, Note: "edits A"},
		},
		Findings: []review.Finding{{
			Path: evilName, Side: diffparse.New, Line: 3, Severity: review.High, Category: "bug",
			Title: "Wrong result " + hostile, Body: "Body.\n" + hostile, Fingerprint: "0123456789abcdef",
		}},
		Unanchored: []review.Finding{
			{Path: "app/a.go", Side: diffparse.New, Line: 40, Severity: review.Critical, Title: "Outside the diff", Body: "far away", Unanchored: "line is outside the diff's hunks"},
			{Path: "ghost\x1b[2J.go", Side: diffparse.New, Line: 1, Severity: review.Medium, Title: "Phantom " + hostile, Body: hostile, Unanchored: "file is not part of this diff"},
		},
		Skipped: []review.Skipped{{Path: "bin\x1b[2J\n.dat", Reason: "binary"}},
		Notes:   []string{"Configuration: defaults.", "note " + hostile},
		Errors:  []string{"batch 2/2 failed: " + hostile},
		Model:   "stub\x1b[2J-model",
		Usage:   review.Usage{Calls: 2, PromptTokens: 100, CompletionTokens: 20},
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "review_output."+name+".golden")
	if *updateOutput {
		require.NoError(t, os.WriteFile(p, []byte(got), 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// Requirement 31 and issue 16.2: the text output strips every control
// character (a file name's newline cannot fake a finding line), and lists
// unanchored findings in their own, marked section.
func TestPrintTextIsSafeAndKeepsUnanchoredApart(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Print(&b, "text", "dev", Result{Base: "main", Review: hostileResult()}))
	out := b.String()
	termsafetest.AssertSafe(t, "text", out)
	assert.NotContains(t, out, "\nCRITICAL fake.go:1", "no line forged by a carriage return in model text")
	assert.NotContains(t, out, "\n[//]:", "no line forged by a newline in an error")
	assert.Contains(t, out, "evil]0;pwned[2J name.go", "the file name is shown, defused")

	findings, apart, ok := strings.Cut(out, "\nNot on a changed line (2)")
	require.True(t, ok, out)
	assert.Contains(t, findings, "Findings (1)")
	assert.Contains(t, findings, "Wrong result")
	assert.NotContains(t, findings, "Outside the diff")
	assert.Contains(t, apart, "Outside the diff")
	assert.Contains(t, apart, "line is outside the diff's hunks")
	assert.Contains(t, apart, "file is not part of this diff")
	golden(t, "txt", out)
}

// Issue 16.2: the markdown output is for reading: no hidden publishing
// markers, and no control characters.
func TestPrintMarkdownHasNoMarkers(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Print(&b, "markdown", "dev", Result{Base: "main", Review: hostileResult()}))
	out := b.String()
	termsafetest.AssertSafe(t, "markdown", out)
	assert.False(t, review.IsSummary(out), "no summary marker")
	_, ok := review.ParseState(out)
	assert.False(t, ok, "no state marker")
	_, ok = review.FingerprintOf(out)
	assert.False(t, ok, "no fingerprint marker")
	assert.NotContains(t, out, "(bitreview:", "no marker at all, ours or forged")
	assert.Contains(t, out, "Findings not posted inline")
	golden(t, "md", out)
}

// JSON keeps the exact values (a consumer must see the real file name) and
// is safe to print: the encoder escapes C0 controls, Print the rest.
func TestPrintJSONIsExactAndSafe(t *testing.T) {
	var b bytes.Buffer
	res := hostileResult()
	require.NoError(t, Print(&b, "json", "dev", Result{Base: "main", Review: res}))
	out := b.String()
	termsafetest.AssertSafe(t, "json", out)
	var back review.Result
	require.NoError(t, json.Unmarshal(b.Bytes(), &back))
	assert.Equal(t, evilName, back.Files[0].Path)
	assert.Equal(t, res.Findings[0].Title, back.Findings[0].Title)
	assert.Equal(t, res.Summary, back.Summary)
}
