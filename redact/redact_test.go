package redact_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/redact"
	"github.com/bitreview/bitreview/review"
)

// byRule groups secrets as "rule@line" → values.
func byRule(secrets []review.Secret) map[string][]string {
	out := map[string][]string{}
	for _, s := range secrets {
		k := s.Rule + "@" + strconv.Itoa(s.Line)
		out[k] = append(out[k], s.Value)
	}
	return out
}

func TestScanFindsSecretsOnTheirNewSideLines(t *testing.T) {
	c := newCanaries(1)
	hunk := []string{
		" package config",                     // 40
		"-const region = \"eu-west-1\"",       // old only
		"+const awsKeyID = \"" + c.AWS + "\"", // 41
		"+const region = \"eu-west-1\"",       // 42
		" ",                                   // 43
		"+var gh = \"" + c.GitHub + "\"",      // 44
	}
	d := (&diffBuilder{}).modified("app/config.go", 40, hunk...).
		added("deploy/key.txt", append([]string{"some notes"}, c.PEM...)...).
		parse(t)

	got := byRule(newScanner(t).Scan(d))
	assert.Equal(t, []string{c.AWS}, got["aws-access-token@41"])
	assert.Equal(t, []string{c.GitHub}, got["github-pat@44"])
	// The PEM block is one finding on its first line, with every line of
	// the key body redacted.
	require.Contains(t, got, "private-key@2")
	for _, l := range c.PEM[1 : len(c.PEM)-1] {
		assert.Contains(t, got["private-key@2"], l)
	}
}

// Requirement 14: "gitleaks:allow" is written by the PR author; it must
// not keep a value out of the redaction.
func TestGitleaksAllowIsIgnored(t *testing.T) {
	c := newCanaries(2)
	d := (&diffBuilder{}).added("app/keys.go",
		"package app",
		"const id = \""+c.AWS+"\" // gitleaks:allow",
		"const tok = \""+c.GitHub+"\" // gitleaks:allow",
	).parse(t)
	got := byRule(newScanner(t).Scan(d))
	assert.Equal(t, []string{c.AWS}, got["aws-access-token@2"])
	assert.Equal(t, []string{c.GitHub}, got["github-pat@3"])
}

// gitleaks' global path allowlist would skip .svg files, gradlew, jquery
// and any path containing "gitleaks.toml"; those files are sent to the
// model, so they are scanned.
func TestAuthorChosenPathsDoNotExemptContent(t *testing.T) {
	c := newCanaries(3)
	for _, p := range []string{"static/logo.svg", "gradlew", "web/jquery-ui-custom.js", "docs/gitleaks.toml", "config/.gitleaksignore"} {
		d := (&diffBuilder{}).added(p, "x = \""+c.GitHub+"\"").parse(t)
		got := byRule(newScanner(t).Scan(d))
		assert.Equal(t, []string{c.GitHub}, got["github-pat@1"], p)
	}
}

func TestFilesNeverSentToTheModelAreNotScanned(t *testing.T) {
	c := newCanaries(4)
	for _, p := range []string{"package-lock.json", "go.sum", "vendor/github.com/x/y.go", "node_modules/a/index.js", "dist/app.min.js"} {
		d := (&diffBuilder{}).added(p, "x = \""+c.GitHub+"\"").parse(t)
		assert.Empty(t, newScanner(t).Scan(d), p)
	}
}

func TestDecodedSecretIsRedactedInItsEncodedForm(t *testing.T) {
	c := newCanaries(5)
	enc := b64("token: " + c.GitHub)
	d := (&diffBuilder{}).added("app/blob.go", "package app", "", "var blob = \""+enc+"\"").parse(t)
	secrets := newScanner(t).Scan(d)
	var values []string
	for _, s := range secrets {
		assert.Equal(t, 3, s.Line, s.Rule)
		values = append(values, s.Value)
	}
	assert.Contains(t, values, enc, "the encoded form, as it appears in the prompt")
}

