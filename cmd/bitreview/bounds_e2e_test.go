package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/internal/synth"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/service/github/ghtest"
	"github.com/bitreview/bitreview/workflow"
)

// laterFiles are three more files appended to testdata/pr.diff; one.go is
// long enough (2 KB) for a cut 100 bytes into it to fall inside it in
// GitHub's files-endpoint layout too, which has no index lines.
var laterFiles = `diff --git a/later/one.go b/later/one.go
new file mode 100644
--- /dev/null
+++ b/later/one.go
@@ -0,0 +1,34 @@
+package later
+
+func One() int { return 1 }
` + strings.Repeat("+// One returns one, which is the number after zero and before two.\n", 31) + `diff --git a/later/two.go b/later/two.go
new file mode 100644
--- /dev/null
+++ b/later/two.go
@@ -0,0 +1 @@
+package later
diff --git a/later/three.go b/later/three.go
new file mode 100644
--- /dev/null
+++ b/later/three.go
@@ -0,0 +1 @@
+package later
`

// cutFixture serves testdata/pr.diff plus laterFiles, and returns the
// MAX_DIFF_BYTES that cuts the diff inside later/one.go.
func cutFixture(t *testing.T) (*fixture, int) {
	t.Helper()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	f := newFixtureWithDiff(t, append(raw, laterFiles...))
	return f, len(raw) + 100
}

// TestPipeDiffOverMaxDiffBytes: a diff longer than MAX_DIFF_BYTES is read
// up to the limit; the files after it are named in the summary as not
// reviewed, never sent to the model, and the run does not read as a clean
// pass (requirement 33).
func TestPipeDiffOverMaxDiffBytes(t *testing.T) {
	t.Parallel()
	f, limit := cutFixture(t)
	out, code := execPipe(t, f.env("MAX_DIFF_BYTES="+strconv.Itoa(limit)))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "MAX_DIFF_BYTES")
	assert.Contains(t, out, "3 file(s) were not reviewed")
	assert.NotContains(t, out, "no issues found")

	for _, c := range f.llm.Calls() {
		assert.NotContains(t, c.Prompt, "later/", "a file after the cut reached the model")
	}
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	body := summaries[0].Raw
	for _, p := range []string{"later/one.go", "later/two.go", "later/three.go"} {
		assert.Contains(t, body, "`"+p+"` — over MAX_DIFF_BYTES ("+workflow.ByteSize(limit)+"): not read")
	}
	assert.Contains(t, body, "only its first "+workflow.ByteSize(limit)+" were read")
	assert.Contains(t, body, "| `later/one.go` | added +0 −0 | not read (over MAX_DIFF_BYTES) |")
	reports := f.bb.Reports(ws, slug, srcSHA)
	require.Len(t, reports, 1)
	assert.Contains(t, reports[0].Details, "3 file(s) were not reviewed")
}

// TestPipeDiffCutKeepsCommentsOnFilesNotRead: a file after the cut is still
// part of the pull request, so its earlier inline comments are not stale.
func TestPipeDiffCutKeepsCommentsOnFilesNotRead(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	f := newFixtureWithDiff(t, raw)
	out, code := execPipe(t, f.env("INCREMENTAL=false"))
	require.Equal(t, 0, code, out)
	_, inline := f.comments()
	require.NotEmpty(t, inline)
	onServer := 0
	for _, c := range inline {
		if c.Inline.Path == "app/server.go" {
			onServer++
		}
	}
	require.Positive(t, onServer)

	// The next run reads app/math.go only, and the model finds nothing.
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		return llmtest.Reply{JSON: `{"summary":"s","files":[],"findings":[]}`}
	})
	limit := strconv.Itoa(strings.Index(string(raw), "diff --git a/app/server.go") + 60)
	out, code = execPipe(t, f.env("INCREMENTAL=false", "MAX_DIFF_BYTES="+limit))
	require.Equal(t, 0, code, out)
	_, inline = f.comments()
	for _, c := range inline {
		assert.Equal(t, "app/server.go", c.Inline.Path, "the comment on app/math.go, read again and not found again, is stale")
	}
	assert.Len(t, inline, onServer, "the comments on app/server.go, which was not read, stay")
}

