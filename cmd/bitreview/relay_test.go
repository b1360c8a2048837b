package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/relay"
)

const relayTestSecret = "It's a Secret to Everybody"

// syncLog is a buffer the relay's goroutines can log into while a test
// reads it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// commentPayload is a pullrequest:comment_created delivery on acme/shop.
func commentPayload(commentID int, raw, actorUUID string) []byte {
	repo := func(full string) map[string]any {
		return map[string]any{"type": "repository", "full_name": full, "uuid": "{" + fmt.Sprintf("%08x", len(full)) + "-0000-4000-8000-000000000000}"}
	}
	actor := map[string]any{"type": "user", "uuid": actorUUID, "account_id": "557058:alice", "display_name": "Alice"}
	ev := map[string]any{
		"actor": actor, "repository": repo(ws + "/" + slug),
		"pullrequest": map[string]any{
			"id": 7, "state": "OPEN",
			"source":      map[string]any{"branch": map[string]any{"name": "feature/x"}, "commit": map[string]any{"hash": "aaaaaaaaaaaa"}, "repository": repo(ws + "/" + slug)},
			"destination": map[string]any{"branch": map[string]any{"name": "main"}, "commit": map[string]any{"hash": "bbbbbbbbbbbb"}, "repository": repo(ws + "/" + slug)},
		},
		"comment": map[string]any{"id": commentID, "content": map[string]any{"raw": raw}, "user": actor,
			"created_on": "2026-03-01T10:00:00+00:00", "updated_on": "2026-03-01T10:00:00+00:00"},
	}
	b, _ := json.Marshal(ev)
	return b
}

func TestRelayRefusesToStartWithoutSecret(t *testing.T) {
	var out bytes.Buffer
	code := run(t.Context(), []string{"relay"}, []string{"BITBUCKET_ACCESS_TOKEN=x"}, &out, &out)
	assert.Equal(t, exitConfig, code)
	assert.Contains(t, out.String(), "RELAY_WEBHOOK_SECRET: not set")
	assert.Contains(t, out.String(), "never accepts unsigned deliveries")

	out.Reset()
	code = run(t.Context(), []string{"relay"}, []string{"RELAY_WEBHOOK_SECRET=short", "RELAY_LISTEN=nonsense",
		"RELAY_BOT_NAME=@bad name", "RELAY_ALLOWED_UUIDS={not-a-uuid}"}, &out, &out)
	assert.Equal(t, exitConfig, code)
	for _, want := range []string{"RELAY_WEBHOOK_SECRET: must be at least 16", "RELAY_LISTEN", "RELAY_BOT_NAME", "RELAY_ALLOWED_UUIDS", "BITBUCKET_ACCESS_TOKEN: not set"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "short", "values are never echoed")
}

// Item 16: a secret of spaces is no secret. It is trimmed before the
// length check, so the relay refuses to start (exit 2) and says why.
func TestRelayRefusesBlankSecret(t *testing.T) {
	bb := bbtest.New(t)
	bot := bbtest.NewUser("bitreview-bot")
	bot.Scopes = []string{"read:user:bitbucket", "read:pipeline:bitbucket", "write:pipeline:bitbucket"}
	bot = bb.AddUser(bot)
	for _, secret := range []string{strings.Repeat(" ", 16), strings.Repeat(" ", 20) + "\t\n", " nine-char" + strings.Repeat(" ", 12)} {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		var out syncLog
		code := run(ctx, []string{"relay"}, []string{"BITBUCKET_API_URL=" + bb.URL, "BITBUCKET_ACCESS_TOKEN=" + bot.AccessToken,
			"RELAY_WEBHOOK_SECRET=" + secret, "RELAY_LISTEN=127.0.0.1:0"}, io.Discard, &out)
		cancel()
		assert.Equal(t, exitConfig, code, "%q: %s", secret, out.String())
		assert.Contains(t, out.String(), "RELAY_WEBHOOK_SECRET:", "%q", secret)
		assert.NotContains(t, out.String(), "relay listening")
	}
	_, err := relay.New(relay.Options{Secret: []byte(strings.Repeat(" ", 16)), Starter: relay.BitbucketStarter{}})
	assert.ErrorIs(t, err, relay.ErrNoSecret, "the relay package refuses a blank secret too")
}

