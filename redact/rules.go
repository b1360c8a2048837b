package redact

import _ "embed" // for extraRules

// RuleURLCredentials is the rule of a user name and password in a URL.
const RuleURLCredentials = "url-credentials"

// extraRules are bitreview's own rules, in gitleaks' TOML format, appended
// to gitleaks' default configuration so that Scan and ScanText apply them
// like any default rule (keywords, decoding, allowlists).
//
//go:embed rules.toml
var extraRules string
