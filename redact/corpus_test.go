package redact_test

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/redact"
)

// Canary credentials are built at run time from a seeded generator, so no
// credential-shaped literal sits in the repository for push protection or
// scanners to trip on.
type canaries struct {
	AWS    string // AWS access key id
	GitHub string // classic personal access token
	Slack  string // bot token
	PEM    []string
}

func newCanaries(seed uint64) canaries {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	const upper27 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const b64 = alnum + "+/"
	c := canaries{
		AWS:    "AK" + "IA" + pick(upper27, 16),
		GitHub: "gh" + "p_" + pick(alnum, 36),
		Slack:  "xo" + "xb-" + pick("0123456789", 12) + "-" + pick("0123456789", 13) + "-" + pick(alnum, 24),
	}
	c.PEM = append(c.PEM, "-----BEGIN RSA "+"PRIVATE KEY-----")
	for range 12 {
		c.PEM = append(c.PEM, pick(b64, 64))
	}
	c.PEM = append(c.PEM, pick(b64, 40)+"==", "-----END RSA "+"PRIVATE KEY-----")
	return c
}

// values are the strings that must never reach a prompt or a comment.
func (c canaries) values() []string {
	return append([]string{c.AWS, c.GitHub, c.Slack}, c.PEM[1:len(c.PEM)-1]...)
}

// diffBuilder writes a git diff by hand.
type diffBuilder struct{ b strings.Builder }

// added writes a new file holding lines.
func (d *diffBuilder) added(path string, lines ...string) *diffBuilder {
	fmt.Fprintf(&d.b, "diff --git a/%s b/%s\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", path, path, path, len(lines))
	for _, l := range lines {
		d.b.WriteString("+" + l + "\n")
	}
	return d
}

// modified writes a hunk of path at new-side line start: context lines
// are prefixed " ", added "+", removed "-".
func (d *diffBuilder) modified(path string, start int, lines ...string) *diffBuilder {
	oldN, newN := 0, 0
	for _, l := range lines {
		switch l[0] {
		case ' ':
			oldN++
			newN++
		case '+':
			newN++
		case '-':
			oldN++
		}
	}
	fmt.Fprintf(&d.b, "diff --git a/%s b/%s\nindex 1111111..2222222 100644\n--- a/%s\n+++ b/%s\n@@ -%d,%d +%d,%d @@\n", path, path, path, path, start, oldN, start, newN)
	for _, l := range lines {
		d.b.WriteString(l + "\n")
	}
	return d
}

func (d *diffBuilder) binary(path string) *diffBuilder {
	fmt.Fprintf(&d.b, "diff --git a/%s b/%s\nnew file mode 100644\nindex 0000000..3333333\nBinary files /dev/null and b/%s differ\n", path, path, path)
	return d
}

func (d *diffBuilder) parse(t testing.TB) *diffparse.Diff {
	t.Helper()
	diff, err := diffparse.Parse([]byte(d.b.String()))
	require.NoError(t, err)
	return diff
}

var (
	scannerOnce sync.Once
	scanner     *redact.Scanner
	scannerErr  error
)

// newScanner shares one Scanner between tests, as a process would.
func newScanner(t testing.TB) *redact.Scanner {
	t.Helper()
	scannerOnce.Do(func() { scanner, scannerErr = redact.New() })
	require.NoError(t, scannerErr)
	return scanner
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
