package bbtest

import "fmt"

// extState is the fake's state for webhooks, pipelines and workspace
// memberships. Its maps are created on first use; every access holds s.mu.
type extState struct {
	hooks     map[string][]*Webhook      // "ws/slug" for a repository, "ws" for a workspace
	pipelines map[string]*pipelinesState // "ws/slug"
	members   map[string]string          // "ws\x00uuid" → owner|collaborator|member
	nextHook  int
}

type pipelinesState struct {
	disabled  bool
	runs      []*Pipeline
	nextBuild int
}

// pipelinesOf returns the Pipelines state of a repository; the caller holds
// s.mu.
func (s *Server) pipelinesOf(full string) *pipelinesState {
	if s.ext.pipelines == nil {
		s.ext.pipelines = make(map[string]*pipelinesState)
	}
	ps := s.ext.pipelines[full]
	if ps == nil {
		ps = &pipelinesState{nextBuild: 1}
		s.ext.pipelines[full] = ps
	}
	return ps
}

// newUUID returns a deterministic braced UUID for the n-th object of kind.
func newUUID(kind string, n int) string {
	h := fakeHash(kind, n)
	return fmt.Sprintf("{%s-%s-4%s-8%s-%s}", h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])
}

// SetWorkspaceMember makes the user a member of the workspace with
// permission owner, collaborator or member ("" removes the membership).
// GET /user/workspaces/{workspace}/permission serves it, and workspace
// webhooks can only be changed by owners.
func (s *Server) SetWorkspaceMember(workspace, userUUID, permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ext.members == nil {
		s.ext.members = make(map[string]string)
	}
	k := workspace + "\x00" + userUUID
	if permission == "" {
		delete(s.ext.members, k)
		return
	}
	s.ext.members[k] = permission
}

// membership returns the user's permission in the workspace, ""; the caller
// holds s.mu.
func (s *Server) membership(workspace, userUUID string) string {
	return s.ext.members[workspace+"\x00"+userUUID]
}
