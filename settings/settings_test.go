package settings

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	s, err := Load(nil)
	require.Nil(t, err)
	assert.Equal(t, 30*time.Minute, s.RunTimeout)
	assert.Equal(t, 120*time.Second, s.LLMTimeout)
	assert.Equal(t, "https://api.bitbucket.org/2.0", s.APIURL)
	assert.Equal(t, "openai", s.LLMProvider)
	assert.Equal(t, ".bitreview.yaml", s.ConfigFile)
	assert.True(t, s.CodeInsights)
	assert.True(t, s.Incremental)
	assert.Empty(t, s.PathFilters)
}

// Every unparsable variable is named in one error, with the type it needs,
// never with its value (which may be a secret).
func TestLoadNamesEveryUnparsableVariableNeverItsValue(t *testing.T) {
	t.Parallel()
	const canary = "s3cr3t-canary-value"
	_, err := Load([]string{"LLM_TIMEOUT=" + canary, "MAX_FILES=" + canary, "DEBUG=" + canary, "LLM_API_KEY=" + canary})
	require.NotNil(t, err)
	assert.NotContains(t, err.Error(), canary)
	assert.ElementsMatch(t, []string{
		"LLM_TIMEOUT: must be a duration such as 90s or 2m",
		"MAX_FILES: must be a whole number",
		"DEBUG: must be true or false",
	}, err.Problems)
}

func TestReadListVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		vars     map[string]string
		want     []string
		problems []string
	}{
		{"pipe list", map[string]string{"PATH_FILTERS_COUNT": "2", "PATH_FILTERS_0": "src/**", "PATH_FILTERS_1": "!**/*.md"}, []string{"src/**", "!**/*.md"}, nil},
		{"comma separated", map[string]string{"PATH_FILTERS": "a, b,"}, []string{"a", "b"}, nil},
		{"count wins over the plain variable", map[string]string{"PATH_FILTERS_COUNT": "1", "PATH_FILTERS_0": "x", "PATH_FILTERS": "y"}, []string{"x"}, nil},
		{"empty count reads the plain variable", map[string]string{"PATH_FILTERS_COUNT": " ", "PATH_FILTERS": "y"}, []string{"y"}, nil},
		{"unset", map[string]string{}, nil, nil},
		{"missing entry", map[string]string{"PATH_FILTERS_COUNT": "2", "PATH_FILTERS_0": "src/**"}, []string{"src/**"},
			[]string{"PATH_FILTERS_1: not set, but PATH_FILTERS_COUNT is 2: set PATH_FILTERS_0 to PATH_FILTERS_1, or correct the count"}},
		{"count not a number", map[string]string{"PATH_FILTERS_COUNT": "many"}, nil,
			[]string{"PATH_FILTERS_COUNT: must be a whole number (Bitbucket sets it for a YAML list)"}},
		{"negative count", map[string]string{"PATH_FILTERS_COUNT": "-1"}, nil,
			[]string{"PATH_FILTERS_COUNT: must be a whole number (Bitbucket sets it for a YAML list)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, problems := readList(tc.vars, "PATH_FILTERS")
			assert.Equal(t, tc.want, list)
			assert.Equal(t, tc.problems, problems)
		})
	}
}

// A list problem comes out of Load like a parse error.
func TestLoadReportsListProblems(t *testing.T) {
	t.Parallel()
	_, err := Load([]string{"PATH_FILTERS_COUNT=2", "PATH_FILTERS_0=src/**"})
	require.NotNil(t, err)
	require.Len(t, err.Problems, 1)
	assert.Contains(t, err.Problems[0], "PATH_FILTERS_1: not set, but PATH_FILTERS_COUNT is 2")
}

func TestErrorListsEveryProblem(t *testing.T) {
	t.Parallel()
	err := &Error{Problems: []string{"A: x", "B: y"}}
	assert.Equal(t, "invalid configuration:\n  - A: x\n  - B: y", err.Error())
}

func TestVarsCarryTheDefaults(t *testing.T) {
	t.Parallel()
	vars := Vars()
	assert.Contains(t, vars, Var{Key: "MAX_COMMENTS", Default: "30"})
	assert.Contains(t, vars, Var{Key: "LLM_MODEL"})
	assert.True(t, slices.ContainsFunc(vars, func(v Var) bool { return v.Key == "BITBUCKET_PR_ID" }))
	assert.Contains(t, VarsOf(&Relay{}), Var{Key: "RELAY_LISTEN", Default: ":8080"})
	assert.Contains(t, VarsOf(&Action{}), Var{Key: "CHECK_RUN", Default: "true"})
}
