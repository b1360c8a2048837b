package contract

import (
	"testing"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/workflow"
)

// The pull request every host serves: #7 of acme/shop, from headSHA on
// feature/users into baseSHA on main, with testdata/pr.diff. A push moves
// it to head2SHA (testdata/pr2.diff, testdata/inc2.diff since headSHA); a
// force-push to head3SHA, whose parent is the base.
const (
	baseSHA  = "0123456789abcdef0123456789abcdef01234567"
	headSHA  = "5f1c0ffee0ddba11ab1e5eed0bead5deadbeef00"
	head2SHA = "2222222222222222222222222222222222222222"
	head3SHA = "3333333333333333333333333333333333333333"
)

// host is one code host's fake with the pull request on it, as the
// scenarios drive and observe it: what the host shows a user, in terms
// every host shares. Its implementations are bitbucketHost and githubHost.
type host interface {
	// platform is the adapter for one new run; inline says that the
	// comment it will answer is in a thread on the diff (GitHub reads the
	// two kinds of comments apart).
	platform(inline bool) workflow.Platform
	// head is the pull request's head commit.
	head() string
	// push moves the head to a new commit whose parent is the current
	// head; inc is the diff of the new commit alone.
	push(head, prDiff, inc string)
	// forcePush moves the head to a commit the last one is not an
	// ancestor of.
	forcePush(head, prDiff string)

	// say posts author's comment in the pull request's conversation.
	say(author, text string) comment
	// ask starts bob's thread on app/server.go line 11 (the query) with
	// root and posts alice's question in it.
	ask(root, question string) comment
	// spoof posts chatter comments of mallory's, then hers with body, on
	// a later page of the comments.
	spoof(body string, chatter int) comment
	// body is comment c's text as the host shows it now; "" when deleted.
	body(c comment) string

	// summaries are the bodies of the bot's summary comments.
	summaries() []string
	// inline are the bot's inline comments that start a thread.
	inline() []inlineComment
	// replies are the bot's comments in c's thread that answer c.
	replies(c comment) []string
	// report is the status report on the head commit.
	report() reportView
	// writes counts the write requests the host answered.
	writes() int

	// rateLimits names the rate-limit refusals the host sends.
	rateLimits() []string
	// rateLimit refuses every nth request from now on with kind.
	rateLimit(kind string, nth int)
	// faulted counts the requests a rate limit refused.
	faulted() int
}

// comment is a comment someone wrote, by the host's id.
type comment struct {
	id int64
	// inline is true for a comment in a thread on the diff.
	inline bool
}

// inlineComment is one of the bot's inline comments.
type inlineComment struct {
	path        string
	side        diffparse.Side
	line        int
	fingerprint string // "" when the comment has none
}

// reportView is the status report "bitreview" on the head commit: a Code
// Insights report on Bitbucket, a check run on GitHub.
type reportView struct {
	// count is how many there are on the head commit.
	count int
	// result is the host's word: PASSED, FAILED, PENDING on Bitbucket;
	// success, failure, neutral on GitHub.
	result string
	// failed is true when the report fails the commit; passed when it
	// gives the all-clear (a Bitbucket report passes with findings under
	// FAIL_ON, a check run is neutral then).
	failed, passed bool
}

// reportOf is the view of the reports of the head commit whose results
// are results, oldest first, in a host whose words for a failed and a
// passed report are failed and passed.
func reportOf(results []string, failed, passed string) reportView {
	v := reportView{count: len(results)}
	if len(results) > 0 {
		v.result = results[len(results)-1]
	}
	v.failed, v.passed = v.result == failed, v.result == passed
	return v
}

// count is how many of items match.
func count[T any](items []T, match func(T) bool) int {
	n := 0
	for _, it := range items {
		if match(it) {
			n++
		}
	}
	return n
}

// hostKind builds a host's fake with the pull request of prDiff on it.
type hostKind struct {
	name string
	new  func(t *testing.T, prDiff string) host
}

// hosts are every host the contract holds on.
func hosts() []hostKind {
	return []hostKind{
		{name: "bitbucket", new: newBitbucket},
		{name: "github", new: newGitHub},
	}
}
