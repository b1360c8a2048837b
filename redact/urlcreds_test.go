package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/redact"
)

// Requirement 32: credentials in a URL's userinfo match no token rule, so
// a rule of its own finds them, in any scheme, percent-encoded or not.
func TestURLCredentials(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // the redacted userinfo; "" = nothing found
	}{
		{name: "postgres", text: `dsn := "postgres://admin:PASSWORD@db.internal:5432/app?sslmode=require"`, want: "admin:PASSWORD"},
		{name: "password only", text: `REDIS_URL=redis://:s3cr3t-pass@cache:6379/0`, want: ":s3cr3t-pass"},
		{name: "percent-encoded token", text: "git clone https://x-token-auth:Zx9%2Fq%40Lm7%3Dw@bitbucket.org/team/repo.git", want: "x-token-auth:Zx9%2Fq%40Lm7%3Dw"},
		{name: "raw @ in the password", text: "mongodb+srv://svc:p@ss-w0rd@cluster0.example.net/db", want: "svc:p@ss-w0rd"},
		{name: "jdbc", text: "jdbc:mysql://root:hunter22@localhost/test", want: "root:hunter22"},
		{name: "amqp in yaml", text: "  url: 'amqp://guest:Gu3st-Pa55@rabbit'", want: "guest:Gu3st-Pa55"},
		{name: "user only (ssh)", text: "git@bitbucket.org:team/repo.git and ssh://git@bitbucket.org/team/repo.git"},
		{name: "e-mail", text: "mailto:jane.doe@example.com, https://jane@example.com:8443/path"},
		{name: "colon in the path", text: "https://example.com/a:b@c"},
		{name: "empty password", text: "postgres://admin:@db/app"},
		{name: "template variable", text: "postgres://admin:${DB_PASSWORD}@db/app and redis://:$REDIS_PASS@cache"},
		{name: "go template", text: "amqp://{{ .User }}:{{.Pass}}@rabbit/"},
		{name: "printf verb", text: `fmt.Sprintf("postgres://%s:%s@%s/%s", u, p, h, d)`},
		{name: "masked", text: "postgres://admin:****@db/app"},
	}
	sc := newScanner(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sc.ScanText("description", "Setup notes:\n"+tt.text+"\n")
			var values []string
			for _, s := range got {
				if s.Rule == redact.RuleURLCredentials {
					values = append(values, s.Value)
				}
			}
			if tt.want == "" {
				assert.Empty(t, values)
				return
			}
			assert.Equal(t, []string{tt.want}, values)
		})
	}
}

// In the diff the rule is a finding on its line like any other secret,
// and an encoded URL is redacted in its encoded form.
func TestURLCredentialsInTheDiff(t *testing.T) {
	enc := b64("postgres://admin:PASSWORD@db.internal/app")
	d := (&diffBuilder{}).modified("app/db.go", 10,
		" package db",
		"+const dsn = \"postgres://admin:PASSWORD@db.internal/app\"",
		"+const enc = \""+enc+"\"",
	).parse(t)
	got := byRule(newScanner(t).Scan(d))
	assert.Equal(t, []string{"admin:PASSWORD"}, got[redact.RuleURLCredentials+"@11"])
	require.Contains(t, got, redact.RuleURLCredentials+"@12")
	assert.Contains(t, got[redact.RuleURLCredentials+"@12"], enc)
}
