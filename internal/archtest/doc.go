// Package archtest holds the test that keeps the module's import arrows
// pointing one way (docs/architecture.md). It has no code of its own.
package archtest
