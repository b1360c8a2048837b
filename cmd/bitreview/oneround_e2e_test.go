package main

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// newFileDiff is the diff of a new file of n lines.
func newFileDiff(path string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", path, path, path, n)
	for i := range n {
		fmt.Fprintf(&b, "+line %d of %s, with some words to weigh like code\n", i, path)
	}
	return b.String()
}

var promptPathRE = regexp.MustCompile(`path="([^"]+)"`)

// A pull request of several review rounds with many docs pages: the light
// pass (LLM_LIGHT_MODEL) runs beside the first round, never in front of
// it, looks only at what may be trivial, and what it finds trivial is not
// sent to the review. The first 4 calls are held until all 4 are in
// flight together, so a light pass in front of the review would time out.
func TestPipeLightPassRunsBesideTheFirstRound(t *testing.T) {
	t.Parallel()
	var raw strings.Builder
	for i := range 4 {
		raw.WriteString(newFileDiff(fmt.Sprintf("app/big%d.go", i), 1000)) // about 22k tokens: a batch each
	}
	for i := range 24 {
		raw.WriteString(newFileDiff(fmt.Sprintf("docs/page%02d.md", i), 60))
	}
	f := newFixtureWithDiff(t, []byte(raw.String()))
	var mu sync.Mutex
	arrived, open := 0, make(chan struct{})
	f.llm.SetDefault(func(c llmtest.Call) llmtest.Reply {
		mu.Lock()
		arrived++
		if arrived == 4 {
			close(open)
		}
		held := arrived <= 4
		mu.Unlock()
		if held {
			select {
			case <-open:
			case <-time.After(8 * time.Second):
				return llmtest.Reply{Status: 400, Body: `{"error":{"message":"held back: fewer than 4 calls in flight together"}}`}
			}
		}
		var files []string
		for _, m := range promptPathRE.FindAllStringSubmatch(c.Prompt, -1) {
			files = append(files, fmt.Sprintf(`{"path":%q,"note":"note from %s","trivial":true}`, m[1], c.SchemaName))
		}
		if c.SchemaName == review.WalkthroughSchemaName {
			return llmtest.Reply{JSON: `{"summary":"Docs and code.","files":[` + strings.Join(files, ",") + `]}`}
		}
		return llmtest.Reply{JSON: `{"summary":"Reviewed.","files":[` + strings.Join(files, ",") + `],"findings":[]}`}
	})
	out, code := execPipe(t, f.env("LLM_CONCURRENCY=4", "LLM_LIGHT_MODEL=stub-light"))
	require.Equal(t, 0, code, out)

	var light []llmtest.Call
	reviewed := map[string]bool{}
	for _, c := range f.llm.Calls() {
		if c.SchemaName == review.WalkthroughSchemaName {
			light = append(light, c)
			continue
		}
		assert.Equal(t, "stub-model", c.Model)
		for _, m := range promptPathRE.FindAllStringSubmatch(c.Prompt, -1) {
			reviewed[m[1]] = true
		}
	}
	require.Len(t, light, 1, "one light call")
	assert.Equal(t, "stub-light", light[0].Model, "LLM_LIGHT_MODEL answers the light pass")
	triaged := promptPathRE.FindAllStringSubmatch(light[0].Prompt, -1)
	assert.GreaterOrEqual(t, len(triaged), 10)
	for _, m := range triaged {
		assert.True(t, strings.HasPrefix(m[1], "docs/"), "only what may be trivial is triaged: %s", m[1])
		assert.False(t, reviewed[m[1]], "a page the light pass found trivial is not reviewed: %s", m[1])
	}
	for i := range 4 {
		assert.True(t, reviewed[fmt.Sprintf("app/big%d.go", i)])
	}

	summaries, _ := f.comments()
	require.Len(t, summaries, 1, out)
	body := summaries[0].Raw
	assert.NotContains(t, body, "walkthrough unavailable", "the light pass was not held back")
	assert.NotContains(t, body, "Review incomplete")
	assert.Contains(t, body, fmt.Sprintf("%d file(s) with trivial changes got the walkthrough only", len(triaged)))
	assert.Contains(t, body, "| `docs/page23.md` | added +60 −0 | note from submit_walkthrough |")
	assert.Contains(t, body, "| `app/big0.go` | added +1000 −0 | note from submit_review |")
}
