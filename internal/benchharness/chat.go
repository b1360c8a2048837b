package benchharness

import (
	"context"
	"strconv"

	"github.com/bitreview/bitreview/bbapi/bbtest"
)

// askInThread starts an inline thread on a reviewed line, asks the bot a
// question in it, and runs the pipe as the relay's custom pipeline would
// for that comment.
func askInThread(ctx context.Context, cfg Config, bb *bbtest.Server, llm *stubLLM, env []string, botUUID string) (Result, error) {
	path, line := llm.anyAnchor()
	alice, bob := bbtest.NewUser("alice"), bbtest.NewUser("bob")
	in := &bbtest.Inline{Path: path, To: line}
	root := bb.AddComment(ws, slug, prID, bbtest.Comment{User: bob, Raw: "Is this bound still right?", Inline: in})
	q := bb.AddComment(ws, slug, prID, bbtest.Comment{User: alice, Raw: "@bitreview why did computeFaster change here?", ParentID: root.ID, Inline: in})
	chatEnv := append(append([]string(nil), env...),
		"BITREVIEW_PR_ID="+strconv.Itoa(prID), "BITREVIEW_COMMENT_ID="+strconv.Itoa(q.ID), "BITREVIEW_COMMAND=ask")
	res, err := runOnce(ctx, cfg, bb, llm, chatEnv, srcSHA, botUUID)
	if err != nil {
		return res, err
	}
	for _, c := range bb.Comments(ws, slug, prID) {
		if !c.Deleted && c.User.UUID == botUUID && c.ParentID == q.ID {
			res.Replies++
		}
	}
	return res, nil
}
