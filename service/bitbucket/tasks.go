package bitbucket

import (
	"context"
	"fmt"
	"strings"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/review"
)

// taskPrefix starts the text of every task bitreview creates.
const taskPrefix = "bitreview: "

// ensureTasks creates one task under each inline comment whose finding is
// at least TasksAt, unless that comment already has a task by the bot, and
// resolves the bot's tasks under comments that were just retired as stale.
// Tasks are found again by the comment they are attached to and by their
// creator, so re-runs create none twice. Failures are warnings.
func (p *publisher) ensureTasks(ctx context.Context, me string, findings []review.Finding, posted map[string]int, stale []*thread, out *review.Outcome) {
	tapi, ok := p.api.(TaskAPI)
	if !ok {
		return
	}
	var want []review.Finding
	for _, f := range findings {
		if f.Severity >= p.opts.TasksAt && posted[f.Fingerprint] != 0 {
			want = append(want, f)
		}
	}
	if p.opts.DryRun != nil {
		for _, f := range want {
			fmt.Fprintf(p.opts.DryRun, "--- would add a task under the comment on %s:%d: %s ---\n", f.Path, f.Line, taskText(f))
		}
		return
	}
	if len(want) == 0 && len(stale) == 0 {
		return
	}
	tasks, err := tapi.ListPullRequestTasks(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		out.Warnings = append(out.Warnings, fmt.Sprintf("could not list tasks: %v", err))
		return
	}
	byComment := map[int][]*bbapi.Task{}
	for _, t := range tasks {
		if ours(t, me) {
			byComment[t.Comment.ID] = append(byComment[t.Comment.ID], t)
		}
	}
	for _, f := range want {
		cid := posted[f.Fingerprint]
		if len(byComment[cid]) > 0 {
			continue
		}
		in := &bbapi.NewTask{Content: bbapi.TaskContent{Raw: taskText(f)}, Comment: &bbapi.Ref{ID: cid}}
		if _, _, err := tapi.CreatePullRequestTask(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, in); err != nil {
			if ctx.Err() == nil && p.taskStored(ctx, tapi, me, cid) {
				out.Tasks++
				continue
			}
			out.Warnings = append(out.Warnings, fmt.Sprintf("could not create a task for %s:%d: %v", f.Path, f.Line, err))
			continue
		}
		out.Tasks++
	}
	for _, t := range stale {
		for _, task := range byComment[t.c.ID] {
			if task.State == "RESOLVED" {
				continue
			}
			if _, _, err := tapi.UpdatePullRequestTask(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID, task.ID, &bbapi.TaskUpdate{State: "RESOLVED"}); err != nil {
				out.Warnings = append(out.Warnings, fmt.Sprintf("could not resolve task %d: %v", task.ID, err))
			}
		}
	}
}

// taskStored looks for a task under comment cid after a create whose answer
// was lost: a POST is never blindly repeated.
func (p *publisher) taskStored(ctx context.Context, tapi TaskAPI, me string, cid int) bool {
	tasks, err := tapi.ListPullRequestTasks(ctx, p.pr.Workspace, p.pr.Repo, p.pr.ID)
	if err != nil {
		return false
	}
	for _, t := range tasks {
		if ours(t, me) && t.Comment.ID == cid {
			return true
		}
	}
	return false
}

func taskText(f review.Finding) string {
	t := taskPrefix + "fix the " + f.Severity.String() + " finding: " + strings.Join(strings.Fields(review.Sanitize(f.Title)), " ")
	if r := []rune(t); len(r) > 300 {
		t = string(r[:300]) + "…"
	}
	return t
}

// ours reports whether a task is one bitreview created under a comment.
func ours(t *bbapi.Task, me string) bool {
	return t.Comment != nil && t.Creator != nil && t.Creator.UUID == me && strings.HasPrefix(t.Content.Raw, taskPrefix)
}
