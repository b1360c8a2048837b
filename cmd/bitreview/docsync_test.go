package main

// Checks that README.md states what the code and BENCHMARKS.md measure.
// (sync_test.go holds the variable checks; it is long enough.)

import (
	"flag"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's image size is the latest one BENCHMARKS.md measured.
func TestREADMEImageSizeMatchesBenchmarks(t *testing.T) {
	bench, err := os.ReadFile("../../BENCHMARKS.md")
	require.NoError(t, err)
	sizes := regexp.MustCompile(`image (\d+(?:\.\d+)?) MB\s+uncompressed`).FindAllStringSubmatch(string(bench), -1)
	require.NotEmpty(t, sizes, "BENCHMARKS.md: \"image N MB uncompressed\"")
	mb, err := strconv.ParseFloat(sizes[len(sizes)-1][1], 64)
	require.NoError(t, err)

	m := regexp.MustCompile(`static binary alone \(about (\d+) MB`).FindStringSubmatch(readREADME(t).text)
	require.NotNil(t, m, "README.md: \"static binary alone (about N MB\"")
	assert.Equal(t, strconv.Itoa(int(math.Round(mb))), m[1], "README.md's image size, against BENCHMARKS.md's latest")
}

// The README's line-correction claim names the window review/anchor.go
// really searches.
func TestREADMELineCorrectionWindow(t *testing.T) {
	src, err := os.ReadFile("../../review/anchor.go")
	require.NoError(t, err)
	m := regexp.MustCompile(`const driftWindow = (\d+)`).FindStringSubmatch(string(src))
	require.NotNil(t, m, "review/anchor.go: driftWindow")
	assert.Regexp(t, `correcting the model's line\s+numbers from the code it quotes \(within ±`+m[1]+` lines `,
		readREADME(t).sections["Details"])
}

// README's Commands table and `bitreview help` name the same commands,
// with the same usage and every flag.
func TestREADMECommandsMatchHelp(t *testing.T) {
	section := readREADME(t).sections["Commands"]
	require.NotEmpty(t, section, "README.md: a Commands section")
	rows := map[string]string{} // usage -> row
	for _, line := range strings.Split(section, "\n") {
		if m := regexp.MustCompile("^\\| `(bitreview [^`]*)` \\|").FindStringSubmatch(line); m != nil {
			rows[strings.ReplaceAll(m[1], `\|`, "|")] = line
		}
	}
	var want []string
	for _, c := range commandTable() {
		if c.name == "config" {
			continue // the group; its subcommands have rows
		}
		usage := strings.TrimSpace("bitreview " + c.name + " " + c.args)
		want = append(want, usage)
		row, ok := rows[usage]
		if !assert.True(t, ok, "README.md's Commands table lacks `%s`", usage) || c.flags == nil {
			continue
		}
		c.flags().VisitAll(func(f *flag.Flag) {
			assert.Contains(t, row, "--"+f.Name, "README.md: %s takes --%s", c.name, f.Name)
			assert.Contains(t, c.args, "--"+f.Name, "help: %s's usage line lacks --%s", c.name, f.Name)
		})
	}
	for usage := range rows {
		assert.Contains(t, want, usage, "README.md lists `%s`, which `bitreview help` does not", usage)
	}
}
