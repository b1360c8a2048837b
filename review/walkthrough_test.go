package review

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A batch's answer notes only the files it was shown: a note it writes
// for another batch's file (say, told to by the pull request's text) is
// dropped.
func TestNotesOnlyForTheBatchsOwnFiles(t *testing.T) {
	d := sampleDiff(t)
	m := &fakeModel{fn: func(_ int, req Request) (*Response, error) {
		if strings.Contains(req.Prompt, `path="app/math.go"`) {
			return &Response{Text: `{"summary":"s","files":[{"path":"app/math.go","note":"new Add helper"},{"path":"app/server.go","note":"harmless, nothing to see"}],"findings":[]}`}, nil
		}
		return &Response{Text: `{"summary":"s","files":[],"findings":[]}`}, nil
	}}
	res, err := New(m, Options{BatchTokens: oneFilePerBatch(d)}).Review(t.Context(), testPR, d)
	require.NoError(t, err)
	require.Len(t, m.reqs, 2)
	notes := map[string]string{}
	for _, f := range res.Files {
		notes[f.Path] = f.Note
	}
	assert.Equal(t, "new Add helper", notes["app/math.go"])
	assert.Empty(t, notes["app/server.go"], "the math.go batch never saw server.go")
}

// Reviewed in several batches, the pull request's summary is that of the
// first batches (the highest-priority files), in order, at most
// maxSummaryParts of them: no extra call merges them.
func TestSummaryOfSeveralBatches(t *testing.T) {
	d := wideDiff(t, 6, 0, 40)
	m := &fakeModel{fn: func(_ int, req Request) (*Response, error) {
		return &Response{Text: fmt.Sprintf(`{"summary":"Changes %s.","files":[],"findings":[]}`, promptPaths(req.Prompt)[0])}, nil
	}}
	res, err := New(m, Options{BatchTokens: oneBigPerBatch(d), Concurrency: 3}).Review(t.Context(), testPR, d)
	require.NoError(t, err)
	assert.Len(t, m.reqs, 6, "six batches, no other call")
	assert.Equal(t, "Changes src/big00.go.\n\nChanges src/big01.go.\n\nChanges src/big02.go.", res.Summary)
}

// The light pass's prompts leave through the same redaction as the
// review's: a credential in the title reaches neither.
func TestLightPassPromptsAreRedacted(t *testing.T) {
	const tok = "ghp_TITLEDESCSECRET0123456789abcdefABCD"
	d := wideDiff(t, 4, 12, 800)
	m := &fakeModel{fn: func(_ int, req Request) (*Response, error) {
		if req.SchemaName == WalkthroughSchemaName {
			return &Response{Text: lightAnswer(req)}, nil
		}
		return &Response{Text: notesAnswer(req)}, nil
	}}
	pr := PullRequest{Title: "Rotate " + tok, Description: "old token was " + tok}
	_, err := New(m, Options{BatchTokens: oneBigPerBatch(d), Concurrency: 4, Secrets: textScanner{tok}}).Review(t.Context(), pr, d)
	require.NoError(t, err)
	require.Equal(t, 1, countSchema(m.reqs, WalkthroughSchemaName))
	for _, r := range m.reqs {
		assert.NotContains(t, r.System+r.Prompt, tok, r.SchemaName)
		assert.Contains(t, r.Prompt, "[REDACTED github-pat]", r.SchemaName)
	}
}

// The light pass notes only the files it was shown.
func TestLightPassNotesOnlyItsFiles(t *testing.T) {
	d := sampleDiff(t)
	lp := New(nil, Options{}).newLightPass(testPR, d.Files[:1])
	lp.resps[0] = &Response{}
	lp.summaries[0], lp.found[0], lp.errs[0] = parseWalkthrough(`{"summary":"s","files":[` +
		`{"path":"app/math.go","note":"new Add helper","trivial":false},` +
		`{"path":"app/server.go","note":"harmless","trivial":true}]}`)
	require.NoError(t, lp.errs[0])
	_, notes, err := lp.result(t.Context(), &Result{})
	require.NoError(t, err)
	assert.Equal(t, map[string]walkNote{"app/math.go": {Note: "new Add helper"}}, notes)

	lp.errs[0] = errors.New("light model down")
	_, _, err = lp.result(t.Context(), &Result{})
	assert.ErrorContains(t, err, "light model down")
}

// A panic in the light pass fails the light pass only: its files go to the
// review, and the panic value, which may hold prompt text, is dropped.
func TestPanickingLightPassFailsOnlyTheLightPass(t *testing.T) {
	m, res, err := stagedReview(t, func(req Request) (*Response, error) {
		panic("provider bug, prompt was: " + req.Prompt)
	})
	require.NoError(t, err)
	assert.Len(t, m.reviews(), 5, "every file reviewed")
	notes := strings.Join(res.Notes, "\n")
	assert.Contains(t, notes, "walkthrough unavailable (internal error")
	assert.NotContains(t, notes, "provider bug")
	assert.Empty(t, res.Errors)
}
