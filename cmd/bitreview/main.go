// Command bitreview reviews Bitbucket Cloud pull requests with an LLM. It
// runs as a Bitbucket Pipe (bitreview pipe) and locally (bitreview review).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
