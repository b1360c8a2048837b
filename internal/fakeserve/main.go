// Command fakeserve runs the test fakes as one standalone process on
// loopback, so that a built binary or container image can run a real review
// without the network: the fake Bitbucket Cloud API (bbapi/bbtest), seeded
// with a bot account, its access token and one small pull request, and the
// OpenAI-compatible LLM stub (llm/llmtest), scripted to answer the review
// (submit_review, with its walkthrough) and the light pass
// (submit_walkthrough) schemas.
//
//	go run ./internal/fakeserve -env-file /tmp/fake.env &
//	# wait for /tmp/fake.env, then run bitreview pipe with those variables
//	kill -TERM %1   # prints what the fakes received; exit 1 if a check failed
//
// It prints the variables to give bitreview (KEY=VALUE, one a line) on
// stdout and, with -env-file, writes them to that file atomically once both
// servers listen. It exits on SIGINT/SIGTERM or after -timeout, and then
// reports the requests it saw on stderr. With -check (the default) it exits
// 1 when the Bitbucket fake saw a request that breaks the API, when the LLM
// was not asked for a review, with -dry-run when anything was written
// to Bitbucket, and with -want-comments N unless the pull request ends with
// N comments.
//
// CI (.ci/run) uses it to run one dry-run review inside the image.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/llm/llmtest"
)

// The seeded repository and pull request.
const (
	Workspace = "acme"
	RepoSlug  = "widgets"
	PRID      = 1
	BotName   = "bitreview-bot"
	LLMKey    = "sk-fakeserve-llm-key"
	LLMModel  = "stub-review-model"
)

// PRDiff is the pull request's diff: one Go file where a parameterised
// query became string concatenation (line 7 of the new side).
const PRDiff = `diff --git a/app/users.go b/app/users.go
index 1111111..2222222 100644
--- a/app/users.go
+++ b/app/users.go
@@ -1,7 +1,9 @@
 package app
 
 import "database/sql"
 
-func FindUser(db *sql.DB, name string) (*sql.Rows, error) {
-	return db.Query("SELECT * FROM users WHERE name = ?", name)
+// FindUser returns the users called name.
+func FindUser(db *sql.DB, name string) (*sql.Rows, error) {
+	q := "SELECT * FROM users WHERE name = '" + name + "'"
+	return db.Query(q)
 }
`

// NewFile is app/users.go after the change (the checkout's content).
const NewFile = `package app

import "database/sql"

// FindUser returns the users called name.
func FindUser(db *sql.DB, name string) (*sql.Rows, error) {
	q := "SELECT * FROM users WHERE name = '" + name + "'"
	return db.Query(q)
}
`

// FindingTitle is the title of the one finding the scripted review returns.
const FindingTitle = "SQL injection through the name parameter"

const walkthroughAnswer = `{"summary":"FindUser now builds its query by concatenating the name.","files":[{"path":"app/users.go","note":"query built from the name parameter","trivial":false}]}`

