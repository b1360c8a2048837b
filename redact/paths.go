package redact

import (
	"path"
	"regexp"
	"strings"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Rules of the secrets flagged by path.
const (
	RulePrivateKeyFile  = "private-key-file"
	RuleEnvFile         = "env-file"
	RuleCredentialsFile = "credentials-file"
)

// Private key files by extension and by name (OpenSSH defaults).
var (
	keyExts = map[string]bool{
		".pem": true, ".key": true, ".p12": true, ".pfx": true, ".p8": true, ".pk8": true,
		".jks": true, ".keystore": true, ".bks": true, ".ppk": true, ".kdbx": true,
	}
	keyNames = map[string]bool{
		"id_rsa": true, "id_dsa": true, "id_ecdsa": true, "id_ed25519": true,
		"id_ecdsa_sk": true, "id_ed25519_sk": true,
	}
	credentialNames = map[string]bool{
		".netrc": true, "_netrc": true, ".pgpass": true, ".git-credentials": true,
		".htpasswd": true, ".s3cfg": true, ".boto": true,
	}
	// Suffixes of .env files that document variables rather than set them.
	envTemplates = []string{"example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "schema", "spec"}
)

// fileRule names why a file is secret by its path, or "".
func fileRule(f *diffparse.File) string {
	p := f.NewPath
	base := path.Base(p)
	lower := strings.ToLower(base)
	ext := path.Ext(lower)
	switch {
	case keyNames[lower] || keyExts[ext]:
		return RulePrivateKeyFile
	case credentialNames[lower] || lower == "credentials" && strings.Contains(p, ".aws/"):
		return RuleCredentialsFile
	case lower == ".env" || lower == ".envrc" || strings.HasPrefix(lower, ".env.") || strings.HasSuffix(lower, ".env"):
		for _, t := range envTemplates {
			if strings.Contains(lower, t) {
				return ""
			}
		}
		return RuleEnvFile
	}
	return ""
}

// fileSecrets applies the path rules to f. A secret file gets one finding,
// anchored on its first added line (or on the private key the content scan
// found), and every value in it is redacted: found holds the content scan's
// secrets for f, which are merged into that one finding.
func fileSecrets(f *diffparse.File, found []review.Secret) []review.Secret {
	rule := fileRule(f)
	added := addedLines(f)
	if rule == "" || (!f.Binary && len(added) == 0) {
		return found
	}
	if rule == RulePrivateKeyFile && !f.Binary && !looksPrivate(added) {
		return found // a certificate or public key under a key-like name
	}
	line := 0
	if len(added) > 0 {
		line = added[0].New
	}
	for _, s := range found {
		if s.Rule == "private-key" {
			line, rule = s.Line, s.Rule
			break
		}
	}
	out := []review.Secret{{Path: f.NewPath, Line: line, Rule: rule}}
	for _, s := range found {
		out = append(out, review.Secret{Path: f.NewPath, Line: line, Rule: rule, Value: s.Value})
	}
	for _, l := range added {
		for _, v := range valuesOf(rule, l.Text) {
			out = append(out, review.Secret{Path: f.NewPath, Line: line, Rule: rule, Value: v})
		}
	}
	return out
}

func addedLines(f *diffparse.File) []diffparse.Line {
	var out []diffparse.Line
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if l.Kind == diffparse.Added {
				out = append(out, l)
			}
		}
	}
	return out
}

// looksPrivate reports whether a key-named text file holds something other
// than only certificates or public keys.
func looksPrivate(lines []diffparse.Line) bool {
	public := false
	for _, l := range lines {
		switch t := l.Text; {
		case strings.Contains(t, "PRIVATE KEY"):
			return true
		case strings.Contains(t, "-----BEGIN CERTIFICATE") || strings.Contains(t, "-----BEGIN PUBLIC KEY") ||
			strings.Contains(t, "-----BEGIN X509 CRL") || strings.Contains(t, "-----BEGIN CERTIFICATE REQUEST"):
			public = true
		}
	}
	return !public
}

var (
	envLine     = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*?)\s*$`)
	secretName  = regexp.MustCompile(`(?i)key|secret|token|pass|pwd|credential|auth|private|salt|dsn|cert|session|cookie|signature`)
	plainValue  = regexp.MustCompile(`(?i)^(?:true|false|yes|no|on|off|null|none|nil|[0-9.:,_-]+|[a-z]+)$`)
	envComments = regexp.MustCompile(`\s+#.*$`)
)

// valuesOf returns the text to redact from one added line of a secret
// file: the whole line of a key or credentials file, the value of a .env
// assignment unless it is plainly not a secret (a number, a boolean, a
// single lowercase word for a variable whose name does not suggest one).
func valuesOf(rule, text string) []string {
	t := strings.TrimSpace(text)
	if rule != RuleEnvFile {
		if len(t) >= 4 {
			return []string{t}
		}
		return nil
	}
	if t == "" || strings.HasPrefix(t, "#") {
		return nil
	}
	m := envLine.FindStringSubmatch(t)
	if m == nil {
		if len(t) >= 8 {
			return []string{t}
		}
		return nil
	}
	v := m[2]
	if !strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, `'`) {
		v = envComments.ReplaceAllString(v, "")
	}
	v = strings.Trim(v, `"'`)
	named := secretName.MatchString(m[1])
	switch {
	case len(v) < 4, !named && (len(v) < 8 || plainValue.MatchString(v)):
		return nil
	}
	return []string{v}
}
