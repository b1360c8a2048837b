package settings

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLintVariables(t *testing.T) {
	t.Parallel()
	s, err := Load([]string{"LINT_REPORTS_COUNT=2", "LINT_REPORTS_0=reports/*.sarif", "LINT_REPORTS_1=build/checkstyle-*.xml"})
	require.Nil(t, err)
	assert.Equal(t, []string{"reports/*.sarif", "build/checkstyle-*.xml"}, s.LintReports)
	assert.Equal(t, "added", s.LintFilter, "product.md's default")

	s, err = Load([]string{"LINT_REPORTS=reports/**/*.sarif, out.xml", "LINT_FILTER=file"})
	require.Nil(t, err)
	assert.Equal(t, []string{"reports/**/*.sarif", "out.xml"}, s.LintReports)
	assert.Equal(t, "file", s.LintFilter)
}

func TestLintVariablesValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"LINT_FILTER=changed"}, "LINT_FILTER: must be one of added, diff_context, file, nofilter"},
		{[]string{"LINT_REPORTS=/etc/passwd"}, "LINT_REPORTS: /etc/passwd is absolute; patterns are relative to the clone"},
		{[]string{"LINT_REPORTS=../x.sarif"}, "LINT_REPORTS: ../x.sarif leaves the clone (..)"},
		{[]string{"LINT_REPORTS=reports/[.sarif"}, "LINT_REPORTS: reports/[.sarif is not a valid glob"},
	} {
		_, err := LoadValidated(append(tc.env, "LLM_API_KEY=k"), "review")
		require.NotNil(t, err, tc.env)
		assert.Contains(t, err.Problems, tc.want)
	}
	_, err := LoadValidated([]string{"LLM_API_KEY=k", "LINT_FILTER=nofilter", "LINT_REPORTS=reports/*.sarif"}, "review")
	assert.Nil(t, err)
}

// LINT_REPORTS is a list variable like PATH_FILTERS: its entries are no
// unknown variables, and the pipe's and the action's help name it.
func TestLintReportsIsAKnownListVariable(t *testing.T) {
	t.Parallel()
	assert.Empty(t, UnknownVariables([]string{"LINT_REPORTS_COUNT=1", "LINT_REPORTS_0=x", "LINT_FILTER=file"}))
	assert.NotEmpty(t, UnknownVariables([]string{"LINT_REPORT=x"}), "a near miss is named")
	for _, cmd := range []string{"pipe", "action", "review"} {
		var keys []string
		for _, v := range CommandVars(cmd) {
			keys = append(keys, v.Key)
		}
		assert.Contains(t, keys, "LINT_REPORTS", cmd)
		assert.Contains(t, keys, "LINT_FILTER", cmd)
	}
}
