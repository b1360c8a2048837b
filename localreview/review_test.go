package localreview

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/internal/gittest"
	"github.com/bitreview/bitreview/llm"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
	"github.com/bitreview/bitreview/settings"
)

// notes records what a review said before its result.
type notes struct{ warnings, infos []string }

func (n *notes) Warn(msg string) { n.warnings = append(n.warnings, msg) }
func (n *notes) Info(msg string) { n.infos = append(n.infos, msg) }

// feature is a checkout on branch feature, one commit ahead of main,
// which adds app/a.go.
func feature(t *testing.T) (string, func(args ...string) string) {
	t.Helper()
	dir, _ := gittest.Commit(t, map[string]string{"README.md": "x\n"}, nil)
	git := gittest.Git(t, dir)
	git("checkout", "-q", "-b", "feature")
	write(t, dir, "app/a.go", "package app\n\nfunc A() int { return 2 }\n")
	git("add", ".")
	git("commit", "-q", "-m", "feature")
	return dir, git
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

// options reviews dir with the real LLM client against stub (nil: no
// LLM configured, and no Ollama answering) and the real secret scanner.
func options(t *testing.T, dir string, stub *llmtest.Server, env ...string) (Options, *notes) {
	t.Helper()
	if stub != nil {
		env = append(env, "LLM_PROVIDER=openai-compatible", "LLM_BASE_URL="+stub.URL, "LLM_MODEL=stub-model")
	}
	cfg, cerr := settings.LoadValidated(env, "review")
	require.Nil(t, cerr)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	n := &notes{}
	return Options{
		Dir: dir, Settings: cfg, Log: n, OllamaURL: closed.URL,
		Model:   func(c settings.Settings) (review.Model, error) { return llm.New(c.LLM()) },
		Secrets: func() (review.SecretScanner, error) { return redact.New() },
	}, n
}

func findingStub(t *testing.T) *llmtest.Server {
	t.Helper()
	stub := llmtest.NewOpenAI(t)
	stub.SetDefault(func(c llmtest.Call) llmtest.Reply {
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"Adds A.","files":[{"path":"app/a.go","note":"adds A","trivial":false}]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"One bug.","findings":[{"path":"app/a.go","line":3,"code":"func A() int { return 2 }","severity":"high","title":"Wrong result","body":"A returns 2."}]}`}
	})
	return stub
}

func TestReviewOfABranch(t *testing.T) {
	t.Parallel()
	dir, _ := feature(t)
	o, n := options(t, dir, findingStub(t), "FAIL_ON=high")
	res, err := Review(t.Context(), o)
	require.NoError(t, err)
	require.NoError(t, res.Err)
	assert.Equal(t, "main", res.Base, "the merge base with a local main")
	require.NotNil(t, res.Review)
	require.Len(t, res.Review.Findings, 1)
	assert.Equal(t, "Wrong result", res.Review.Findings[0].Title)
	assert.Empty(t, n.warnings)
	assert.Equal(t, 1, ExitCode(res, nil), "a high finding fails FAIL_ON=high")
}

func TestReviewWithoutChanges(t *testing.T) {
	t.Parallel()
	dir, _ := gittest.Commit(t, map[string]string{"README.md": "x\n"}, nil)
	stub := findingStub(t)
	o, _ := options(t, dir, stub)
	res, err := Review(t.Context(), o)
	require.NoError(t, err)
	assert.Nil(t, res.Review, "nothing to review")
	assert.Equal(t, "main", res.Base)
	assert.Empty(t, stub.Calls())
	assert.Equal(t, 0, ExitCode(res, nil))
}

// The base is the merge base with --base, else with the remote's default
// branch or a local main or master, else HEAD (uncommitted changes only),
// else, without a commit, the empty tree.
func TestReviewBase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base, want, wantErr string
		setup                     func(t *testing.T) string
	}{
		{name: "no main: HEAD", want: "HEAD", setup: func(t *testing.T) string {
			dir, _ := feature(t)
			gittest.Git(t, dir)("branch", "-q", "-D", "main")
			return dir
		}},
		{name: "no commit: the empty tree", want: "the empty tree", setup: func(t *testing.T) string {
			dir := t.TempDir()
			gittest.Git(t, dir)("init", "-q", "-b", "main")
			write(t, dir, "a.txt", "a\n")
			return dir
		}},
		{name: "--base", base: "feature~1", want: "feature~1", setup: func(t *testing.T) string { dir, _ := feature(t); return dir }},
		{name: "unknown --base", base: "nope", wantErr: "--base nope: no common ancestor with HEAD", setup: func(t *testing.T) string { dir, _ := feature(t); return dir }},
		{name: "not a checkout", wantErr: "is not a git checkout", setup: func(t *testing.T) string { return t.TempDir() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, _ := options(t, tc.setup(t), nil)
			o.Base = tc.base
			res, err := Review(t.Context(), o)
			if tc.wantErr != "" {
				var ce *CheckoutError
				require.True(t, errors.As(err, &ce), "%v", err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Equal(t, 2, ExitCode(res, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.Base)
		})
	}
}

// The config file is read as the working tree has it, but only when git
// tracks it: an untracked one is named and left unused.
func TestReviewConfigMustBeTracked(t *testing.T) {
	t.Parallel()
	dir, git := feature(t)
	write(t, dir, ".bitreview.yaml", "max_comments: 3\n")
	o, n := options(t, dir, findingStub(t))
	res, err := Review(t.Context(), o)
	require.NoError(t, err)
	assert.Equal(t, []string{".bitreview.yaml is not tracked by git, so it was not used (git add it to use it)"}, n.warnings)
	assert.NotEqual(t, 3, res.Settings.MaxComments)

	git("add", ".bitreview.yaml")
	write(t, dir, ".bitreview.yaml", "max_comments: 4\n") // edited after git add: the edit counts
	o, n = options(t, dir, findingStub(t))
	res, err = Review(t.Context(), o)
	require.NoError(t, err)
	assert.Empty(t, n.warnings)
	assert.Equal(t, 4, res.Settings.MaxComments)
}

// Without an LLM configured, a local Ollama that answers is used, and
// said so.
func TestReviewFallsBackToOllama(t *testing.T) {
	t.Parallel()
	dir, _ := feature(t)
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tags" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ollama.Close)
	stub := findingStub(t)
	o, n := options(t, dir, nil)
	o.OllamaURL = ollama.URL
	var used settings.Settings
	o.Model = func(c settings.Settings) (review.Model, error) {
		used = c
		c.LLMProvider, c.LLMBaseURL, c.LLMModel = "openai-compatible", stub.URL, "stub-model"
		return llm.New(c.LLM())
	}
	res, err := Review(t.Context(), o)
	require.NoError(t, err)
	assert.Equal(t, "ollama", used.LLMProvider)
	assert.Equal(t, ollama.URL, used.LLMBaseURL)
	assert.Equal(t, []string{"No LLM configured; using the local Ollama at " + ollama.URL + "."}, n.infos)
	assert.NotEmpty(t, stub.Calls())
	assert.Len(t, res.Review.Findings, 1)
}

// Without an LLM and without Ollama, the walkthrough and built-in checks
// are still shown, with a note that says what to set.
func TestReviewWithoutAModel(t *testing.T) {
	t.Parallel()
	dir, git := feature(t)
	write(t, dir, ".env", "DB_PASSWORD=hunter2-hunter2\n")
	git("add", ".env")
	o, _ := options(t, dir, nil)
	res, err := Review(t.Context(), o)
	require.NoError(t, err)
	require.NotNil(t, res.Review)
	require.NotEmpty(t, res.Review.Errors)
	assert.Contains(t, res.Review.Errors[len(res.Review.Errors)-1], "No LLM configured and no Ollama answering at "+o.OllamaURL)
	var titles []string
	for _, f := range append(res.Review.Findings, res.Review.Unanchored...) {
		titles = append(titles, f.Title)
	}
	assert.Contains(t, strings.Join(titles, "\n"), "Possible secret committed (env-file)")
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	failing := &review.Result{Findings: []review.Finding{{Severity: review.High}}}
	passing := &review.Result{Findings: []review.Finding{{Severity: review.Low}}}
	offDiff := &review.Result{Unanchored: []review.Finding{{Severity: review.Critical}}}
	cfg, cerr := settings.LoadValidated([]string{"FAIL_ON=high"}, "review")
	require.Nil(t, cerr)
	strict := cfg
	strict.FailOnError = true
	for _, tc := range []struct {
		name string
		res  Result
		err  error
		want int
	}{
		{name: "no changes", res: Result{Settings: cfg}, want: 0},
		{name: "finding at FAIL_ON", res: Result{Settings: cfg, Review: failing}, want: 1},
		{name: "finding below FAIL_ON", res: Result{Settings: cfg, Review: passing}, want: 0},
		{name: "a finding off the diff counts", res: Result{Settings: cfg, Review: offDiff}, want: 1},
		{name: "model failed", res: Result{Settings: cfg, Review: passing, Err: errors.New("boom")}, want: 0},
		{name: "model failed, FAIL_ON_ERROR", res: Result{Settings: strict, Review: failing, Err: errors.New("boom")}, want: 3},
		{name: "bad checkout", err: &CheckoutError{Err: errors.New("not a checkout")}, want: 2},
		{name: "other failure", err: errors.New("parse diff: boom"), want: 3},
	} {
		assert.Equal(t, tc.want, ExitCode(tc.res, tc.err), tc.name)
	}
}