// The command end to end: start, take a signed delivery, start the
// pipeline on the fake, answer /healthz, shut down on cancel with exit 0.
func TestRelayCommandEndToEnd(t *testing.T) {
	bb := bbtest.New(t)
	bot := bbtest.NewUser("bitreview-bot")
	bot.Scopes = []string{"read:user:bitbucket", "read:pipeline:bitbucket", "write:pipeline:bitbucket"}
	bot = bb.AddUser(bot)
	bb.AddFile(ws, slug, "main", pipelinesFile, pipelinesSnippet())
	environ := []string{
		"BITBUCKET_API_URL=" + bb.URL, "BITBUCKET_ACCESS_TOKEN=" + bot.AccessToken,
		"RELAY_WEBHOOK_SECRET=" + relayTestSecret, "RELAY_LISTEN=127.0.0.1:0",
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var logs syncLog
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"relay"}, environ, io.Discard, &logs) }()

	var addr string
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "relay listening" {
				addr, _ = m["addr"].(string)
				assert.Equal(t, bot.UUID, m["bot_uuid"])
				return true
			}
		}
		return false
	}, 10*time.Second, 10*time.Millisecond, "logs: %s", logs.String())

	post := func(body []byte, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", bytes.NewReader(body))
		req.Header.Set(relay.EventKeyHeader, relay.EventCommentCreated)
		req.Header.Set(relay.RequestUUIDHeader, "{e2e-1}")
		if sig != "" {
			req.Header.Set(relay.SignatureHeader, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	body := commentPayload(900, "@bitreview summary", "{0a11ce00-0000-4000-8000-0000000a11ce}")
	assert.Equal(t, http.StatusUnauthorized, post(body, ""))
	assert.Equal(t, http.StatusAccepted, post(body, relay.Sign([]byte(relayTestSecret), body)))
	assert.Equal(t, http.StatusAccepted, post(body, relay.Sign([]byte(relayTestSecret), body)), "redelivery")
	ownComment := commentPayload(901, "@bitreview review", bot.UUID)
	assert.Equal(t, http.StatusAccepted, post(ownComment, relay.Sign([]byte(relayTestSecret), ownComment)))

	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.Eventually(t, func() bool { return len(bb.Pipelines(ws, slug)) == 1 }, 10*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code)
	case <-time.After(15 * time.Second):
		t.Fatal("the relay did not shut down")
	}
	runs := bb.Pipelines(ws, slug)
	require.Len(t, runs, 1, "one pipeline: the redelivery and the bot's own comment start none")
	assert.Equal(t, "main", runs[0].RefName)
	assert.Equal(t, "bitreview", runs[0].SelectorPattern)
	assert.Equal(t, []bbtest.PipelineVariable{{Key: "BITREVIEW_PR_ID", Value: "7"}, {Key: "BITREVIEW_COMMENT_ID", Value: "900"}, {Key: "BITREVIEW_COMMAND", Value: "summary"}}, runs[0].Variables)
	out := logs.String()
	assert.Contains(t, out, `"msg":"relay stopped"`)
	assert.Contains(t, out, `"started":1`)
	assert.NotContains(t, out, relayTestSecret)
	assert.NotContains(t, out, bot.AccessToken)
}

func TestRelayStartupNamesMissingReadUser(t *testing.T) {
	bb := bbtest.New(t)
	bot := bbtest.NewUser("bitreview-bot")
	bot.Scopes = []string{"read:pipeline:bitbucket", "write:pipeline:bitbucket"}
	bot = bb.AddUser(bot)
	var out syncLog
	code := run(t.Context(), []string{"relay"}, []string{
		"BITBUCKET_API_URL=" + bb.URL, "BITBUCKET_ACCESS_TOKEN=" + bot.AccessToken,
		"RELAY_WEBHOOK_SECRET=" + relayTestSecret, "RELAY_LISTEN=127.0.0.1:0",
	}, io.Discard, &out)
	assert.Equal(t, exitRemote, code)
	assert.Contains(t, out.String(), "read:user:bitbucket")
	assert.Contains(t, out.String(), "GET /user")
}
