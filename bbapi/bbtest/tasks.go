package bbtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Task is a pull-request task.
type Task struct {
	ID         int
	Raw        string
	State      string // RESOLVED or UNRESOLVED
	Creator    User
	CommentID  int // 0: not attached to a comment
	CreatedOn  time.Time
	UpdatedOn  time.Time
	ResolvedOn time.Time
}

const tasksPath = repoPath + "/pullrequests/{pull_request_id}/tasks"

func (s *Server) taskRoutes() []*route {
	write := []string{ScopeWritePullRequest}
	return []*route{
		{method: "GET", path: tasksPath, scopes: readPR, handle: s.listTasks},
		{method: "POST", path: tasksPath, scopes: readPR, extra: write, check: checkTaskBody(true), handle: s.createTask},
		{method: "PUT", path: tasksPath + "/{task_id}", scopes: readPR, extra: write, check: checkTaskBody(false), handle: s.updateTask},
	}
}

// checkTaskBody applies the live API's rules: no "type" anywhere, a
// non-empty content.raw on create.
func checkTaskBody(create bool) func(any) string {
	return func(body any) string {
		m, ok := body.(map[string]any)
		if !ok {
			return "a task body must be a JSON object"
		}
		if p := findKey(m, "type", ""); p != "" {
			return "task body has a \"type\" field at " + p + " (the live API rejects it; omit it)"
		}
		content, _ := m["content"].(map[string]any)
		if raw, _ := content["raw"].(string); create && strings.TrimSpace(raw) == "" {
			return "task body needs a non-empty content.raw"
		}
		return ""
	}
}

type taskBody struct {
	Content *struct {
		Raw string `json:"raw"`
	} `json:"content"`
	Comment *struct {
		ID int `json:"id"`
	} `json:"comment"`
	State string `json:"state"`
}

type taskJSON struct {
	Type       string          `json:"type"`
	ID         int             `json:"id"`
	State      string          `json:"state"`
	Content    rendered        `json:"content"`
	Creator    accountJSON     `json:"creator"`
	Comment    *parentJSON     `json:"comment,omitempty"`
	Pending    bool            `json:"pending"`
	CreatedOn  string          `json:"created_on"`
	UpdatedOn  string          `json:"updated_on"`
	ResolvedOn string          `json:"resolved_on,omitempty"`
	Links      map[string]link `json:"links"`
}

func renderTask(base, prAPI string, t *Task) taskJSON {
	out := taskJSON{
		Type: "task", ID: t.ID, State: t.State, Content: render(t.Raw), Creator: renderAccount(base, t.Creator),
		CreatedOn: stamp(t.CreatedOn), UpdatedOn: stamp(t.UpdatedOn),
		Links: map[string]link{"self": {fmt.Sprintf("%s/tasks/%d", prAPI, t.ID)}},
	}
	if t.CommentID != 0 {
		out.Comment = &parentJSON{ID: t.CommentID, Links: map[string]link{"self": {fmt.Sprintf("%s/comments/%d", prAPI, t.CommentID)}}}
	}
	if !t.ResolvedOn.IsZero() {
		out.ResolvedOn = stamp(t.ResolvedOn)
	}
	return out
}

func (c *call) prAPI(rs *repoState, ps *prState) string {
	return fmt.Sprintf("%s/repositories/%s/pullrequests/%d", c.base(), rs.repo.FullName(), ps.pr.ID)
}

// GET …/pullrequests/{id}/tasks, oldest first.
func (s *Server) listTasks(c *call) {
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		var items []any
		for _, t := range s.pub.tasks[taskKey(rs, ps.pr.ID)] {
			items = append(items, renderTask(c.base(), c.prAPI(rs, ps), t))
		}
		return func() { c.paginate(items) }
	})
}

// POST …/pullrequests/{id}/tasks; a comment it names must exist.
func (s *Server) createTask(c *call) {
	var body taskBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "task body: "+err.Error())
		return
	}
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		t := &Task{Raw: body.Content.Raw, State: "UNRESOLVED", Creator: c.user.Public(), CreatedOn: s.now()}
		t.UpdatedOn = t.CreatedOn
		if body.Comment != nil {
			if cm := ps.byID[body.Comment.ID]; cm == nil || cm.Deleted {
				return c.badRequest(fmt.Sprintf("Comment %d not found on this pull request", body.Comment.ID))
			}
			t.CommentID = body.Comment.ID
		}
		if s.pub.tasks == nil {
			s.pub.tasks = make(map[string][]*Task)
		}
		s.nextComment++ // tasks and comments share the counter: ids stay unique
		t.ID = s.nextComment
		k := taskKey(rs, ps.pr.ID)
		s.pub.tasks[k] = append(s.pub.tasks[k], t)
		out := renderTask(c.base(), c.prAPI(rs, ps), t)
		return func() {
			c.w.Header().Set("Location", out.Links["self"].Href)
			writeJSON(c.w, http.StatusCreated, out)
		}
	})
}

// PUT …/pullrequests/{id}/tasks/{task_id}: change the text or the state.
func (s *Server) updateTask(c *call) {
	var body taskBody
	if err := json.Unmarshal(c.body, &body); err != nil {
		c.violation(http.StatusBadRequest, "task body: "+err.Error())
		return
	}
	c.do(func() func() {
		rs, ps, fail := c.findPR()
		if fail != nil {
			return fail
		}
		id, _ := strconv.Atoi(c.params["task_id"])
		var t *Task
		for _, x := range s.pub.tasks[taskKey(rs, ps.pr.ID)] {
			if x.ID == id {
				t = x
			}
		}
		if t == nil {
			return c.notFound("Task " + c.params["task_id"] + " not found")
		}
		now := s.now()
		if body.Content != nil {
			t.Raw = body.Content.Raw
		}
		switch body.State {
		case "RESOLVED":
			if t.State != "RESOLVED" {
				t.ResolvedOn = now
			}
			t.State = body.State
		case "UNRESOLVED":
			t.State, t.ResolvedOn = body.State, time.Time{}
		}
		t.UpdatedOn = now
		out := renderTask(c.base(), c.prAPI(rs, ps), t)
		return func() { writeJSON(c.w, http.StatusOK, out) }
	})
}

// Tasks returns the tasks of a pull request in creation order.
func (s *Server) Tasks(ws, slug string, prID int) []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.repo(ws, slug)
	if rs == nil {
		return nil
	}
	list := s.pub.tasks[taskKey(rs, prID)]
	out := make([]Task, 0, len(list))
	for _, t := range list {
		out = append(out, *t)
	}
	return out
}

func taskKey(rs *repoState, prID int) string { return fmt.Sprintf("%s#%d", rs.repo.FullName(), prID) }
