package bbapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const commentsPathT = "/repositories/ws/repo/pullrequests/5/comments"

// commentPage renders a page of comments with ids from..to-1.
func commentPage(from, to int, next string) string {
	var vals []string
	for id := from; id < to; id++ {
		vals = append(vals, fmt.Sprintf(`{"type":"pullrequest_comment","id":%d,"content":{"raw":"c%d"}}`, id, id))
	}
	nextField := ""
	if next != "" {
		nextField = fmt.Sprintf(`,"next":%q`, next)
	}
	return fmt.Sprintf(`{"pagelen":100,"values":[%s]%s}`, strings.Join(vals, ","), nextField)
}

func TestListPullRequestComments(t *testing.T) {
	t.Parallel()
	c, mux, root := setup(t, WithAccessToken(canaryToken))
	var pages []string
	mux.HandleFunc(commentsPathT, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Authorization", "Bearer "+canaryToken)
		assert.Equal(t, "100", r.URL.Query().Get("pagelen"))
		p := r.URL.Query().Get("page")
		pages = append(pages, p)
		base := root + apiPrefix + commentsPathT + "?pagelen=100&page="
		switch p {
		case "":
			writeJSON(w, 200, commentPage(1, 101, base+"2"))
		case "2":
			writeJSON(w, 200, commentPage(101, 201, base+"3"))
		case "3":
			writeJSON(w, 200, commentPage(201, 251, ""))
		default:
			t.Errorf("unexpected page %q", p)
		}
	})
	got, err := c.ListPullRequestComments(t.Context(), "ws", "repo", 5)
	require.NoError(t, err)
	require.Len(t, got, 250)
	for i, cm := range got {
		assert.Equal(t, i+1, cm.ID)
	}
	assert.Equal(t, []string{"", "2", "3"}, pages)
}

func TestListPullRequestCommentsRefusesForeignNext(t *testing.T) {
	t.Parallel()
	var foreignCalls atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignCalls.Add(1)
		writeJSON(w, 200, commentPage(0, 0, ""))
	}))
	t.Cleanup(foreign.Close)

	c, mux, _ := setup(t, WithAccessToken(canaryToken))
	mux.HandleFunc(commentsPathT, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, commentPage(1, 3, foreign.URL+"/2.0"+commentsPathT+"?page=2"))
	})
	got, err := c.ListPullRequestComments(t.Context(), "ws", "repo", 5)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing next link")
	assert.Nil(t, got)
	assert.Zero(t, foreignCalls.Load())
}

func TestListPullRequestCommentsPageCap(t *testing.T) {
	t.Parallel()
	c, mux, root := setup(t)
	var calls atomic.Int32
	mux.HandleFunc(commentsPathT, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		writeJSON(w, 200, commentPage(int(n), int(n)+1, root+apiPrefix+commentsPathT+"?page="+strconv.Itoa(int(n)+1)))
	})
	_, err := c.ListPullRequestComments(t.Context(), "ws", "repo", 5)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stopped after 1000 pages")
	assert.Equal(t, int32(1000), calls.Load())
}

func TestCommentCRUD(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	const created = `{"type":"pullrequest_comment","id":77,"content":{"raw":"a <b> & c","markup":"markdown","html":"<p>a</p>"},
		"inline":{"path":"a.go","to":16,"start_to":10,"outdated":false,"context_lines":""},"parent":{"id":70,"type":"pullrequest_comment"},
		"user":{"type":"app_user","uuid":"{bot}"},"deleted":false,"pending":false,
		"created_on":"2026-02-01T10:00:00.000001+00:00","updated_on":"2026-02-01T10:00:00+00:00"}`
	mux.HandleFunc(commentsPathT, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeader(t, r, "Content-Type", "application/json")
		testJSONBody(t, r, `{"content":{"raw":"a <b> & c"},"inline":{"path":"a.go","to":16,"start_to":10},"parent":{"id":70}}`)
		writeJSON(w, http.StatusCreated, created)
	})
	mux.HandleFunc(commentsPathT+"/77", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, created)
		case http.MethodPut:
			testJSONBody(t, r, `{"content":{"raw":"edited"}}`)
			writeJSON(w, 200, `{"id":77,"content":{"raw":"edited"}}`)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			t.Errorf("unexpected method %s", r.Method)
		}
	})
	var resolves atomic.Int32
	mux.HandleFunc(commentsPathT+"/77/resolve", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		if resolves.Add(1) == 1 {
			writeJSON(w, 200, `{"type":"comment_resolution"}`)
			return
		}
		writeJSON(w, http.StatusConflict, `{"type":"error","error":{"message":"already resolved"}}`)
	})
	mux.HandleFunc(commentsPathT+"/78/resolve", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"type":"error","error":{"message":"not a top-level comment"}}`)
	})

	in := &NewComment{Content: Content{Raw: "a <b> & c"}, Inline: &Inline{Path: "a.go", To: Int(16), StartTo: Int(10)}, Parent: &Ref{ID: 70}}
	cm, resp, err := c.CreatePullRequestComment(t.Context(), "ws", "repo", 5, in)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	want := &Comment{
		ID: 77, Content: Content{Raw: "a <b> & c", Markup: "markdown", HTML: "<p>a</p>"},
		Inline: &Inline{Path: "a.go", To: Int(16), StartTo: Int(10)}, Parent: &Ref{ID: 70},
		User:      &Account{Type: "app_user", UUID: "{bot}"},
		CreatedOn: time.Date(2026, 2, 1, 10, 0, 0, 1000, time.UTC), UpdatedOn: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC),
	}
	cm.CreatedOn, cm.UpdatedOn = cm.CreatedOn.UTC(), cm.UpdatedOn.UTC()
	assert.Equal(t, want, cm)

	got, _, err := c.GetPullRequestComment(t.Context(), "ws", "repo", 5, 77)
	require.NoError(t, err)
	assert.Equal(t, 70, got.Parent.ID)

	upd, _, err := c.UpdatePullRequestComment(t.Context(), "ws", "repo", 5, 77, &NewComment{Content: Content{Raw: "edited"}})
	require.NoError(t, err)
	assert.Equal(t, "edited", upd.Content.Raw)

	resp, err = c.DeletePullRequestComment(t.Context(), "ws", "repo", 5, 77)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	_, err = c.ResolvePullRequestComment(t.Context(), "ws", "repo", 5, 77)
	require.NoError(t, err)
	resp, err = c.ResolvePullRequestComment(t.Context(), "ws", "repo", 5, 77)
	require.NoError(t, err, "409 already resolved is not an error")
	assert.Equal(t, http.StatusConflict, resp.StatusCode)

	_, err = c.ResolvePullRequestComment(t.Context(), "ws", "repo", 5, 78)
	var er *ErrorResponse
	require.ErrorAs(t, err, &er)
	assert.Equal(t, http.StatusForbidden, er.StatusCode)

	_, _, err = c.CreatePullRequestComment(t.Context(), "ws", "repo", 5, nil)
	require.Error(t, err)
}
