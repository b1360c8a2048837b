package jiratest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// issueTypes are the types every project of the fake has.
var issueTypes = []string{"Task", "Story", "Bug"}

// createIssue validates a create request as Jira Cloud does and files it.
func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, user string) int {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err != nil || json.Unmarshal(data, &body) != nil || body.Fields == nil {
		writeErrors(w, http.StatusBadRequest, "The request body is not a JSON object with fields.")
		return http.StatusBadRequest
	}
	var c Created
	c.User = user
	problems := map[string]string{}
	for name, raw := range body.Fields {
		switch name {
		case "project":
			var p struct{ Key string }
			if json.Unmarshal(raw, &p) != nil || !s.hasProject(p.Key) {
				problems["project"] = "valid project is required"
			}
			c.Project = p.Key
		case "issuetype":
			var t struct{ Name string }
			if json.Unmarshal(raw, &t) != nil || !contains(issueTypes, t.Name) {
				problems["issuetype"] = "Specify a valid issue type"
			}
			c.Type = t.Name
		case "summary":
			if json.Unmarshal(raw, &c.Summary) != nil || strings.TrimSpace(c.Summary) == "" {
				problems["summary"] = "You must specify a summary of the issue."
			} else if strings.ContainsAny(c.Summary, "\r\n") || len([]rune(c.Summary)) > 255 {
				problems["summary"] = "The summary must be one line of at most 255 characters."
			}
		case "description":
			if msg := checkADF(raw); msg != "" {
				problems["description"] = msg
			}
			c.Description = append(json.RawMessage(nil), raw...)
		default:
			problems[name] = fmt.Sprintf("Field '%s' cannot be set. It is not on the appropriate screen, or unknown.", name)
		}
	}
	for _, need := range []string{"project", "issuetype", "summary"} {
		if _, ok := body.Fields[need]; !ok {
			problems[need] = need + " is required"
		}
	}
	if len(problems) > 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"errorMessages": []string{}, "errors": problems})
		return http.StatusBadRequest
	}
	s.mu.Lock()
	n := 1
	for _, x := range s.created {
		if x.Project == c.Project {
			n++
		}
	}
	c.Key = fmt.Sprintf("%s-%d", c.Project, 900+n)
	s.created = append(s.created, c)
	s.issues[c.Key] = Issue{Key: c.Key, Summary: c.Summary, Status: "To Do", Type: c.Type, Description: c.Description}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": fmt.Sprint(20000 + n), "key": c.Key, "self": s.URL + "/rest/api/3/issue/" + c.Key})
	return http.StatusCreated
}

func (s *Server) hasProject(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.projects[key]
}

// checkADF is what Jira says about a description that is not an ADF
// document ("" when it is one): v3 refuses plain strings.
func checkADF(raw json.RawMessage) string {
	var doc struct {
		Type    string            `json:"type"`
		Version int               `json:"version"`
		Content []json.RawMessage `json:"content"`
	}
	if json.Unmarshal(raw, &doc) != nil || doc.Type != "doc" || doc.Version != 1 || doc.Content == nil {
		return "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
	}
	for _, c := range doc.Content {
		var n struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(c, &n) != nil || n.Type == "" || n.Type == "text" {
			return "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
		}
	}
	return ""
}