var reviewAnswer = `{"summary":"FindUser now builds its query by concatenating the name, which makes it injectable.",` +
	`"files":[{"path":"app/users.go","note":"query built from the name parameter"}],` +
	`"findings":[{"path":"app/users.go","side":"new","line":7,` +
	`"code":"\tq := \"SELECT * FROM users WHERE name = '\" + name + \"'\"","severity":"high","category":"security",` +
	`"title":"` + FindingTitle + `","body":"Pass name as a query argument instead of concatenating it.",` +
	`"suggestion":"\trows, err := db.Query(\"SELECT * FROM users WHERE name = ?\", name)","confidence":0.9}]}`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakeserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	envFile := fs.String("env-file", "", "also write the variables to this file (atomically, once both servers listen)")
	cloneDir := fs.String("clone-dir", "", "also write the pull request's files into this directory (a stand-in for the clone)")
	timeout := fs.Duration("timeout", 10*time.Minute, "exit after this long")
	check := fs.Bool("check", true, "exit 1 on an API violation or when the LLM was not asked for a review")
	dryRun := fs.Bool("dry-run", false, "with -check: also exit 1 when anything was written to Bitbucket")
	wantComments := fs.Int("want-comments", -1, "with -check: also exit 1 unless the pull request ends with this many comments (-1: any)")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	f, err := Start(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fakeserve: %v\n", err)
		return 1
	}
	defer f.Close()
	if sp := f.BB.SpecPath(); sp != "" {
		fmt.Fprintf(stderr, "fakeserve: fake Bitbucket at %s validates requests against %s\n", f.BB.URL, sp)
	}
	fmt.Fprintf(stderr, "fakeserve: LLM stub (OpenAI-compatible) at %s\n", f.LLM.URL)
	if *cloneDir != "" {
		if err := WriteCheckout(*cloneDir); err != nil {
			fmt.Fprintf(stderr, "fakeserve: %v\n", err)
			return 1
		}
	}
	env := f.Env()
	fmt.Fprint(stdout, env)
	if *envFile != "" {
		if err := writeAtomic(*envFile, env); err != nil {
			fmt.Fprintf(stderr, "fakeserve: %v\n", err)
			return 1
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(*timeout):
		fmt.Fprintf(stderr, "fakeserve: timeout after %s\n", *timeout)
	}
	problems := f.Report(stderr, *dryRun, *wantComments)
	if *check && len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "fakeserve: FAIL: %s\n", p)
		}
		return 1
	}
	return 0
}

// Fakes is the running pair of servers.
type Fakes struct {
	BB  *bbtest.Server
	LLM *llmtest.Server
	Bot bbtest.User
	PR  bbtest.PullRequest
}

// Start starts both fakes on loopback ports and seeds them. logw receives
// the Bitbucket fake's setup notes (spec found or validation skipped).
func Start(logw io.Writer) (*Fakes, error) {
	bb, err := bbtest.NewServer(bbtest.WithLogf(func(format string, a ...any) {
		fmt.Fprintf(logw, format+"\n", a...)
	}))
	if err != nil {
		return nil, fmt.Errorf("fake Bitbucket: %w", err)
	}
	bot := bbtest.NewUser(BotName)
	// Exactly the scopes README.md documents for the pipe.
	bot.Scopes = []string{bbtest.ScopeReadRepository, bbtest.ScopeReadPullRequest, bbtest.ScopeWritePullRequest, bbtest.ScopeReadUser}
	bot = bb.AddUser(bot)
	bb.AddRepository(bbtest.Repository{Workspace: Workspace, Slug: RepoSlug, MainBranch: "main"})
	pr := bb.AddPullRequest(Workspace, RepoSlug, bbtest.PullRequest{
		ID:          PRID,
		Title:       "Look users up by name",
		Description: "FindUser builds its query inline now.",
		Source:      bbtest.Endpoint{Branch: "feature/find-user"},
		Destination: bbtest.Endpoint{Branch: "main"},
	}, PRDiff)
	bb.AddFile(Workspace, RepoSlug, pr.Source.Commit, "app/users.go", NewFile)

	llm := llmtest.New(llmtest.OpenAI)
	llm.SetAPIKey(LLMKey)
	llm.SetDefault(answer)
	llm.Start()
	return &Fakes{BB: bb, LLM: llm, Bot: bot, PR: pr}, nil
}

// answer picks the scripted answer by the schema the request asks for.
func answer(c llmtest.Call) llmtest.Reply {
	switch c.SchemaName {
	case "submit_walkthrough":
		return llmtest.Reply{JSON: walkthroughAnswer, PromptTokens: 300, CompletionTokens: 40}
	case "submit_review":
		return llmtest.Reply{JSON: reviewAnswer, PromptTokens: 1200, CompletionTokens: 120}
	}
	return llmtest.Reply{Status: 400, Body: `{"error":{"message":"fakeserve: unexpected schema ` + c.SchemaName + `","type":"invalid_request_error"}}`}
}