// TestPipeDiffCutWithoutFileList: when the files after the cut cannot be
// listed, the summary still says that the diff was cut and where.
func TestPipeDiffCutWithoutFileList(t *testing.T) {
	t.Parallel()
	f, limit := cutFixture(t)
	f.bb.Fault(bbtest.Fault{PathContains: "/diffstat", Status: 555, Times: -1})
	out, code := execPipe(t, f.env("MAX_DIFF_BYTES="+strconv.Itoa(limit)))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "1 file(s) were not reviewed")
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, "`(the files after notes.txt)` — over MAX_DIFF_BYTES ("+workflow.ByteSize(limit)+"): not read; they could not be listed")
}

// TestPipeDiffMemoryBoundedByMaxDiffBytes: the pipe's peak RSS on a diff of
// about 48 MB follows MAX_DIFF_BYTES, not the diff: the diff is parsed as
// it arrives and the download stops at the limit.
func TestPipeDiffMemoryBoundedByMaxDiffBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 48 MB diff")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("peak RSS is read from /proc")
	}
	t.Parallel()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	big := synth.Diff(synth.Options{Files: 480, HunksPerFile: 40, LinesPerHunk: 60, Context: 3, Seed: 7})
	require.Greater(t, len(big), 40<<20)
	f := newFixtureWithDiff(t, append(raw, big...))
	out, code, peakKiB := execPipePeak(t, f.env("MAX_DIFF_BYTES=1048576"))
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "MAX_DIFF_BYTES")
	t.Logf("diff %d MB, MAX_DIFF_BYTES 1 MB: peak RSS %d MB", len(big)>>20, peakKiB>>10)
	// About 75 MB measured (40 MB for a tiny diff); 372 MB before the cap.
	assert.Less(t, peakKiB, int64(128<<10), "peak RSS %d MB", peakKiB>>10)
}

// execPipePeak is execPipe that also returns the child's peak RSS (VmHWM,
// sampled every 5 ms: rusage's Maxrss would start at this test process's
// own RSS, which holds the diff).
func execPipePeak(t *testing.T, env []string) (string, int, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "pipe")
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	var peak int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib := vmHWM(cmd.Process.Pid); kib > peak {
				peak = kib
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	wg.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return out.String(), code, peak
}

// vmHWM reads a process's peak resident set size in KiB, 0 if unknown.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	fields := bytes.Fields(line)
	if len(fields) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(string(fields[0]), 10, 64)
	return n
}

// TestPipeIncrementOverMaxDiffBytes: the diff of the new commits is read
// up to MAX_DIFF_BYTES too; one longer than that (a merge of the
// destination branch can be huge) falls back to a full review.
func TestPipeIncrementOverMaxDiffBytes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.bb.AddCommitWithParents(ws, slug, srcSHA, dstSHA)
	out, code := execPipe(t, f.env())
	require.Equal(t, 0, code, out)

	f.bb.AddCommitWithParents(ws, slug, head2, srcSHA)
	f.bb.SetPullRequestDiff(ws, slug, 7, head2, prDiff2)
	merged := synth.Diff(synth.Options{Files: 40, HunksPerFile: 3, LinesPerHunk: 12, Context: 3, Seed: 3})
	f.bb.SetDiff(ws, slug, head2, srcSHA, incDiff2+string(merged))
	limit := len(prDiff2) + 1000
	require.Greater(t, len(incDiff2)+len(merged), limit)
	out, code = execPipe(t, f.env("BITBUCKET_COMMIT="+head2, "MAX_DIFF_BYTES="+strconv.Itoa(limit)))
	require.Equal(t, 0, code, out)
	reason := "Full review instead of incremental: the diff of the new commits is longer than MAX_DIFF_BYTES (" + workflow.ByteSize(limit) + ")"
	assert.Contains(t, out, reason)
	summaries, _ := f.comments()
	require.Len(t, summaries, 1)
	assert.Contains(t, summaries[0].Raw, reason)
	assert.NotContains(t, summaries[0].Raw, "(incremental)")
}