func TestSecretFilesFlaggedByPath(t *testing.T) {
	c := newCanaries(6)
	sc := newScanner(t)
	tests := []struct {
		name   string
		diff   *diffBuilder
		rule   string // "" = not flagged
		line   int
		redact []string
		keep   []string // values that must not be redacted
	}{
		{name: "ssh key", diff: (&diffBuilder{}).added("home/.ssh/id_ed25519", c.PEM...), rule: "private-key", line: 1, redact: c.PEM[1 : len(c.PEM)-1]},
		{name: "key body without header", diff: (&diffBuilder{}).added("certs/server.key", c.PEM[1:len(c.PEM)-1]...), rule: redact.RulePrivateKeyFile, line: 1, redact: c.PEM[1 : len(c.PEM)-1]},
		{name: "binary keystore", diff: (&diffBuilder{}).binary("android/release.p12"), rule: redact.RulePrivateKeyFile, line: 0},
		{name: "certificate only", diff: (&diffBuilder{}).added("certs/ca.pem", "-----BEGIN CERTIFICATE-----", c.PEM[1], "-----END CERTIFICATE-----")},
		{name: "public key", diff: (&diffBuilder{}).added("keys/id_rsa.pub", "ssh-rsa "+c.PEM[1])},
		{
			name: ".env", diff: (&diffBuilder{}).added(".env", "# local settings", "DEBUG=true", "PORT=8080", "DB_PASSWORD=hunter22", "export API_URL=\"https://api.example.com/v1\"", "STRIPE='sk_live_abc123def456'", "MODE=production"),
			rule: redact.RuleEnvFile, line: 1, redact: []string{"hunter22", "https://api.example.com/v1", "sk_live_abc123def456"}, keep: []string{"true", "8080", "production"},
		},
		{name: ".env.production", diff: (&diffBuilder{}).added("deploy/.env.production", "SECRET_KEY=abcd1234"), rule: redact.RuleEnvFile, line: 1, redact: []string{"abcd1234"}},
		{name: ".env.example", diff: (&diffBuilder{}).added(".env.example", "SECRET_KEY=changeme")},
		{name: "netrc", diff: (&diffBuilder{}).added(".netrc", "machine api.example.com login bot password s3cr3t-pw"), rule: redact.RuleCredentialsFile, line: 1, redact: []string{"machine api.example.com login bot password s3cr3t-pw"}},
		{name: ".env edited", diff: (&diffBuilder{}).modified(".env", 3, " A=1", "+TOKEN=zzzz-yyyy"), rule: redact.RuleEnvFile, line: 4, redact: []string{"zzzz-yyyy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := sc.Scan(tt.diff.parse(t))
			if tt.rule == "" {
				assert.Empty(t, secrets)
				return
			}
			require.NotEmpty(t, secrets)
			var values []string
			for _, s := range secrets {
				assert.Equal(t, tt.rule, s.Rule, "one finding per file")
				assert.Equal(t, tt.line, s.Line)
				values = append(values, s.Value)
			}
			for _, v := range tt.redact {
				assert.Contains(t, values, v)
			}
			for _, v := range tt.keep {
				assert.NotContains(t, values, v)
			}
		})
	}
}

// A large added file is scanned in overlapping blocks; a key straddling a
// block boundary is still found whole, on its real line.
func TestLargeAddedFileKeepsLineNumbers(t *testing.T) {
	c := newCanaries(7)
	var lines []string
	for i := range 3000 {
		lines = append(lines, "x := compute("+strconv.Itoa(i)+") // filler")
	}
	at := 390 // 0-based: the key spans lines 391..405, across the 400-line boundary
	lines = slices.Insert(lines, at, c.PEM...)
	lines[2500] = "tok := \"" + c.GitHub + "\""
	d := (&diffBuilder{}).added("big/file.go", lines...).parse(t)
	got := byRule(newScanner(t).Scan(d))
	require.Contains(t, got, "private-key@391")
	for _, l := range c.PEM[1 : len(c.PEM)-1] {
		assert.Contains(t, got["private-key@391"], l)
	}
	assert.Equal(t, []string{c.GitHub}, got["github-pat@2501"])
	assert.Len(t, got, 2, "no duplicate from the overlap: %v", got)
}

func TestScanText(t *testing.T) {
	c := newCanaries(8)
	got := newScanner(t).ScanText("description", "Deploy notes\r\nuse "+c.AWS+" for now\n")
	require.Len(t, got, 1)
	assert.Equal(t, review.Secret{Path: "description", Rule: "aws-access-token", Value: c.AWS}, got[0])
	assert.Empty(t, newScanner(t).ScanText("title", "  "))
}

// gitleaks logs through a global zerolog logger to stderr, at trace level
// with the secret value; New silences it, and scanning never opens a
// connection (no verification).
func TestScanIsSilentAndOffline(t *testing.T) {
	var calls atomic.Int32
	orig := http.DefaultTransport
	http.DefaultTransport = roundTripFunc(func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, context.Canceled
	})
	t.Cleanup(func() { http.DefaultTransport = orig })

	r, w, err := os.Pipe()
	require.NoError(t, err)
	stderr := os.Stderr
	os.Stderr = w
	c := newCanaries(9)
	sc, err := redact.New()
	if err == nil {
		d := (&diffBuilder{}).added("a.go", "k = \""+c.AWS+"\" // gitleaks:allow", "t = \""+c.GitHub+"\"").parse(t)
		_ = sc.Scan(d)
		_ = sc.ScanText("d", c.Slack)
	}
	os.Stderr = stderr
	require.NoError(t, w.Close())
	out, _ := io.ReadAll(r)
	require.NoError(t, err)
	assert.Empty(t, string(out), "nothing written to stderr")
	assert.Zero(t, calls.Load(), "no HTTP request")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// One Scanner serves concurrent reviews (run with -race).
func TestConcurrentScans(t *testing.T) {
	c := newCanaries(12)
	d := (&diffBuilder{}).added("a.go", "k = \""+c.AWS+"\"", "t = \""+c.GitHub+"\"").added(".env", "TOKEN=abcd-efgh-ijkl").parse(t)
	sc := newScanner(t)
	want := len(sc.Scan(d))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Len(t, sc.Scan(d), want)
			_ = sc.ScanText("title", c.Slack)
		}()
	}
	wg.Wait()
}
