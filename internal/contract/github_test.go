package contract

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
	ghservice "github.com/bitreview/bitreview/service/github"
	"github.com/bitreview/bitreview/service/github/ghtest"
	"github.com/bitreview/bitreview/workflow"
)

// githubHost is the pull request on the fake GitHub, read and written
// through go-github as the action does, with the workflow's token (the
// bot is github-actions[bot]).
type githubHost struct {
	t   *testing.T
	gh  *ghtest.Server
	api ghservice.API
	pr  ghtest.PullRequest
}

func newGitHub(t *testing.T, prDiff string) host {
	t.Helper()
	gh := ghtest.New(t, "acme", "shop")
	gh.AddToken("ghs_contract", "", true)
	pr := ghtest.PullRequest{
		Number: prID, Title: "Add users query", Body: "Adds a query.", Author: "alice",
		HeadRef: "feature/users", BaseRef: "main", HeadSHA: headSHA, BaseSHA: baseSHA, Diff: prDiff,
	}
	require.NoError(t, gh.SetPullRequest(pr))
	c, err := ghservice.NewClient(nil, gh.URL, "ghs_contract", "bitreview/contract")
	require.NoError(t, err)
	return &githubHost{t: t, gh: gh, api: ghservice.FromClient(c), pr: pr}
}

// platform is the action's adapter, with the check run on; a comment in
// a review thread is read as the pull_request_review_comment event names
// it.
func (h *githubHost) platform(inline bool) workflow.Platform {
	opts := ghservice.PlatformOptions{CheckRun: true}
	if inline {
		opts.CommentKind = ghservice.ReviewComment
	}
	return ghservice.NewPlatform(h.api, ghservice.PR{Owner: "acme", Repo: "shop", Number: prID}, opts)
}

func (h *githubHost) head() string { return h.pr.HeadSHA }

func (h *githubHost) push(head, prDiff, inc string) {
	h.gh.SetCompare(h.pr.HeadSHA, head, inc)
	h.forcePush(head, prDiff)
}

// forcePush moves the head; the compare endpoint knows no comparison of
// the last head with it.
func (h *githubHost) forcePush(head, prDiff string) {
	h.pr.HeadSHA, h.pr.Diff = head, prDiff
	require.NoError(h.t, h.gh.SetPullRequest(h.pr))
}

func (h *githubHost) say(author, text string) comment {
	return comment{id: h.gh.AddIssueComment(author, text).ID}
}

func (h *githubHost) ask(root, question string) comment {
	r, err := h.gh.AddReviewComment("bob", "app/server.go", "RIGHT", 11, root)
	require.NoError(h.t, err)
	id := h.gh.AddReply("alice", r.ID, question)
	require.NotZero(h.t, id)
	return comment{id: id, inline: true}
}

func (h *githubHost) spoof(body string, chatter int) comment {
	for i := range chatter {
		h.gh.AddIssueComment("mallory", fmt.Sprint("chatter ", i))
	}
	return h.say("mallory", body)
}

// comments are the comments of c's kind.
func (h *githubHost) comments(inline bool) []ghtest.Comment {
	if inline {
		return h.gh.ReviewComments()
	}
	return h.gh.IssueComments()
}

func (h *githubHost) body(c comment) string {
	for _, o := range h.comments(c.inline) {
		if o.ID == c.id {
			return o.Body
		}
	}
	return ""
}

func mine(c ghtest.Comment) bool { return c.User.Login == ghtest.ActionsBot }

func (h *githubHost) summaries() []string {
	var out []string
	for _, c := range h.gh.IssueComments() {
		if mine(c) && review.IsSummary(c.Body) {
			out = append(out, c.Body)
		}
	}
	return out
}

func (h *githubHost) inline() []inlineComment {
	var out []inlineComment
	for _, c := range h.gh.ReviewComments() {
		if !mine(c) || c.InReplyTo != 0 {
			continue
		}
		ic := inlineComment{path: c.Path, side: diffparse.New, line: c.Line}
		if c.Side == "LEFT" {
			ic.side = diffparse.Old
		}
		ic.fingerprint, _ = review.FingerprintOf(c.Body)
		out = append(out, ic)
	}
	return out
}

// replies are the bot's replies to c with the marker naming c: in c's
// review thread (GitHub takes replies to its first comment), or in the
// conversation, which is the thread of a conversation comment.
func (h *githubHost) replies(c comment) []string {
	all := h.comments(c.inline)
	var root int64
	for _, o := range all {
		if o.ID == c.id {
			root = o.InReplyTo
		}
	}
	var out []string
	for _, o := range all {
		if to, ok := review.RepliesTo(o.Body); ok && mine(o) && int64(to) == c.id && o.InReplyTo == root {
			out = append(out, o.Body)
		}
	}
	return out
}

func (h *githubHost) report() reportView {
	var results []string
	for _, r := range h.gh.CheckRuns() {
		if r.Name == "bitreview" && r.HeadSHA == h.pr.HeadSHA { // the check run bitreview keeps
			results = append(results, r.Conclusion)
		}
	}
	return reportOf(results, "failure", "success")
}

func (h *githubHost) writes() int {
	return count(h.gh.Requests(), func(r string) bool { return !strings.HasPrefix(r, http.MethodGet+" ") })
}

// rateLimits: GitHub refuses with 429, or with 403 and
// X-RateLimit-Remaining: 0.
func (h *githubHost) rateLimits() []string { return []string{"429", "403"} }

// rateLimit refuses every nth request: a 429, or a 403 saying the window
// is spent (X-RateLimit-Remaining: 0, resetting now), each with
// Retry-After: 0 so that the client retries at once.
func (h *githubHost) rateLimit(kind string, nth int) {
	f := ghtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0", Every: nth, Times: -1}
	if kind == "403" {
		f = ghtest.Fault{Status: http.StatusForbidden, ResetIn: time.Nanosecond, RetryAfter: "0", Every: nth, Times: -1}
	}
	h.gh.Fault(f)
}

func (h *githubHost) faulted() int { return h.gh.Faulted() }
