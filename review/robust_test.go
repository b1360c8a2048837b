package review

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
)

// A panic inside one batch (a provider library, or a bug of ours) fails
// that batch only; the panic value, which may hold prompt text, is dropped.
func TestPanickingBatchFailsOnlyThatBatch(t *testing.T) {
	m := &fakeModel{fn: func(_ int, req Request) (*Response, error) {
		if req.SchemaName == WalkthroughSchemaName {
			return reply("")(0, req)
		}
		if strings.Contains(req.Prompt, "app/math.go") {
			panic("provider bug, prompt was: " + req.Prompt)
		}
		return reply(`{"summary":"ok","findings":[]}`)(0, req)
	}}
	// One file per batch, so the math.go batch panics alone.
	res, err := New(m, Options{BatchTokens: 300, Concurrency: 2}).Review(t.Context(), testPR, sampleDiff(t))
	require.Len(t, m.reviews(), 2, "the test needs one file per batch; adjust BatchTokens to the sample's size")
	require.NoError(t, err, "the other batch succeeded")
	joined := strings.Join(res.Errors, "\n")
	assert.Contains(t, joined, "internal error while reviewing this batch")
	assert.NotContains(t, joined, "provider bug")
}

func TestEveryBatchPanickingIsNothingReviewed(t *testing.T) {
	m := &fakeModel{fn: func(_ int, req Request) (*Response, error) {
		if req.SchemaName == WalkthroughSchemaName {
			return reply("")(0, req)
		}
		panic("boom")
	}}
	_, err := New(m, Options{}).Review(t.Context(), testPR, sampleDiff(t))
	require.ErrorIs(t, err, ErrNothingReviewed)
}

// textScanner finds the fixed value in free text and in the diff.
type textScanner struct{ value string }

func (s textScanner) Scan(*diffparse.Diff) []Secret { return nil }

func (s textScanner) ScanText(name, text string) []Secret {
	if strings.Contains(text, s.value) {
		return []Secret{{Path: name, Rule: "github-pat", Value: s.value}}
	}
	return nil
}

// Credentials in the title or description never reach the model, and the
// summary says so without the value.
func TestTitleAndDescriptionSecretsAreRedacted(t *testing.T) {
	const tok = "ghp_TITLEDESCSECRET0123456789abcdefABCD"
	m := &fakeModel{fn: reply(`{"summary":"ok","findings":[]}`)}
	pr := PullRequest{ID: 7, Title: "Rotate " + tok, Description: "old token was " + tok}
	res, err := New(m, Options{Secrets: textScanner{tok}}).Review(t.Context(), pr, sampleDiff(t))
	require.NoError(t, err)
	m.mu.Lock()
	defer m.mu.Unlock()
	require.NotEmpty(t, m.reqs)
	for _, r := range m.reqs {
		assert.NotContains(t, r.System+r.Prompt, tok)
		assert.Contains(t, r.Prompt, "[REDACTED github-pat]")
	}
	notes := strings.Join(res.Notes, "\n")
	assert.Contains(t, notes, "title contains what looks like a credential (github-pat)")
	assert.Contains(t, notes, "description contains what looks like a credential")
	assert.NotContains(t, notes, tok)
}

// secretAt reports one private key on the line where it starts.
type secretAt struct{ path string }

func (s secretAt) Scan(d *diffparse.Diff) []Secret {
	for _, f := range d.Files {
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				if strings.Contains(l.Text, "BEGIN RSA PRIVATE KEY") {
					return []Secret{{Path: f.Path(), Line: l.New, Rule: "private-key", Value: "MIIEpAIBAAKCAQEA"}}
				}
			}
		}
	}
	return nil
}

func TestPrivateKeyGetsOneFinding(t *testing.T) {
	raw := "diff --git a/k.pem b/k.pem\nnew file mode 100644\n--- /dev/null\n+++ b/k.pem\n@@ -0,0 +1,3 @@\n+-----BEGIN RSA PRIVATE KEY-----\n+MIIEpAIBAAKCAQEA\n+-----END RSA PRIVATE KEY-----\n"
	d, err := diffparse.Parse([]byte(raw))
	require.NoError(t, err)
	res, err := New(nil, Options{Secrets: secretAt{}}).Review(t.Context(), PullRequest{}, d)
	require.NoError(t, err)
	AddBuiltinChecks(res, d)
	require.Len(t, res.Findings, 1, "scanner and built-in check agree on one finding")
	assert.Equal(t, 1, res.Findings[0].Line)

	// Without a scanner (local review with no model) the check still finds it.
	res = &Result{}
	AddBuiltinChecks(res, d)
	require.Len(t, res.Findings, 1)
	assert.Contains(t, res.Findings[0].Title, "Private key")
}
