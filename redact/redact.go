// Package redact finds credentials in a pull request's diff with gitleaks'
// default rules, offline, so that the review engine can flag them and
// remove them from everything it sends to a model.
//
// It implements review.SecretScanner:
//
//	sc, err := redact.New() // once per process: parses ~220 rules
//	opts.Secrets = sc
//
// What it does differently from the gitleaks command line, and why:
//   - "gitleaks:allow" comments are ignored: in a pull request the author
//     writes them, and a value must not reach the model because its line
//     says so.
//   - gitleaks' global path allowlist (images, gradlew, jquery*.js,
//     node_modules, any path containing "gitleaks.toml", …) is dropped, so
//     a path chosen by the author cannot exempt text that is sent to the
//     model. Files that are never sent (binary, lock files, vendored,
//     minified) are not scanned for content instead.
//   - Nothing is verified against a live service and nothing is logged:
//     gitleaks' global zerolog logger is silenced (it would write findings
//     to stderr at trace level).
//   - Added lines are scanned per contiguous block of a hunk, at most
//     blockLines lines at a time with an overlap of blockOverlap lines, with
//     Fragment.StartLine set to the block's new-side line number, so
//     findings carry real line numbers and large added files do not make
//     every rule run over the whole file.
//   - One rule is added (rules.toml): a user name and password in a URL
//     (postgres://admin:secret@db), which no default rule matches.
//   - Added private key files (id_rsa, *.pem, *.key, *.p12, …) and
//     .env-style files are flagged by path, and every value in them is
//     redacted, whether or not a rule matches.
package redact

import (
	"fmt"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// Block sizes for scanning added lines. gitleaks runs every rule whose
// keyword appears in a fragment over the whole fragment, so fragments are
// kept short; the overlap is longer than a PEM-encoded 8192-bit RSA key so
// that no multi-line secret is cut in two.
const (
	blockLines   = 400
	blockOverlap = 120
)

// maxDecodeDepth lets gitleaks decode base64, hex and percent-encoded
// segments before matching (the gitleaks CLI uses 5).
const maxDecodeDepth = 2

// Scanner finds secrets with gitleaks. It is safe for concurrent use.
type Scanner struct {
	det *detect.Detector
}

var _ review.SecretScanner = (*Scanner)(nil)

// loadConfig loads the rules once per process, silencing gitleaks' global
// logger first.
var loadConfig = sync.OnceValues(func() (config.Config, error) {
	logging.Logger = zerolog.Nop()
	return loadRules()
})

// loadRules parses gitleaks' embedded default rules and bitreview's own
// (extraRules) on a private viper instance (detect.NewDetectorDefaultConfig
// uses the global one), without the global path allowlists.
func loadRules() (config.Config, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig + "\n" + extraRules)); err != nil {
		return config.Config{}, fmt.Errorf("redact: read gitleaks rules: %w", err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return config.Config{}, fmt.Errorf("redact: read gitleaks rules: %w", err)
	}
	if vc.AllowList != nil {
		vc.AllowList.Paths = nil
	}
	for _, a := range vc.Allowlists {
		a.Paths = nil
	}
	cfg, err := vc.Translate()
	if err != nil {
		return config.Config{}, fmt.Errorf("redact: compile gitleaks rules: %w", err)
	}
	return cfg, nil
}

// New returns a Scanner with gitleaks' default rules. The first call
// parses and compiles them (tens of milliseconds); create one Scanner per
// process and share it.
func New() (*Scanner, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	det := detect.NewDetector(cfg)
	det.IgnoreGitleaksAllow = true
	det.MaxDecodeDepth = maxDecodeDepth
	det.Redact = 0
	return &Scanner{det: det}, nil
}

// Scan returns the secrets in d's added lines and added secret files.
// Each secret's Line is the new-side line its finding anchors on; a secret
// spanning several lines (a PEM key) is returned as one Secret per line
// with the same Path, Line and Rule, so that the engine posts one finding
// and redacts every line of it from prompts.
func (s *Scanner) Scan(d *diffparse.Diff) []review.Secret {
	var out []review.Secret
	for _, f := range d.Files {
		out = append(out, s.scanFile(f)...)
	}
	return out
}

