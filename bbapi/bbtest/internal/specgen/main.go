// Command specgen writes the subset of Atlassian's OpenAPI document that the
// fake Bitbucket embeds: the operations bbtest serves (bbtest.Operations),
// the components they reference, no descriptions or examples. Beside the
// subset (name.json) it writes name.sha256, the full document's SHA-256.
//
//	go generate ./bbapi/bbtest
//	go run ./bbapi/bbtest/internal/specgen -in ../shared/bitbucket/openapi.json -out /tmp/x/openapi-subset.json
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/bbapi/bbtest/internal/specgen/subset"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("specgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "the full openapi.json")
	out := fs.String("out", "", "the subset to write (….json; the SHA-256 goes to ….sha256 beside it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *in == "" || !strings.HasSuffix(*out, ".json") {
		fmt.Fprintln(stderr, "specgen: -in FILE and -out FILE.json are required")
		return 2
	}
	if err := generate(*in, *out); err != nil {
		fmt.Fprintf(stderr, "specgen: %v\n", err)
		return 1
	}
	return 0
}

func generate(in, out string) error {
	full, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var ops []subset.Op
	for _, op := range bbtest.Operations() {
		ops = append(ops, subset.Op{Method: op.Method, Path: op.Path})
	}
	data, err := subset.Generate(full, ops)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	sum := subset.SumLine(full, filepath.Base(in))
	return os.WriteFile(strings.TrimSuffix(out, ".json")+".sha256", []byte(sum), 0o644)
}
