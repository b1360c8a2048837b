package bbapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListRepositoriesFollowsNext(t *testing.T) {
	t.Parallel()
	c, mux, root := setup(t, WithAccessToken(canaryToken))
	mux.HandleFunc("/repositories/ws", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "100", r.URL.Query().Get("pagelen"))
		var vals []string
		from, next := 0, root+apiPrefix+"/repositories/ws?pagelen=100&page=2"
		if r.URL.Query().Get("page") == "2" {
			from, next = 100, ""
		}
		for i := from; i < from+100 && i < 130; i++ {
			vals = append(vals, fmt.Sprintf(`{"slug":"r%d","full_name":"ws/r%d","mainbranch":{"name":"main"}}`, i, i))
		}
		body := `{"values":[` + strings.Join(vals, ",") + `]`
		if next != "" {
			body += `,"next":"` + next + `"`
		}
		writeJSON(w, 200, body+"}")
	})
	repos, err := c.ListRepositories(t.Context(), "ws")
	require.NoError(t, err)
	require.Len(t, repos, 130)
	assert.Equal(t, "r129", repos[129].Slug)
	assert.Equal(t, "ws/r0", repos[0].FullName)
	assert.Equal(t, "main", repos[0].MainBranch.Name)
	_, err = c.ListRepositories(t.Context(), "")
	assert.Error(t, err)
}

func TestGetRepositoryPullRequestsMembership(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	mux.HandleFunc("/repositories/ws/repo", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"slug":"repo","full_name":"ws/repo","uuid":"{r}","mainbranch":{"type":"branch","name":"trunk"}}`)
	})
	mux.HandleFunc("/repositories/ws/repo/pullrequests", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "OPEN", r.URL.Query().Get("state"))
		assert.Equal(t, "1", r.URL.Query().Get("pagelen"))
		writeJSON(w, 200, `{"values":[{"id":4,"title":"x"}]}`)
	})
	mux.HandleFunc("/user/workspaces/ws/permission", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"type":"workspace_membership","permission":"member","workspace":{"slug":"ws","uuid":"{w}"}}`)
	})
	repo, _, err := c.GetRepository(t.Context(), "ws", "repo")
	require.NoError(t, err)
	assert.Equal(t, "trunk", repo.MainBranch.Name)
	assert.Equal(t, "{r}", repo.UUID)
	prs, _, err := c.ListPullRequests(t.Context(), "ws", "repo", "OPEN", 1)
	require.NoError(t, err)
	require.Len(t, prs, 1)
	assert.Equal(t, 4, prs[0].ID)
	m, _, err := c.GetWorkspaceMembership(t.Context(), "ws")
	require.NoError(t, err)
	assert.Equal(t, "member", m.Permission)
	assert.Equal(t, "ws", m.Workspace.Slug)
	_, _, err = c.ListPullRequests(t.Context(), "ws", "repo", "", 51)
	assert.Error(t, err)
}
