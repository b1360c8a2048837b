// Package benchharness runs the real bitreview pipe binary against the fake
// Bitbucket (bbtest) and a stub LLM with configurable latency, jitter and
// error rate, on synthetic pull requests, and reports what each run cost:
// wall time, time not spent waiting for the LLM, peak RSS, requests,
// model rounds, tokens and comments. cmd/bitreview-bench drives it; BENCHMARKS.md
// explains the method.
package benchharness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/internal/synth"
	"github.com/bitreview/bitreview/review"
)

// Scenario is one synthetic pull request.
type Scenario struct {
	Name  string
	Synth synth.Options
	// Incremental runs a follow-up push changing one file after the full
	// review and reports it as Result.Followup.
	Incremental bool
	// Chat asks a question in an inline thread after the full review and
	// reports the answering run as Result.Chat.
	Chat bool
}

// Config is how the pipe and the stubs are run.
type Config struct {
	Bin         string // the built bitreview binary
	LLM         LLMProfile
	Concurrency int           // LLM_CONCURRENCY; 0 keeps the pipe's default (4)
	Timeout     time.Duration // per pipe run; 0 means 10 minutes
}

// Result is one run of a scenario.
type Result struct {
	Scenario     string `json:"scenario"`
	Files        int    `json:"files"`
	ChangedLines int    `json:"changed_lines"`
	DiffBytes    int    `json:"diff_bytes"`

	Wall    time.Duration `json:"wall_ns"`
	LLMBusy time.Duration `json:"llm_busy_ns"` // union of intervals with ≥1 LLM call in flight
	NonLLM  time.Duration `json:"non_llm_ns"`  // Wall − LLMBusy
	Floor   time.Duration `json:"floor_ns"`    // in-process diffparse.Parse of the same bytes
	Ideal   time.Duration `json:"ideal_ns"`    // ceil(calls / C) × latency
	// Rounds are the model rounds: the longest chain of LLM calls each of
	// which started after the one before it had answered (see Rounds).
	Rounds int `json:"rounds"`

	PeakRSSKiB       int64 `json:"peak_rss_kib"`
	ExitCode         int   `json:"exit_code"`
	BBRequests       int   `json:"bb_requests"`
	LLMCalls         int   `json:"llm_calls"`
	PromptTokens     int   `json:"prompt_tokens"`
	CompletionTokens int   `json:"completion_tokens"`
	CommentPosts     int   `json:"comment_posts"`   // POST …/comments seen by Bitbucket
	InlineComments   int   `json:"inline_comments"` // the bot's live inline comments afterwards
	Summaries        int   `json:"summaries"`

	Followup *Result `json:"followup,omitempty"`
	Chat     *Result `json:"chat,omitempty"`
	Replies  int     `json:"replies,omitempty"` // the bot's replies in the asked thread (chat runs)
}

const (
	ws, slug  = "bench", "repo"
	prID      = 1
	dstSHA    = "0123456789abcdef0123456789abcdef01234567"
	srcSHA    = "5f1c0ffee0ddba11ab1e5eed0bead5deadbeef00"
	followSHA = "2222222222222222222222222222222222222222"
)

// Build compiles the bitreview command into dir and returns its path.
func Build(ctx context.Context, moduleRoot, dir string) (string, error) {
	bin := filepath.Join(dir, "bitreview")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/bitreview")
	cmd.Dir = moduleRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bitreview: %w: %s", err, out)
	}
	return bin, nil
}

// Run reviews sc's pull request once (and the follow-up push when asked).
func Run(ctx context.Context, cfg Config, sc Scenario) (Result, error) {
	raw := synth.Diff(sc.Synth)
	d, err := diffparse.Parse(raw)
	if err != nil {
		return Result{}, fmt.Errorf("parse synthetic diff: %w", err)
	}
	bb, err := bbtest.NewServer(bbtest.WithLogf(func(string, ...any) {}))
	if err != nil {
		return Result{}, fmt.Errorf("start fake bitbucket: %w", err)
	}
	defer bb.Close()
	llm := newStubLLM(cfg.LLM)
	llm.learn(d)
	llmSrv := httptest.NewServer(llm)
	defer llmSrv.Close()
	defer llm.Close()

	bot := bb.AddUser(bbtest.NewUser("bitreview-bot"))
	bb.AddPullRequest(ws, slug, bbtest.PullRequest{
		ID: prID, Title: "Synthetic " + sc.Name, Description: "bench",
		Source:      bbtest.Endpoint{Branch: "feature/bench", Commit: srcSHA},
		Destination: bbtest.Endpoint{Branch: "main", Commit: dstSHA},
	}, string(raw))
	bb.AddCommitWithParents(ws, slug, srcSHA, dstSHA)

	env := pipeEnv(cfg, bb.URL, bot.AccessToken, llmSrv.URL+"/v1")
	res, err := runOnce(ctx, cfg, bb, llm, env, srcSHA, bot.UUID)
	if err != nil {
		return res, err
	}
	res.Scenario, res.Files, res.DiffBytes = sc.Name, len(d.Files), len(raw)
	res.ChangedLines = changed(d)
	res.Floor = parseFloor(raw)
	if sc.Chat {
		ch, err := askInThread(ctx, cfg, bb, llm, env, bot.UUID)
		if err != nil {
			return res, fmt.Errorf("chat: %w", err)
		}
		ch.Scenario = sc.Name + "-reply"
		res.Chat = &ch
	}
	if !sc.Incremental {
		return res, nil
	}
	// Follow-up push: one more commit that changes one file of the PR.
	one := sc.Synth
	one.Files, one.Seed, one.Mixed = 1, sc.Synth.Seed+1, 0
	inc := synth.Diff(one)
	incD, err := diffparse.Parse(inc)
	if err != nil {
		return res, fmt.Errorf("parse follow-up diff: %w", err)
	}
	llm.learn(incD)
	bb.AddCommitWithParents(ws, slug, followSHA, srcSHA)
	bb.SetPullRequestDiff(ws, slug, prID, followSHA, string(raw))
	bb.SetDiff(ws, slug, followSHA, srcSHA, string(inc))
	fu, err := runOnce(ctx, cfg, bb, llm, env, followSHA, bot.UUID)
	if err != nil {
		return res, fmt.Errorf("follow-up: %w", err)
	}
	fu.Scenario, fu.Files, fu.DiffBytes, fu.ChangedLines = sc.Name+"-followup", len(incD.Files), len(inc), changed(incD)
	fu.Floor = parseFloor(inc)
	res.Followup = &fu
	return res, nil
}

