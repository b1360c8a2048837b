package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/service/github/ghtest"
)

// oneFileDiff is testdata/pr.diff's first file alone.
func oneFileDiff(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/pr.diff")
	require.NoError(t, err)
	first, _, found := strings.Cut(string(raw)[1:], "\ndiff --git ")
	require.True(t, found)
	return string(raw[0]) + first + "\n"
}

// The step log counts in words a reader expects: "1 file", not "1 files".
func TestStepLogCountsOneFile(t *testing.T) {
	t.Parallel()
	one := oneFileDiff(t)
	t.Run("pipe", func(t *testing.T) {
		t.Parallel()
		f := newFixtureWithDiff(t, []byte(one))
		out, code := execPipe(t, f.env())
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "Diff fetched: 1 file, ")
		assert.NotContains(t, out, "1 files")
	})
	t.Run("action", func(t *testing.T) {
		t.Parallel()
		f := newGHFixture(t)
		require.NoError(t, f.gh.SetPullRequest(ghtest.PullRequest{
			Number: 7, Title: "Add", Body: "Adds.", Author: "alice",
			HeadRef: "feature/users", BaseRef: "main", HeadSHA: srcSHA, BaseSHA: dstSHA, Diff: one,
		}))
		out, code := execAction(t, f.env())
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "Diff fetched: 1 file, ")
		assert.NotContains(t, out, "1 files")
	})
}

// An error names its stage once: "fetch pull request: fetch pull request:"
// repeated the service's own wrapping.
func TestErrorNamesItsStageOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stage string
		env         []string
		fault       *bbtest.Fault
	}{
		{name: "404 pull request", stage: "fetch pull request", env: []string{"BITBUCKET_PR_ID=99"}},
		{name: "401 token", stage: "fetch pull request", env: []string{"BITBUCKET_ACCESS_TOKEN=not-a-token"}},
		{name: "report refused", stage: "code insights",
			fault: &bbtest.Fault{Method: "PUT", PathContains: "/reports/", Status: 500, Times: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tc.fault != nil {
				f.bb.Fault(*tc.fault)
			}
			out, _ := execPipe(t, f.env(tc.env...))
			require.Contains(t, out, tc.stage+": ", out)
			for _, line := range strings.Split(out, "\n") {
				assert.LessOrEqual(t, strings.Count(strings.ToLower(line), tc.stage), 1, "stage named twice: %s", line)
			}
		})
	}
}
