package bbtest

import "time"

// Option configures a Server.
type Option func(*config)

type config struct {
	specPath        string
	specSet         bool
	subset          bool // the embedded subset even when the full document is present (tests)
	allowViolations bool
	rateLimit       int
	logf            func(format string, args ...any)
	addr            string
	now             func() time.Time
}

// WithSpec sets the path of the official OpenAPI document. A path where no
// file exists turns validation off (and says so). Without it (and without
// $BITREVIEW_OPENAPI) the server uses ../shared/bitbucket/openapi.json when
// present, else the subset of it embedded in the package.
func WithSpec(path string) Option {
	return func(c *config) { c.specPath, c.specSet = path, true }
}

// AllowViolations stops New from failing the test on violations; they are
// still answered 400 and listed by Violations.
func AllowViolations() Option { return func(c *config) { c.allowViolations = true } }

// WithRateLimit answers 429 to every request after the first n of the
// server's life.
func WithRateLimit(n int) Option { return func(c *config) { c.rateLimit = n } }

// WithLogf sets where the server reports a missing spec (validation skipped).
// New uses t.Logf; NewServer writes to stderr.
func WithLogf(f func(format string, args ...any)) Option {
	return func(c *config) { c.logf = f }
}

// WithAddr listens on addr (e.g. ":8080" in a container) instead of a
// loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithClock sets the clock for created_on/updated_on.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }
