package main

import (
	"fmt"
	"io"
	"os"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/repoconfig"
)

// runConfig is `bitreview config validate|schema`, for editors and
// pre-commit hooks. validate checks every file given and exits 2 when one
// has errors, an unknown key (the pipe only warns about those) or cannot
// be read, else 0.
func runConfig(args []string, stdout, stderr io.Writer) int {
	// File names and keys come from a file.
	stdout, stderr = termsafe.Writer(stdout), termsafe.Writer(stderr)
	if len(args) == 0 {
		configUsage(stderr)
		return exitConfig
	}
	switch args[0] {
	case "schema":
		if _, err := stdout.Write(repoconfig.Schema); err != nil {
			return exitRemote
		}
		return exitOK
	case "validate":
		names := args[1:]
		if len(names) == 0 {
			names = []string{".bitreview.yaml"}
		}
		code := exitOK
		for _, name := range names {
			if !validateConfigFile(name, stdout, stderr) {
				code = exitConfig
			}
		}
		return code
	}
	fmt.Fprintf(stderr, "bitreview config: unknown subcommand %q\n\n", args[0])
	configUsage(stderr)
	return exitConfig
}

// validateConfigFile checks one file and says so; false when it fails.
func validateConfigFile(name string, stdout, stderr io.Writer) bool {
	data, err := readLimited(name, repoconfig.MaxSize+1)
	if err != nil {
		fmt.Fprintf(stderr, "✖ %v\n", err)
		return false
	}
	ok := true
	for _, c := range repoconfig.Validate(name, data) {
		mark := "!"
		if c.Fatal {
			mark, ok = "✖", false
		}
		fmt.Fprintf(stderr, "%s %s\n", mark, c.Text)
	}
	if ok {
		fmt.Fprintf(stdout, "✔ %s is valid\n", name)
	}
	return ok
}

// configUsage is config's help, for a missing or unknown subcommand.
func configUsage(w io.Writer) {
	if c, ok := lookupCommand("config"); ok {
		printCommandHelp(w, c)
	}
}

func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}
