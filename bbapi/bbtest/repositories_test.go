package bbtest

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListRepositoriesPaginated(t *testing.T) {
	s, bot := fixture(t)
	for i := range 120 {
		s.AddRepository(Repository{Workspace: ws, Slug: fmt.Sprintf("repo-%03d", i)})
	}
	s.AddRepository(Repository{Workspace: "other", Slug: "elsewhere"})
	resp, data := send(t, s, "GET", "/repositories/"+ws+"?pagelen=100", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	pg := decode(t, data)
	assert.Equal(t, float64(121), pg["size"], "120 seeded plus the fixture's repository")
	assert.Len(t, pg["values"], 100)
	next, _ := pg["next"].(string)
	require.NotEmpty(t, next)
	resp, data = send(t, s, "GET", next, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, decode(t, data)["values"], 21)
}

func TestListPullRequests(t *testing.T) {
	s, bot := fixture(t)
	s.AddPullRequest(ws, slug, PullRequest{ID: 2, State: "MERGED"}, sampleDiff)
	s.AddPullRequest(ws, slug, PullRequest{ID: 3}, sampleDiff)
	resp, data := send(t, s, "GET", "/repositories/"+ws+"/"+slug+"/pullrequests", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	vals := decode(t, data)["values"].([]any)
	require.Len(t, vals, 2)
	assert.Equal(t, float64(3), vals[0].(map[string]any)["id"], "newest first")
	resp, data = send(t, s, "GET", "/repositories/"+ws+"/"+slug+"/pullrequests?state=MERGED&state=OPEN", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, decode(t, data)["values"], 3)
}

func TestWorkspaceMembership(t *testing.T) {
	s, bot := fixture(t)
	resp, _ := send(t, s, "GET", "/user/workspaces/"+ws+"/permission", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	s.SetWorkspaceMember(ws, bot.UUID, "member")
	resp, data := send(t, s, "GET", "/user/workspaces/"+ws+"/permission", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := decode(t, data)
	assert.Equal(t, "member", m["permission"])
	assert.Equal(t, bot.UUID, m["user"].(map[string]any)["uuid"])
}