// ghCutFixture is the GitHub fixture whose pull request also adds
// laterFiles, and the MAX_DIFF_BYTES that cuts its diff inside
// later/one.go.
func ghCutFixture(t *testing.T) (*ghFixture, int) {
	t.Helper()
	f := newGHFixture(t)
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
		Number: 7, Title: "Add users query", Body: "Adds a query.", Author: "alice",
		HeadRef: "feature/users", BaseRef: "main", HeadSHA: srcSHA, BaseSHA: dstSHA, Diff: string(raw) + laterFiles,
	}))
	return f, len(raw) + 100
}

// TestGitHubActionDiffOverMaxDiffBytes: the action reads its diff up to
// MAX_DIFF_BYTES like the pipe, from the diff media type or, when GitHub
// refuses that, from the files endpoint.
func TestGitHubActionDiffOverMaxDiffBytes(t *testing.T) {
	t.Parallel()
	for name, diffLimit := range map[string]int{"diff media type": 0, "files endpoint": 1} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, limit := ghCutFixture(t)
			if diffLimit > 0 {
				f.gh.SetDiffLimit(diffLimit)
			}
			out, code := execAction(t, f.env("INPUT_MAX_DIFF_BYTES="+strconv.Itoa(limit)))
			require.Equal(t, 0, code, out)
			assert.Contains(t, out, "MAX_DIFF_BYTES")
			assert.NotContains(t, out, "no issues found")
			for _, c := range f.llm.Calls() {
				assert.NotContains(t, c.Prompt, "later/", "a file after the cut reached the model")
			}
			_, summary := f.invariants(t)
			for _, p := range []string{"later/one.go", "later/two.go", "later/three.go"} {
				assert.Contains(t, summary.Body, "`"+p+"` — over MAX_DIFF_BYTES ("+workflow.ByteSize(limit)+"): not read")
			}
			assert.Contains(t, summary.Body, "only its first "+workflow.ByteSize(limit)+" were read")
		})
	}
}

// TestGitHubActionIncrementOverMaxDiffBytes: the compare diff of the new
// commits is capped like the pull request's; over the cap, a full review.
func TestGitHubActionIncrementOverMaxDiffBytes(t *testing.T) {
	t.Parallel()
	f := newGHFixture(t)
	out, code := execAction(t, f.env())
	require.Equal(t, 0, code, out)

	const newHead = "7777777777777777777777777777777777777777"
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
		Number: 7, Title: "Add users query", HeadRef: "feature/users", BaseRef: "main",
		HeadSHA: newHead, BaseSHA: dstSHA, Diff: string(raw),
	}))
	merged := synth.Diff(synth.Options{Files: 40, HunksPerFile: 3, LinesPerHunk: 12, Context: 3, Seed: 3})
	f.gh.SetCompare(srcSHA, newHead, "diff --git a/app/math.go b/app/math.go\n--- a/app/math.go\n+++ b/app/math.go\n@@ -2,2 +2,2 @@\n \n-func Add(a, b int) int { return a * b }\n+func Add(a, b int) int { return a - b }\n"+string(merged))
	limit := len(raw) + 1000
	out, code = execAction(t, f.env("INPUT_MAX_DIFF_BYTES="+strconv.Itoa(limit)))
	require.Equal(t, 0, code, out)
	reason := "Full review instead of incremental: the diff of the new commits is longer than MAX_DIFF_BYTES (" + workflow.ByteSize(limit) + ")"
	assert.Contains(t, out, reason)
	_, summary := f.invariants(t)
	assert.Contains(t, summary.Body, reason)
}