// runOnce runs the pipe for head and returns the deltas it caused.
func runOnce(ctx context.Context, cfg Config, bb *bbtest.Server, llm *stubLLM, env []string, head, botUUID string) (Result, error) {
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reqs0, calls0, posts0 := len(bb.Requests()), len(llm.Calls()), bb.Count("POST", "/comments")
	pt0, ct0 := llm.tokens()
	busy0, iv0 := llm.busy.busy(), len(llm.busy.intervals())

	cmd := exec.CommandContext(ctx, cfg.Bin, "pipe")
	cmd.Env = append(env, "BITBUCKET_COMMIT="+head)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	var res Result
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start pipe: %w", err)
	}
	stopPoll := pollHWM(cmd.Process.Pid, &res.PeakRSSKiB)
	err := cmd.Wait()
	res.Wall = time.Since(start)
	stopPoll()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	case err != nil:
		return res, fmt.Errorf("run pipe: %w\n%s", err, out.String())
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("pipe timed out after %s\n%s", timeout, out.String())
	}
	res.BBRequests = len(bb.Requests()) - reqs0
	calls := llm.Calls()[calls0:]
	res.LLMCalls = len(calls)
	pt, ct := llm.tokens()
	res.PromptTokens, res.CompletionTokens = pt-pt0, ct-ct0
	res.CommentPosts = bb.Count("POST", "/comments") - posts0
	res.LLMBusy = llm.busy.busy() - busy0
	res.Rounds = Rounds(llm.busy.intervals()[iv0:])
	res.NonLLM = res.Wall - res.LLMBusy
	c := cfg.Concurrency
	if c <= 0 {
		c = 4
	}
	res.Ideal = time.Duration((res.LLMCalls+c-1)/c) * cfg.LLM.Latency
	for _, cm := range bb.Comments(ws, slug, prID) {
		if cm.Deleted || cm.User.UUID != botUUID {
			continue
		}
		if cm.Inline != nil {
			res.InlineComments++
		} else if review.IsSummary(cm.Raw) {
			res.Summaries++
		}
	}
	if res.ExitCode != 0 {
		return res, fmt.Errorf("pipe exited %d\n%s", res.ExitCode, out.String())
	}
	return res, nil
}

func pipeEnv(cfg Config, bbURL, token, llmURL string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"BITBUCKET_WORKSPACE=" + ws, "BITBUCKET_REPO_SLUG=" + slug, "BITBUCKET_PR_ID=" + strconv.Itoa(prID),
		"BITBUCKET_BUILD_NUMBER=1", "BITBUCKET_API_URL=" + bbURL, "BITBUCKET_ACCESS_TOKEN=" + token,
		"LLM_PROVIDER=openai-compatible", "LLM_BASE_URL=" + llmURL, "LLM_MODEL=stub-model",
		"LLM_TIMEOUT=60s", "MAX_FILES=100000", "MAX_INPUT_TOKENS=100000000", "MAX_COMMENTS=1000",
	}
	if cfg.Concurrency > 0 {
		env = append(env, "LLM_CONCURRENCY="+strconv.Itoa(cfg.Concurrency))
	}
	return env
}

func changed(d *diffparse.Diff) int {
	n := 0
	for _, f := range d.Files {
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				if l.Kind != diffparse.Context {
					n++
				}
			}
		}
	}
	return n
}

// parseFloor is the physical floor: the fastest of three in-process parses
// of the same diff bytes.
func parseFloor(raw []byte) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		if _, err := diffparse.Parse(raw); err != nil {
			return 0
		}
		best = min(best, time.Since(start))
	}
	return best
}