// Close stops both servers.
func (f *Fakes) Close() {
	f.LLM.Close()
	f.BB.Close()
}

// Env is the environment for `bitreview pipe` against the fakes, as
// KEY=VALUE lines: what Pipelines would provide plus the user's variables.
func (f *Fakes) Env() string {
	vars := [][2]string{
		{"BITBUCKET_API_URL", f.BB.URL},
		{"BITBUCKET_ACCESS_TOKEN", f.Bot.AccessToken},
		{"BITBUCKET_WORKSPACE", Workspace},
		{"BITBUCKET_REPO_SLUG", RepoSlug},
		{"BITBUCKET_PR_ID", fmt.Sprint(f.PR.ID)},
		{"BITBUCKET_COMMIT", f.PR.Source.Commit},
		{"BITBUCKET_BRANCH", f.PR.Source.Branch},
		{"BITBUCKET_PR_DESTINATION_BRANCH", f.PR.Destination.Branch},
		{"LLM_PROVIDER", "openai-compatible"},
		{"LLM_BASE_URL", f.LLM.URL},
		{"LLM_API_KEY", LLMKey},
		{"LLM_MODEL", LLMModel},
	}
	var b strings.Builder
	for _, kv := range vars {
		b.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	return b.String()
}

// Report writes what the fakes received and returns the failed checks.
func (f *Fakes) Report(w io.Writer, dryRun bool, wantComments int) []string {
	var problems []string
	reqs := f.BB.Requests()
	writes := 0
	for _, r := range reqs {
		fmt.Fprintf(w, "fakeserve: bitbucket %s %s -> %d (%s)\n", r.Method, r.Path, r.Status, r.Auth)
		if r.Method != "GET" && r.Method != "HEAD" {
			writes++
		}
	}
	for _, v := range f.BB.Violations() {
		problems = append(problems, "Bitbucket API violation: "+v.String())
	}
	if dryRun && writes > 0 {
		problems = append(problems, fmt.Sprintf("dry run wrote to Bitbucket %d time(s)", writes))
	}
	var schemas []string
	for _, c := range f.LLM.Calls() {
		fmt.Fprintf(w, "fakeserve: llm %s model=%s schema=%s\n", c.Path, c.Model, c.SchemaName)
		schemas = append(schemas, c.SchemaName)
	}
	// One small pull request is one review call, which writes the
	// walkthrough too; the light pass (submit_walkthrough) runs only
	// beside a review of several rounds.
	if !slices.Contains(schemas, "submit_review") {
		problems = append(problems, "the LLM was not asked for submit_review")
	}
	comments := 0
	for _, c := range f.BB.Comments(Workspace, RepoSlug, PRID) {
		if c.Deleted {
			continue
		}
		comments++
		where := "summary"
		if c.Inline != nil {
			where = fmt.Sprintf("inline %s:%d", c.Inline.Path, c.Inline.To)
		}
		fmt.Fprintf(w, "fakeserve: comment %d by %s (%s), %d characters\n", c.ID, c.User.Nickname, where, len(c.Raw))
	}
	if wantComments >= 0 && comments != wantComments {
		problems = append(problems, fmt.Sprintf("the pull request has %d comment(s), want %d", comments, wantComments))
	}
	fmt.Fprintf(w, "fakeserve: %d Bitbucket request(s) (%d write(s)), %d violation(s), %d LLM call(s), %d comment(s)\n",
		len(reqs), writes, len(f.BB.Violations()), len(schemas), comments)
	return problems
}

// WriteCheckout writes the pull request's new files under dir, readable by
// anyone (as a Pipelines clone is), so a non-root container user can read
// them.
func WriteCheckout(dir string) error {
	p := filepath.Join(dir, "app", "users.go")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(NewFile), 0o644); err != nil {
		return err
	}
	return nil
}

func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
