package contract

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitreview/bitreview/diffparse"
)

// What the stub model answers is in testdata: walkthrough.json,
// review.json (the first review: a finding whose line drifted 13 → 11,
// one on a removed line, one outside every hunk and one on a file not in
// the pull request, so three inline comments and two findings in the
// summary only), review2.json (the second push's: one finding on the new
// file) and answer.json (an answer to a question).

// firstAnchors are where review.json's findings are posted inline.
func firstAnchors() []inlineComment {
	return []inlineComment{
		{path: "app/server.go", side: diffparse.New, line: 11},
		{path: "app/math.go", side: diffparse.New, line: 3},
		{path: "app/server.go", side: diffparse.Old, line: 10},
	}
}

// Secrets planted in a thread and a question: a database URL's password
// and a GitHub token (built at run time, so no scanner flags this file).
const (
	passwordCanary = "PASSWORD"
	dsn            = "postgres://admin:" + passwordCanary + "@db.internal/app"
	githubToken    = "gh" + "p_" + "R7q2Lk9XwB4mZt8VnC3yHf6JdP1sGa5Ue0Qo"
)

// assertNoSecret fails for each planted secret found in text, raw,
// base64- or URL-encoded.
func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for _, v := range []string{passwordCanary, "admin:" + passwordCanary, githubToken, githubToken[4:]} {
		forms := []string{
			v, url.QueryEscape(v), url.PathEscape("@" + v),
			base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v)),
		}
		for _, f := range forms {
			assert.NotContains(t, text, f, "%s holds a planted secret", where)
		}
	}
	// base64 of the password at each alignment inside a longer text.
	for pad := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", pad) + passwordCanary))
		assert.NotContains(t, text, enc[4:len(enc)-4], where)
	}
}
