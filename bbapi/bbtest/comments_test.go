package bbtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPagination250 seeds 250 comments (a human's on page 3 carries the
// bot's marker) and walks them with pagelen=100 by following next.
func TestPagination250(t *testing.T) {
	s, bot := fixture(t)
	human := s.AddUser(NewUser("alice"))
	for i := 1; i <= 250; i++ {
		c := Comment{Raw: fmt.Sprintf("comment %d", i), User: human}
		switch i {
		case 230:
			c.Raw = "copied [//]: # (bitreview-id-1;)"
		case 240:
			c.User, c.Raw = bot, "ours [//]: # (bitreview-id-1;)"
		}
		s.AddComment(ws, slug, 1, c)
	}
	next := prPath + "/comments?pagelen=100"
	var sizes []int
	var all []map[string]any
	for page := 1; next != ""; page++ {
		require.LessOrEqual(t, page, 3)
		resp, data := send(t, s, "GET", next, basic(bot), nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
		m := decode(t, data)
		assert.Equal(t, float64(250), m["size"])
		assert.Equal(t, float64(page), m["page"])
		assert.Equal(t, float64(100), m["pagelen"])
		values := m["values"].([]any)
		sizes = append(sizes, len(values))
		for _, v := range values {
			all = append(all, v.(map[string]any))
		}
		next, _ = m["next"].(string)
		if next != "" {
			assert.True(t, strings.HasPrefix(next, "http://"), "next is absolute: %s", next)
			assert.Contains(t, next, "pagelen=100")
		}
	}
	assert.Equal(t, []int{100, 100, 50}, sizes)
	require.Len(t, all, 250)
	assert.Equal(t, "comment 1", all[0]["content"].(map[string]any)["raw"], "oldest first")
	assert.Equal(t, bot.UUID, all[239]["user"].(map[string]any)["uuid"])
	assert.Equal(t, human.UUID, all[229]["user"].(map[string]any)["uuid"])

	// Default page length is 10; page beyond the end is empty.
	resp, data := send(t, s, "GET", prPath+"/comments", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := decode(t, data)
	assert.Len(t, m["values"], 10)
	assert.Equal(t, float64(10), m["pagelen"])
	resp, data = send(t, s, "GET", prPath+"/comments?page=99", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, decode(t, data)["values"])
	assert.NotContains(t, decode(t, data), "next")
}

func TestPaginationLimits(t *testing.T) {
	s, bot := fixture(t, AllowViolations())
	for _, q := range []string{"pagelen=101", "pagelen=0", "pagelen=x", "page=0", "page=-1"} {
		resp, data := send(t, s, "GET", prPath+"/comments?"+q, bearer(bot), nil)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, q)
		assert.Contains(t, errMessage(t, data), "Invalid page", q)
	}
	assert.Len(t, s.Violations(), 5)
	resp, _ := send(t, s, "GET", prPath+"/comments?pagelen=100", bearer(bot), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestCommentLifecycle(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s, bot := fixture(t, WithClock(func() time.Time { return now }))
	human := s.AddUser(NewUser("alice"))

	resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("**finding**", map[string]any{"path": "main.go", "to": 4}))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	c := decode(t, data)
	id := int(c["id"].(float64))
	self := fmt.Sprintf("%s/repositories/acme/widgets/pullrequests/1/comments/%d", s.URL, id)
	assert.Equal(t, self, resp.Header.Get("Location"))
	assert.Equal(t, "pullrequest_comment", c["type"])
	assert.Equal(t, "**finding**", c["content"].(map[string]any)["raw"])
	assert.NotEmpty(t, c["content"].(map[string]any)["html"])
	assert.Equal(t, bot.UUID, c["user"].(map[string]any)["uuid"])
	assert.Equal(t, false, c["deleted"])
	assert.Equal(t, "2026-03-04T05:06:07.000000+00:00", c["created_on"])
	assert.Contains(t, c["links"].(map[string]any)["html"].(map[string]any)["href"], fmt.Sprintf("#comment-%d", id))
	assert.NotContains(t, string(data), "null")

	// A reply; a reply to a missing parent is refused.
	resp, data = send(t, s, "POST", prPath+"/comments", bearer(human), map[string]any{"content": map[string]any{"raw": "why?"}, "parent": map[string]any{"id": id}})
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	reply := int(decode(t, data)["id"].(float64))
	assert.Equal(t, float64(id), decode(t, data)["parent"].(map[string]any)["id"])
	resp, _ = send(t, s, "POST", prPath+"/comments", bearer(human), map[string]any{"content": map[string]any{"raw": "?"}, "parent": map[string]any{"id": 1}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	one := fmt.Sprintf("%s/comments/%d", prPath, id)
	// Only the author edits or deletes.
	resp, _ = send(t, s, "PUT", one, bearer(human), comment("hijack", nil))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = send(t, s, "DELETE", one, bearer(human), nil)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	now = now.Add(time.Minute)
	resp, data = send(t, s, "PUT", one, bearer(bot), comment("**finding** (updated)", map[string]any{"path": "main.go", "to": 5}))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	c = decode(t, data)
	assert.Equal(t, "**finding** (updated)", c["content"].(map[string]any)["raw"])
	assert.Equal(t, float64(5), c["inline"].(map[string]any)["to"])
	assert.Equal(t, "2026-03-04T05:07:07.000000+00:00", c["updated_on"])
	resp, _ = send(t, s, "PUT", one, bearer(bot), comment("moved", map[string]any{"path": "main.go", "to": 12}))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "updates are anchored too")

	// Resolve and reopen.
	resp, _ = send(t, s, "POST", fmt.Sprintf("%s/comments/%d/resolve", prPath, reply), bearer(bot), nil)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "replies cannot be resolved")
	resp, data = send(t, s, "POST", one+"/resolve", bearer(human), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, "comment_resolution", decode(t, data)["type"])
	resp, _ = send(t, s, "POST", one+"/resolve", bearer(bot), nil)
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	resp, data = send(t, s, "GET", one, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, human.UUID, decode(t, data)["resolution"].(map[string]any)["user"].(map[string]any)["uuid"])
	resp, _ = send(t, s, "DELETE", one+"/resolve", bearer(bot), nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = send(t, s, "DELETE", one+"/resolve", bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, data = send(t, s, "POST", prPath+"/comments", bearer(bot), comment("general", nil))
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	general := int(decode(t, data)["id"].(float64))
	resp, _ = send(t, s, "POST", fmt.Sprintf("%s/comments/%d/resolve", prPath, general), bearer(bot), nil)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "only comments on the diff resolve")

	// Delete: 204, then marked deleted, still listed, filterable.
	resp, _ = send(t, s, "DELETE", one, bearer(bot), nil)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = send(t, s, "DELETE", one, bearer(bot), nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = send(t, s, "PUT", one, bearer(bot), comment("zombie", nil))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, data = send(t, s, "GET", one, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, true, decode(t, data)["deleted"])
	resp, data = send(t, s, "GET", prPath+"/comments?q=deleted%3Dfalse&sort=-created_on", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	values := decode(t, data)["values"].([]any)
	require.Len(t, values, 2)
	assert.Equal(t, float64(general), values[0].(map[string]any)["id"])

	stored := s.Comments(ws, slug, 1)
	require.Len(t, stored, 3)
	assert.True(t, stored[0].Deleted)
	assert.Equal(t, &Inline{Path: "main.go", To: 5}, stored[0].Inline)
	assert.Equal(t, id, stored[1].ParentID)
	assert.Empty(t, stored[0].User.AccessToken, "stored users carry no credentials")

	resp, data = send(t, s, "GET", prPath, bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, float64(2), decode(t, data)["comment_count"])
}
