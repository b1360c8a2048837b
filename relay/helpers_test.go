package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The published HMAC test vector (threats-and-failures.md requirement 1).
const (
	testSecret = "It's a Secret to Everybody"
	botUUID    = "{b07b07b0-0000-4000-8000-00000000b07b}"
	botAccount = "557058:b07b07b0-bot"
	userUUID   = "{0a11ce00-0000-4000-8000-0000000a11ce}"
)

// starter records triggers; fn, when set, decides each call's outcome.
type starter struct {
	mu    sync.Mutex
	calls []Trigger
	fn    func(ctx context.Context, n int, t Trigger) (Started, error)
}

func (s *starter) StartPipeline(ctx context.Context, t Trigger) (Started, error) {
	s.mu.Lock()
	s.calls = append(s.calls, t)
	n := len(s.calls)
	fn := s.fn
	s.mu.Unlock()
	if fn != nil {
		return fn(ctx, n, t)
	}
	return Started{UUID: fmt.Sprintf("{run-%d}", n), BuildNumber: n}, nil
}

func (s *starter) triggers() []Trigger {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Trigger(nil), s.calls...)
}

// newRelay starts a relay with the test secret and a recording starter;
// it is shut down at cleanup.
func newRelay(t testing.TB, opts ...func(*Options)) (*Relay, *starter) {
	t.Helper()
	st := &starter{}
	o := Options{Secret: []byte(testSecret), Starter: st, BotUUID: botUUID, BotAccountID: botAccount,
		RetryDelay: time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	r, err := New(o)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Shutdown(ctx)
	})
	return r, st
}

// settle shuts the relay down (draining the queue), so its triggers can be
// counted.
func settle(t testing.TB, r *Relay) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.Shutdown(ctx))
}

// deliver sends body as Bitbucket would, signed with the test secret
// unless headers set X-Hub-Signature themselves ("" removes it).
func deliver(h http.Handler, eventKey string, body []byte, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Bitbucket-Webhooks/2.0")
	req.Header.Set(EventKeyHeader, eventKey)
	req.Header.Set(SignatureHeader, Sign([]byte(testSecret), body))
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The payload builders follow Bitbucket's event payloads: an actor, the
// repository the webhook belongs to, the pull request with its source and
// destination, and (for comment events) the comment with its links.

type prSpec struct {
	id                   int
	state                string
	srcRepo, dstRepo     string // full names; "" means acme/shop
	srcBranch, dstBranch string
	srcCommit            string
}

func (p prSpec) withDefaults() prSpec {
	if p.id == 0 {
		p.id = 7
	}
	if p.state == "" {
		p.state = "OPEN"
	}
	if p.dstRepo == "" {
		p.dstRepo = "acme/shop"
	}
	if p.srcRepo == "" {
		p.srcRepo = p.dstRepo
	}
	if p.srcBranch == "" {
		p.srcBranch = "feature/login"
	}
	if p.dstBranch == "" {
		p.dstBranch = "main"
	}
	if p.srcCommit == "" {
		p.srcCommit = "5f1c0ffee0dd"
	}
	return p
}

func repoJSON(full string) map[string]any {
	ws, slug, _ := strings.Cut(full, "/")
	return map[string]any{
		"type": "repository", "full_name": full, "name": slug,
		"uuid":      fmt.Sprintf("{%08x-0000-4000-8000-000000000000}", len(full)*7919+int(full[0])),
		"workspace": map[string]any{"type": "workspace", "slug": ws, "name": ws},
		"links":     map[string]any{"html": map[string]any{"href": "https://bitbucket.org/" + full}},
	}
}

func userJSON(uuid, typ string) map[string]any {
	return map[string]any{
		"type": typ, "uuid": uuid, "account_id": "557058:" + strings.Trim(uuid, "{}"),
		"display_name": "Alice Example", "nickname": "alice",
		"links": map[string]any{"avatar": map[string]any{"href": "https://avatar.example/a.png"}},
	}
}

func prJSON(p prSpec) map[string]any {
	p = p.withDefaults()
	return map[string]any{
		"type": "pullrequest", "id": p.id, "title": "Add login", "description": "Adds a login form.",
		"state": p.state, "author": userJSON(userUUID, "user"), "draft": false,
		"source": map[string]any{
			"branch": map[string]any{"name": p.srcBranch}, "commit": map[string]any{"hash": p.srcCommit},
			"repository": repoJSON(p.srcRepo),
		},
		"destination": map[string]any{
			"branch": map[string]any{"name": p.dstBranch}, "commit": map[string]any{"hash": "0123456789ab"},
			"repository": repoJSON(p.dstRepo),
		},
		"created_on": "2026-03-01T10:00:00.000000+00:00", "updated_on": "2026-03-01T10:05:00.000000+00:00",
		"links": map[string]any{"html": map[string]any{"href": "https://bitbucket.org/" + p.dstRepo + "/pull-requests/7"}},
	}
}

// commentEvent is a pullrequest:comment_created payload by actor.
func commentEvent(id int, raw string, actor map[string]any, p prSpec) map[string]any {
	p = p.withDefaults()
	return map[string]any{
		"actor": actor, "repository": repoJSON(p.dstRepo), "pullrequest": prJSON(p),
		"comment": map[string]any{
			"type": "pullrequest_comment", "id": id,
			"content": map[string]any{"type": "rendered", "raw": raw, "markup": "markdown", "html": "<p>" + raw + "</p>"},
			"user":    actor, "deleted": false, "pending": false,
			"created_on": "2026-03-01T10:06:00.000000+00:00", "updated_on": "2026-03-01T10:06:00.000000+00:00",
			"links": map[string]any{"self": map[string]any{"href": fmt.Sprintf("https://api.bitbucket.org/2.0/repositories/%s/pullrequests/%d/comments/%d", p.dstRepo, p.id, id)}},
		},
	}
}

// prEvent is a pullrequest:created/updated payload by actor.
func prEvent(actor map[string]any, p prSpec) map[string]any {
	p = p.withDefaults()
	return map[string]any{"actor": actor, "repository": repoJSON(p.dstRepo), "pullrequest": prJSON(p)}
}

func alice() map[string]any { return userJSON(userUUID, "user") }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
