package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helpCases are every command and subcommand with a variable it reads (""
// for none) and a flag it takes ("" for none).
var helpCases = []struct{ args, variable, flag string }{
	{"pipe", "LLM_API_KEY", ""},
	{"action", "GITHUB_TOKEN", ""},
	{"review", "LLM_PROVIDER", "--base"},
	{"relay", "RELAY_WEBHOOK_SECRET", ""},
	{"setup", "RELAY_WEBHOOK_SECRET", "--replace-url"},
	{"doctor", "BITBUCKET_ACCESS_TOKEN", "--no-write-probes"},
	{"config", "", ""},
	{"config validate", "", ""},
	{"config schema", "", ""},
	{"version", "", ""},
	{"help", "", ""},
}

// Every command answers -h, --help and `bitreview help CMD` with its
// usage and variables on stdout, exit 0, and runs nothing: without a
// single variable set, pipe/action/relay would fail their validation.
func TestEveryCommandAnswersHelp(t *testing.T) {
	for _, tc := range helpCases {
		words := strings.Fields(tc.args)
		for _, args := range [][]string{
			append(append([]string{}, words...), "--help"),
			append(append([]string{}, words...), "-h"),
			append([]string{"help"}, words...),
		} {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, nil, &stdout, &stderr)
			require.Equal(t, exitOK, code, "%q: %s%s", args, stdout.String(), stderr.String())
			out := stdout.String()
			assert.Empty(t, stderr.String(), "%q", args)
			assert.Contains(t, out, "Usage: bitreview "+tc.args, "%q", args)
			assert.NotContains(t, out, "invalid configuration", "%q ran the command", args)
			if tc.variable != "" {
				assert.Contains(t, out, "Variables:", "%q", args)
				assert.Contains(t, out, tc.variable, "%q", args)
			}
			if tc.flag != "" {
				assert.Contains(t, out, tc.flag[1:], "%q", args)
			}
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var stdout bytes.Buffer
	require.Equal(t, exitOK, run(t.Context(), []string{"help"}, nil, &stdout, &stdout))
	for _, tc := range helpCases {
		assert.Contains(t, stdout.String(), "  bitreview "+tc.args, "bitreview help lists %s", tc.args)
	}
}

// Unknown commands and subcommands: a message and the usage on stderr,
// exit 2.
func TestUnknownCommandsExit2(t *testing.T) {
	for _, args := range [][]string{{"deploy"}, {"config", "lint"}, {"help", "deploy"}, {"config"}, {}} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, nil, &stdout, &stderr)
		assert.Equal(t, exitConfig, code, "%q", args)
		assert.Empty(t, stdout.String(), "%q", args)
		assert.Contains(t, stderr.String(), "Usage: bitreview", "%q", args)
	}
}
