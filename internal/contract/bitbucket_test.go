package contract

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
	bbservice "github.com/bitreview/bitreview/service/bitbucket"
	"github.com/bitreview/bitreview/workflow"
)

const (
	ws   = "acme"
	slug = "shop"
	prID = 7
)

// bitbucketHost is the pull request on the fake Bitbucket Cloud, read and
// written through bbapi as the pipe does (with a retry backoff of
// milliseconds).
type bitbucketHost struct {
	bb     *bbtest.Server
	bot    bbtest.User
	client *bbapi.Client
	commit string
}

func newBitbucket(t *testing.T, prDiff string) host {
	t.Helper()
	bb := bbtest.New(t)
	bot := bb.AddUser(bbtest.NewUser("bitreview-bot"))
	bb.AddCommitWithParents(ws, slug, headSHA, baseSHA)
	bb.AddPullRequest(ws, slug, bbtest.PullRequest{
		ID: prID, Title: "Add users query", Description: "Adds a query.", Author: bbtest.NewUser("alice"),
		Source:      bbtest.Endpoint{Branch: "feature/users", Commit: headSHA},
		Destination: bbtest.Endpoint{Branch: "main", Commit: baseSHA},
	}, prDiff)
	c, err := bbapi.NewClient(bb.URL, bbapi.WithAccessToken(bot.AccessToken), bbapi.WithRetry(4, time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	return &bitbucketHost{bb: bb, bot: bot, client: c, commit: headSHA}
}

// platform is the pipe's adapter: the pipeline runs on the head commit,
// and publishes a Code Insights report.
func (h *bitbucketHost) platform(bool) workflow.Platform {
	return bbservice.NewPlatform(h.client, bbservice.PR{Workspace: ws, Repo: slug, ID: prID},
		bbservice.PlatformOptions{PipelineCommit: h.commit, CodeInsights: true})
}

func (h *bitbucketHost) head() string { return h.commit }

func (h *bitbucketHost) push(head, prDiff, inc string) {
	h.bb.AddCommitWithParents(ws, slug, head, h.commit)
	h.bb.SetDiff(ws, slug, head, h.commit, inc)
	h.bb.SetPullRequestDiff(ws, slug, prID, head, prDiff)
	h.commit = head
}

func (h *bitbucketHost) forcePush(head, prDiff string) {
	h.bb.AddCommitWithParents(ws, slug, head, baseSHA)
	h.bb.SetPullRequestDiff(ws, slug, prID, head, prDiff)
	h.commit = head
}

func (h *bitbucketHost) say(author, text string) comment {
	c := h.bb.AddComment(ws, slug, prID, bbtest.Comment{User: bbtest.NewUser(author), Raw: text})
	return comment{id: int64(c.ID)}
}

func (h *bitbucketHost) ask(root, question string) comment {
	at := &bbtest.Inline{Path: "app/server.go", To: 11}
	r := h.bb.AddComment(ws, slug, prID, bbtest.Comment{User: bbtest.NewUser("bob"), Raw: root, Inline: at})
	q := h.bb.AddComment(ws, slug, prID, bbtest.Comment{User: bbtest.NewUser("alice"), Raw: question, ParentID: r.ID, Inline: at})
	return comment{id: int64(q.ID), inline: true}
}

func (h *bitbucketHost) spoof(body string, chatter int) comment {
	mallory := bbtest.NewUser("mallory")
	for i := range chatter {
		h.bb.AddComment(ws, slug, prID, bbtest.Comment{User: mallory, Raw: fmt.Sprint("chatter ", i)})
	}
	return h.say("mallory", body)
}

func (h *bitbucketHost) body(c comment) string {
	for _, o := range h.bb.Comments(ws, slug, prID) {
		if int64(o.ID) == c.id && !o.Deleted {
			return o.Raw
		}
	}
	return ""
}

// ours are the bot's live comments.
func (h *bitbucketHost) ours() []bbtest.Comment {
	var out []bbtest.Comment
	for _, c := range h.bb.Comments(ws, slug, prID) {
		if !c.Deleted && c.User.UUID == h.bot.UUID {
			out = append(out, c)
		}
	}
	return out
}

func (h *bitbucketHost) summaries() []string {
	var out []string
	for _, c := range h.ours() {
		if c.Inline == nil && review.IsSummary(c.Raw) {
			out = append(out, c.Raw)
		}
	}
	return out
}

func (h *bitbucketHost) inline() []inlineComment {
	var out []inlineComment
	for _, c := range h.ours() {
		if c.Inline == nil || c.ParentID != 0 {
			continue
		}
		ic := inlineComment{path: c.Inline.Path, side: diffparse.New, line: c.Inline.To}
		if c.Inline.From != 0 {
			ic.side, ic.line = diffparse.Old, c.Inline.From
		}
		ic.fingerprint, _ = review.FingerprintOf(c.Raw)
		out = append(out, ic)
	}
	return out
}

// replies are the bot's replies to c (Bitbucket threads by parent), with
// the marker naming c.
func (h *bitbucketHost) replies(c comment) []string {
	var out []string
	for _, o := range h.ours() {
		if to, ok := review.RepliesTo(o.Raw); ok && int64(o.ParentID) == c.id && int64(to) == c.id {
			out = append(out, o.Raw)
		}
	}
	return out
}

func (h *bitbucketHost) report() reportView {
	var results []string
	for _, r := range h.bb.Reports(ws, slug, h.commit) {
		if r.ID == "bitreview" { // the report bitreview keeps on a commit
			results = append(results, r.Result)
		}
	}
	return reportOf(results, "FAILED", "PASSED")
}

func (h *bitbucketHost) writes() int {
	return count(h.bb.Requests(), func(r bbtest.Request) bool { return r.Method != http.MethodGet })
}

// rateLimits: Bitbucket refuses with 429 and no Retry-After.
func (h *bitbucketHost) rateLimits() []string { return []string{"429"} }

func (h *bitbucketHost) rateLimit(_ string, nth int) {
	h.bb.Fault(bbtest.Fault{Status: http.StatusTooManyRequests, Every: nth, Times: -1})
}

func (h *bitbucketHost) faulted() int {
	return count(h.bb.Requests(), func(r bbtest.Request) bool { return r.Status == http.StatusTooManyRequests })
}