func (s *Scanner) scanFile(f *diffparse.File) []review.Secret {
	if f.NewPath == "" {
		return nil // deleted: nothing is added
	}
	var out []review.Secret
	if scanContent(f) {
		seen := map[string]bool{}
		for _, b := range addedBlocks(f) {
			for _, fd := range s.det.Detect(detect.Fragment{Raw: b.raw(), FilePath: f.NewPath, StartLine: b.start}) {
				for _, sec := range secretsOf(f.NewPath, b, fd) {
					k := fmt.Sprintf("%d\x00%s\x00%s", sec.Line, sec.Rule, sec.Value)
					if !seen[k] {
						seen[k] = true
						out = append(out, sec)
					}
				}
			}
		}
	}
	return fileSecrets(f, out)
}

// scanContent reports whether f's added lines are scanned: everything the
// engine may send to a model (and generated code, which it does not), but
// not binary files, lock files (integrity hashes look like keys),
// vendored trees or minified bundles.
func scanContent(f *diffparse.File) bool {
	switch diffparse.Classify(f) {
	case diffparse.ClassBinary, diffparse.ClassSubmodule, diffparse.ClassLockfile,
		diffparse.ClassVendored, diffparse.ClassMinified, diffparse.ClassUnsupported:
		return false
	}
	return true
}

// secretsOf turns one gitleaks finding into secrets: one per line of the
// value, all anchored on the finding's first line. A value found after
// decoding (base64, hex, percent-encoding) is redacted in its encoded form,
// the way it appears in the prompt.
func secretsOf(path string, b block, fd report.Finding) []review.Secret {
	line := fd.StartLine
	var values []string
	if isDecoded(fd) {
		if v := encodedToken(b.line(fd.StartLine), fd.StartColumn); v != "" {
			values = append(values, v)
		}
	}
	for _, part := range strings.Split(fd.Secret, "\n") {
		if part = strings.TrimSpace(part); part != "" {
			values = append(values, part)
		}
	}
	out := make([]review.Secret, 0, len(values))
	for _, v := range values {
		out = append(out, review.Secret{Path: path, Line: line, Rule: fd.RuleID, Value: v})
	}
	return out
}

func isDecoded(fd report.Finding) bool {
	for _, t := range fd.Tags {
		if strings.HasPrefix(t, "decoded:") {
			return true
		}
	}
	return false
}

// encodedToken returns the run of base64, hex or percent-encoding
// characters around column col (1-based, possibly off by one) of text.
func encodedToken(text string, col int) string {
	i := min(max(col-1, 0), len(text)-1)
	if i < 0 {
		return ""
	}
	if !isEncodingByte(text[i]) && i > 0 && isEncodingByte(text[i-1]) {
		i--
	}
	if !isEncodingByte(text[i]) {
		return ""
	}
	start, end := i, i
	for start > 0 && isEncodingByte(text[start-1]) {
		start--
	}
	for end < len(text) && isEncodingByte(text[end]) {
		end++
	}
	if end-start < 8 {
		return ""
	}
	return text[start:end]
}

func isEncodingByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '=' || c == '-' || c == '_' || c == '%'
}

// ScanText returns the secrets in free text that is not part of the diff
// (a pull request's title or description, a whole outgoing prompt, a step
// log line), for redaction only: Path is name and Line 0.
func (s *Scanner) ScanText(name, text string) []review.Secret {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	b := block{start: 1, lines: lines}
	var out []review.Secret
	for _, c := range b.chunks() {
		for _, fd := range s.det.Detect(detect.Fragment{Raw: c.raw(), StartLine: c.start}) {
			for _, sec := range secretsOf(name, c, fd) {
				sec.Line = 0
				out = append(out, sec)
			}
		}
	}
	return out
}
