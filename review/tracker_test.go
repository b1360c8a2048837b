package review

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIssueForFinding(t *testing.T) {
	t.Parallel()
	f := Finding{Path: "app/server.go", Line: 11, Severity: Critical, Category: "security", Title: "SQL injection through @bitreview name", Body: "Use a placeholder.", Fingerprint: "0123456789abcdef"}
	root := &RootComment{ID: 5, Body: RenderComment(f), Bot: true, URL: "https://bitbucket.org/acme/shop/pull-requests/7/_/diff#comment-5"}
	in, ok := IssueForFinding(root, &Anchor{Path: "app/server.go", Line: 11}, "acme/shop pull request #7")
	assert.True(t, ok)
	assert.Equal(t, "SQL injection through @bitreview name", in.Title)
	assert.Equal(t, "Critical finding from bitreview's review of acme/shop pull request #7.\n\nUse a placeholder.\n\nWhere: `app/server.go` line 11\n\nReview comment: https://bitbucket.org/acme/shop/pull-requests/7/_/diff#comment-5", in.Body)
	assert.Equal(t, root.URL, in.Link)

	for name, r := range map[string]*RootComment{
		"no root":          nil,
		"someone else's":   {Body: root.Body, Bot: false},
		"no fingerprint":   {Body: "🔴 **Critical** — x\n\ny", Bot: true},
		"bitreview's help": {Body: ChatHelp, Bot: true},
	} {
		_, ok := IssueForFinding(r, nil, "pr")
		assert.False(t, ok, name)
	}
}
