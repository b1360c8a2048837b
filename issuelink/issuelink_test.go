package issuelink

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func keys(refs []Ref) []string {
	out := []string{}
	for _, r := range refs {
		out = append(out, r.String())
	}
	return out
}

func TestFind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   Sources
		want []string
	}{
		{"branch", Sources{Branch: "feature/ABC-123-login"}, []string{"ABC-123"}},
		{"branch with underscore", Sources{Branch: "bugfix/PAY_2-7_refund"}, []string{"PAY_2-7"}},
		{"title and branch once", Sources{Branch: "ABC-123", Title: "ABC-123: add login"}, []string{"ABC-123"}},
		{"order: branch, title, description, commits", Sources{Branch: "OPS-1", Title: "WEB-2", Description: "See DATA-3.", Commits: []string{"API-4 first", "fix"}},
			[]string{"OPS-1", "WEB-2", "DATA-3", "API-4"}},
		{"lower case is no key", Sources{Title: "abc-123 and Abc-12"}, nil},
		{"a word before is no key", Sources{Title: "XABC-1 is fine but xABC-1 is not; ABC-12x neither"}, []string{"XABC-1"}},
		{"zero is no issue", Sources{Title: "ABC-0 and ABC-012"}, nil},
		{"one letter is no project", Sources{Title: "X-1"}, nil},
		{"standards are no keys", Sources{Description: "UTF-8, SHA-256, ISO-8601, RFC-7231, CVE-2024-1234, AES-128, GPL-3"}, nil},
		{"bitbucket issue", Sources{Description: "closes #3"}, []string{"#3"}},
		{"bitbucket forms", Sources{Title: "Fix #4", Description: "issue #5, resolves #6 and #7."}, []string{"#4", "#5", "#6", "#7"}},
		{"pull requests are no issues", Sources{Description: "after PR #8 and pull request #9, see pull-request #10"}, nil},
		{"anchors, entities and colours are not", Sources{Description: "page#3 &#39; a#4"}, nil},
		{"code is not", Sources{Description: "`#3` and\n```\ncolor: #333\n```\n"}, nil},
		{"bitbucket refs only in title and description", Sources{Branch: "fix-#3", Commits: []string{"closes #4"}}, nil},
		{"mixed, in order", Sources{Title: "ABC-1 closes #3", Description: "#3 again, ABC-1 again"}, []string{"ABC-1", "#3"}},
		{"at most five", Sources{Description: "A1-1 A1-2 A1-3 A1-4 A1-5 A1-6 #1"}, []string{"A1-1", "A1-2", "A1-3", "A1-4", "A1-5"}},
		{"a key in a URL", Sources{Description: "https://acme.atlassian.net/browse/ABC-77"}, []string{"ABC-77"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Find(tc.in)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, keys(got))
		})
	}
}

func TestFindKinds(t *testing.T) {
	t.Parallel()
	got := Find(Sources{Title: "ABC-1 closes #3"})
	assert.Equal(t, []Ref{{Kind: Jira, Key: "ABC-1"}, {Kind: Bitbucket, Key: "3"}}, got)
	assert.Equal(t, "ABC", got[0].Project())
	assert.Equal(t, 3, got[1].Number())
}

// A description of megabytes is searched in bounded time and yields at
// most Max references.
func TestFindBounded(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("ABC-1 #2 `x` ", 200_000)
	assert.Len(t, Find(Sources{Description: big, Commits: []string{big}}), 2)
	many := strings.Repeat("Q-1 ", 10) + strings.Repeat("K1-9 ", 100000)
	assert.Len(t, Find(Sources{Description: many}), 1)
}
