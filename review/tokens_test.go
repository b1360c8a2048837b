package review

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEstimateTokensIsCalibrated checks the offline estimate against a real
// BPE tokenizer (cl100k_base, embedded by tiktoken-go-loader, so nothing is
// downloaded) on the prompts we send and on real source code. Budgets are
// only safe if the estimate does not undercount.
func TestEstimateTokensIsCalibrated(t *testing.T) {
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
	enc, err := tiktoken.GetEncoding("cl100k_base")
	require.NoError(t, err)

	var corpus []string
	for _, g := range []string{"testdata/*.golden", "../*/*.go", "../cmd/bitreview/*.go", "../README.md"} {
		files, err := filepath.Glob(g)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			corpus = append(corpus, string(b))
		}
	}
	require.NotEmpty(t, corpus)
	real, est := 0, 0
	for _, text := range corpus {
		n := len(enc.Encode(text, nil, nil))
		e := EstimateTokens(text)
		assert.GreaterOrEqual(t, float64(e), 0.9*float64(n), "estimate undercounts by more than 10%%: %.60q", text)
		real, est = real+n, est+e
	}
	ratio := float64(est) / float64(real)
	t.Logf("corpus: %d files, %d tokens (cl100k), estimate %d, ratio %.2f", len(corpus), real, est, ratio)
	assert.Less(t, ratio, 1.5, "the estimate should not waste more than half the budget")
}
