package redact_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zricethezav/gitleaks/v8/logging"

	"github.com/bitreview/bitreview/review"
)

// recordingModel answers every request with an empty review and keeps the
// prompts.
type recordingModel struct {
	mu   sync.Mutex
	reqs []review.Request
}

func (m *recordingModel) Generate(_ context.Context, req review.Request) (*review.Response, error) {
	m.mu.Lock()
	m.reqs = append(m.reqs, req)
	m.mu.Unlock()
	if req.SchemaName == review.WalkthroughSchemaName {
		return &review.Response{Text: `{"summary":"s","files":[]}`, Model: "stub"}, nil
	}
	return &review.Response{Text: `{"summary":"s","findings":[]}`, Model: "stub"}, nil
}

// Requirement 14: the diff adds an AWS key id, a GitHub token and a PEM
// private key, one line carrying "gitleaks:allow". All three are redacted
// in every outbound prompt, each is a critical finding on its line that
// does not repeat the value, and nothing is verified online.
func TestPreLLMRedactionIgnoresGitleaksAllow(t *testing.T) {
	c := newCanaries(10)
	d := (&diffBuilder{}).
		added("app/cloud.go",
			"package app",
			"",
			"// Credentials for the nightly export.",
			"const awsKeyID = \""+c.AWS+"\" // gitleaks:allow",
			"const ghToken = \""+c.GitHub+"\"",
			"func export() {}",
		).
		added("deploy/signing.txt", c.PEM...).
		parse(t)
	m := &recordingModel{}
	eng := review.New(m, review.Options{Secrets: newScanner(t), NoWalkthrough: false})
	pr := review.PullRequest{Title: "Nightly export", Description: "Adds the export job."}
	res, err := eng.Review(t.Context(), pr, d)
	require.NoError(t, err)

	require.NotEmpty(t, m.reqs, "the model was called")
	for _, req := range m.reqs {
		for _, v := range c.values() {
			for _, form := range []string{v, b64(v), url.QueryEscape(v)} {
				assert.NotContains(t, req.System, form)
				assert.NotContains(t, req.Prompt, form)
			}
		}
	}
	joined := ""
	for _, req := range m.reqs {
		joined += req.Prompt
	}
	assert.Contains(t, joined, "[REDACTED aws-access-token]")
	assert.Contains(t, joined, "[REDACTED github-pat]")
	assert.Contains(t, joined, "[REDACTED private-key]")
	assert.Contains(t, joined, "gitleaks:allow", "the rest of the line still reaches the model")

	lines := map[string]int{}
	for _, f := range res.Findings {
		if f.Category == "security" && f.Severity == review.Critical {
			lines[f.Path+":"+strings.TrimPrefix(f.Title, "Possible secret committed ")] = f.Line
		}
		rendered := review.RenderComment(f)
		for _, v := range c.values() {
			assert.NotContains(t, rendered, v)
			assert.NotContains(t, f.Body+f.Title, v)
		}
	}
	assert.Equal(t, map[string]int{
		"app/cloud.go:(aws-access-token)":  4,
		"app/cloud.go:(github-pat)":        5,
		"deploy/signing.txt:(private-key)": 1,
	}, lines)
	assert.Equal(t, zerolog.Disabled, logging.Logger.GetLevel(), "gitleaks' global logger is silenced")
}

// Built-in checks need no model: with no LLM the secrets are still
// findings (local review without a model).
func TestSecretsFoundWithoutAModel(t *testing.T) {
	c := newCanaries(11)
	d := (&diffBuilder{}).added("app/a.go", "package app", "var k = \""+c.GitHub+"\"").parse(t)
	res, err := review.New(nil, review.Options{Secrets: newScanner(t)}).Review(t.Context(), review.PullRequest{}, d)
	require.NoError(t, err)
	require.Len(t, res.Findings, 1)
	assert.Equal(t, 2, res.Findings[0].Line)
	assert.Equal(t, review.Critical, res.Findings[0].Severity)
}

// mapFiles is a FileSource over an in-memory tree.
type mapFiles map[string]string

func (m mapFiles) ReadFile(_ context.Context, p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, os.ErrNotExist
}

// Requirement 32: a URL with a password reaches the model from nowhere:
// not from an added line (where it is also a finding), the description, a
// context line outside the diff, a guideline, a path instruction, or the
// title; and a clean prompt is sent unchanged.
func TestEveryPromptInputIsRedacted(t *testing.T) {
	dsn := func(where string) string { return "postgres://admin:PASSWORD-" + where + "@db.internal/app" }
	src := "package db\n\n// Staging: " + dsn("context") + "\nvar staging = 1\n\nfunc Open() {}\n"
	d := (&diffBuilder{}).modified("app/db.go", 4,
		" var staging = 1",
		"+var prod = \""+dsn("diff")+"\"",
		" ",
	).parse(t)
	src = strings.Replace(src, "var staging = 1\n", "var staging = 1\nvar prod = \""+dsn("diff")+"\"\n", 1)
	m := &recordingModel{}
	eng := review.New(m, review.Options{
		Secrets:      newScanner(t),
		Files:        mapFiles{"app/db.go": src},
		Guidelines:   []review.Guideline{{Name: "CONTRIBUTING.md", Text: "Test against " + dsn("guideline") + "."}},
		Instructions: []review.PathInstruction{{Glob: "app/**", Text: "Use " + dsn("instruction")}},
	})
	pr := review.PullRequest{Title: "DB " + dsn("title"), Description: "Deploy with " + dsn("description")}
	res, err := eng.Review(t.Context(), pr, d)
	require.NoError(t, err)

	require.Len(t, m.reqs, 1, "one call: the review, which writes the walkthrough too")
	joined := ""
	for _, req := range m.reqs {
		joined += req.System + "\n" + req.Prompt + "\n"
	}
	assert.Contains(t, joined, "Staging: postgres://[REDACTED url-credentials]@db.internal/app", "the context line was sent, redacted")
	assert.Contains(t, joined, "Test against postgres://[REDACTED url-credentials]@db.internal/app", "the guideline was sent, redacted")
	for _, form := range []string{"PASSWORD", b64("admin:PASSWORD"), url.QueryEscape("admin:PASSWORD")} {
		assert.NotContains(t, joined, form)
	}
	var titles []string
	for _, f := range res.Findings {
		titles = append(titles, fmt.Sprintf("%s:%d %s %s", f.Path, f.Line, f.Severity, f.Title))
	}
	assert.Contains(t, titles, "app/db.go:5 critical Possible secret committed (url-credentials)")
}

// The wrapper changes nothing in a prompt without secrets: our own prompt
// text trips no rule.
func TestCleanPromptsAreSentUnchanged(t *testing.T) {
	d := (&diffBuilder{}).added("app/a.go", "package app", "", "func Add(a, b int) int { return a + b }").parse(t)
	plain, scanned := &recordingModel{}, &recordingModel{}
	opts := review.Options{Guidelines: []review.Guideline{{Name: "CONTRIBUTING.md", Text: "Prefer table tests."}}}
	pr := review.PullRequest{Title: "Add", Description: "Adds Add."}
	_, err := review.New(plain, opts).Review(t.Context(), pr, d)
	require.NoError(t, err)
	opts.Secrets = newScanner(t)
	_, err = review.New(scanned, opts).Review(t.Context(), pr, d)
	require.NoError(t, err)
	assert.Equal(t, plain.reqs, scanned.reqs)
}
