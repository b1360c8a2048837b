package relay

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"

	"github.com/bitreview/bitreview/command"
)

// Trigger is one start of the custom pipeline: where it runs and the
// values of its variables. Every field comes from Bitbucket's own payload
// fields (ids, repository and branch names) or from the fixed commands.
type Trigger struct {
	Workspace string // of the pull request's destination repository
	Repo      string // its slug
	Branch    string // the destination branch, whose yml is used
	// PullRequestID is BITREVIEW_PR_ID.
	PullRequestID int
	// CommentID is BITREVIEW_COMMENT_ID; 0 (not sent) for fork reviews.
	CommentID int
	// Command is BITREVIEW_COMMAND.
	Command Command
}

// Event keys of the webhook the relay serves (bitreview setup subscribes
// to them). X-Event-Key is not signed, so it only names the delivery in
// the log: what a delivery is comes from its signed body (route).
const (
	EventCommentCreated = "pullrequest:comment_created"
	EventPRCreated      = "pullrequest:created"
	EventPRUpdated      = "pullrequest:updated"
)

// decision is what a verified delivery leads to: a trigger with its dedupe
// keys, or the reason it starts nothing.
type decision struct {
	trigger *Trigger
	keys    []string
	reason  string
}

func ignore(reason string) decision { return decision{reason: reason} }

// route decides what a verified delivery does, from its signed body
// alone: the unsigned X-Event-Key could replay one body as another event.
// A body with a comment is a comment event; one with an approval or a
// change request is neither a comment nor an opened or updated pull
// request; one with just a pull request is an opened or updated pull
// request. Anything else starts nothing. A body that is not a JSON object
// is an error.
func (r *Relay) route(body []byte) (decision, error) {
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		return decision{}, err
	}
	switch {
	case ev.Comment != nil:
		return r.routeComment(&ev), nil
	case present(ev.Approval) || present(ev.ChangesRequest):
		return ignore("event is an approval or a change request"), nil
	case ev.PullRequest != nil:
		return r.routePullRequest(&ev), nil
	}
	return ignore("event is not about a pull request"), nil
}

func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

func (r *Relay) routeComment(ev *event) decision {
	if why := r.checkActor(ev.Actor); why != "" {
		return ignore(why)
	}
	cm := ev.Comment
	if cm == nil || cm.ID <= 0 || cm.Content == nil || cm.Content.Raw == nil {
		return ignore("payload lacks the comment")
	}
	if cm.Deleted {
		return ignore("comment is deleted")
	}
	if cm.User != nil {
		if r.isBot(cm.User) {
			return ignore("comment is the bot's own")
		}
		if cm.User.Type != "user" {
			return ignore("comment author is not a user")
		}
	}
	raw := *cm.Content.Raw
	if command.HasMarker(raw) {
		return ignore("comment carries a bitreview marker")
	}
	cmd, ok := commandOf(r.parser, raw)
	if !ok {
		return ignore("comment does not mention the bot")
	}
	if !r.allowed(ev.Actor) {
		return ignore("commenter is not in RELAY_ALLOWED_UUIDS")
	}
	t, why := target(ev)
	if why != "" {
		return ignore(why)
	}
	t.CommentID, t.Command = cm.ID, cmd
	key := "comment " + t.Workspace + "/" + t.Repo + " " + strconv.Itoa(cm.ID) + " " + cm.UpdatedOn
	return decision{trigger: t, keys: []string{strings.ToLower(key)}}
}

func (r *Relay) routePullRequest(ev *event) decision {
	if why := r.checkActor(ev.Actor); why != "" {
		return ignore(why)
	}
	pr := ev.PullRequest
	if pr == nil || pr.Source == nil || pr.Destination == nil {
		return ignore("payload lacks the pull request")
	}
	src, dst := pr.Source.Repository, pr.Destination.Repository
	if src == nil || dst == nil {
		return ignore("payload lacks the source or destination repository")
	}
	if sameRepository(src, dst) {
		return ignore("pull request is not from a fork (its own pipeline reviews it)")
	}
	if !r.allowed(ev.Actor) {
		return ignore("actor is not in RELAY_ALLOWED_UUIDS")
	}
	t, why := target(ev)
	if why != "" {
		return ignore(why)
	}
	t.Command = CmdReview
	rev := pr.UpdatedOn
	if c := pr.Source.Commit; c != nil && c.Hash != "" {
		rev = c.Hash
	}
	if rev == "" {
		return ignore("payload lacks the source commit")
	}
	key := "pullrequest " + t.Workspace + "/" + t.Repo + " " + strconv.Itoa(pr.ID) + " " + rev
	return decision{trigger: t, keys: []string{strings.ToLower(key)}}
}

// checkActor fails closed: the actor must be present, of type "user", with
// a UUID, and not the bot.
func (r *Relay) checkActor(a *account) string {
	switch {
	case a == nil:
		return "payload has no actor"
	case a.Type != "user":
		return "actor is not a user"
	case a.UUID == "":
		return "actor has no uuid"
	case r.isBot(a):
		return "actor is the bot"
	}
	return ""
}

func (r *Relay) isBot(a *account) bool {
	if r.botUUID != "" && normUUID(a.UUID) == r.botUUID {
		return true
	}
	return r.botAccountID != "" && a.AccountID == r.botAccountID
}

func (r *Relay) allowed(a *account) bool {
	if len(r.allow) == 0 {
		return true
	}
	_, ok := r.allow[normUUID(a.UUID)]
	return ok
}

// normUUID is the lower-case "{…}" form.
func normUUID(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if u == "" {
		return ""
	}
	return "{" + strings.Trim(u, "{}") + "}"
}

func sameRepository(a, b *repository) bool {
	if a.UUID != "" && b.UUID != "" {
		return normUUID(a.UUID) == normUUID(b.UUID)
	}
	return a.FullName != "" && strings.EqualFold(a.FullName, b.FullName)
}

// target is the trusted place to run: the pull request's destination
// repository and branch, which must be the repository the webhook belongs
// to. The pull request must be open.
func target(ev *event) (*Trigger, string) {
	pr := ev.PullRequest
	if pr == nil || pr.ID <= 0 || pr.Destination == nil {
		return nil, "payload lacks the pull request"
	}
	if pr.State != "OPEN" {
		return nil, "pull request is not open"
	}
	dst := pr.Destination
	if dst.Repository == nil || dst.Branch == nil || ev.Repository == nil {
		return nil, "payload lacks the destination"
	}
	if !strings.EqualFold(dst.Repository.FullName, ev.Repository.FullName) {
		return nil, "destination is not the webhook's repository"
	}
	ws, slug, ok := strings.Cut(dst.Repository.FullName, "/")
	if !ok || !safeName(ws, 100) || !safeName(slug, 100) || strings.Contains(slug, "/") {
		return nil, "destination repository name is invalid"
	}
	if !safeName(dst.Branch.Name, 255) {
		return nil, "destination branch name is invalid"
	}
	return &Trigger{Workspace: ws, Repo: slug, Branch: dst.Branch.Name, PullRequestID: pr.ID}, ""
}

// safeName accepts a non-empty name of printable characters. Names go
// into a JSON body and escaped path segments, never into a shell.
func safeName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}
