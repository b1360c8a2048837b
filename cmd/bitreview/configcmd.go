package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bitreview/bitreview/internal/termsafe"
	"github.com/bitreview/bitreview/repoconfig"
)

// runConfig is `bitreview config validate|schema`, for editors and
// pre-commit hooks. validate exits 0 when the file is usable (warnings
// included), 2 when it has errors or cannot be read.
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
		name := ".bitreview.yaml"
		if len(args) > 1 {
			name = args[1]
		}
		data, err := readLimited(name, repoconfig.MaxSize+1)
		if err != nil {
			fmt.Fprintf(stderr, "✖ %v\n", err)
			return exitConfig
		}
		_, warns, err := repoconfig.Parse(name, data)
		for _, w := range warns {
			fmt.Fprintf(stderr, "! %s: %s\n", name, w)
		}
		var ce *repoconfig.Error
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				fmt.Fprintf(stderr, "✖ %s: %s\n", name, p)
			}
			return exitConfig
		}
		if err != nil {
			fmt.Fprintf(stderr, "✖ %s: %v\n", name, err)
			return exitConfig
		}
		fmt.Fprintf(stdout, "✔ %s is valid\n", name)
		return exitOK
	}
	fmt.Fprintf(stderr, "bitreview config: unknown subcommand %q\n\n", args[0])
	configUsage(stderr)
	return exitConfig
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
