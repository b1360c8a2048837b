package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/relay"
)

// relayProcess is the built binary running `bitreview relay`.
type relayProcess struct {
	cmd  *exec.Cmd
	addr string
	logs *syncLog
	done chan int // the exit code
}

// startRelayBinary runs `bitreview relay` on a free loopback port and
// waits until it listens.
func startRelayBinary(t *testing.T, environ []string) *relayProcess {
	t.Helper()
	p := &relayProcess{cmd: exec.Command(binary, "relay"), logs: &syncLog{}, done: make(chan int, 1)}
	p.cmd.Env = append(environ, "RELAY_LISTEN=127.0.0.1:0")
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			p.logs.Write(append(append([]byte(nil), line...), '\n'))
			var m map[string]any
			if json.Unmarshal(line, &m) == nil && m["msg"] == "relay listening" {
				addr <- m["addr"].(string)
			}
		}
		err := p.cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		p.done <- code
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	select {
	case p.addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatalf("the relay did not start: %s", p.logs.String())
	}
	return p
}

// bitbucketSender delivers signed comment events as Bitbucket does and
// remembers which got a 2xx (Bitbucket never redelivers those).
type bitbucketSender struct {
	bodies [][]byte
	acked  []atomic.Bool
	client *http.Client
}

func newBitbucketSender(n int) *bitbucketSender {
	s := &bitbucketSender{bodies: make([][]byte, n), acked: make([]atomic.Bool, n), client: &http.Client{Timeout: 15 * time.Second}}
	for i := range s.bodies {
		s.bodies[i] = commentPayload(1000+i, "@bitreview review", "{0a11ce00-0000-4000-8000-0000000a11ce}")
	}
	return s
}

func (s *bitbucketSender) send(addr string, i, attempt int) bool {
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhook", bytes.NewReader(s.bodies[i]))
	req.Header.Set(relay.EventKeyHeader, relay.EventCommentCreated)
	req.Header.Set(relay.SignatureHeader, relay.Sign([]byte(relayTestSecret), s.bodies[i]))
	req.Header.Set(relay.RequestUUIDHeader, "{delivery-"+strconv.Itoa(i)+"}")
	req.Header.Set(relay.AttemptHeader, strconv.Itoa(attempt))
	resp, err := s.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode/100 == 2
}

// pending lists the deliveries without a 2xx yet.
func (s *bitbucketSender) pending() []int {
	var out []int
	for i := range s.acked {
		if !s.acked[i].Load() {
			out = append(out, i)
		}
	}
	return out
}

// burst sends the pending deliveries, 20 at a time, calling onAnswer with
// the number answered so far.
func (s *bitbucketSender) burst(addr string, attempt int, onAnswer func(answered int)) {
	pending := s.pending()
	var next, answered atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(pending) {
					return
				}
				if s.send(addr, pending[k], attempt) {
					s.acked[pending[k]].Store(true)
				}
				onAnswer(int(answered.Add(1)))
			}
		})
	}
	wg.Wait()
}

// Issue 15, item 13, end to end: the real binary, the fake Bitbucket with
// a slow pipelines API (0.5 s per start), a burst of deliveries and SIGTERM
// near its end (with 20 in flight and 20 not yet sent). Every delivery
// answered 2xx has started exactly one pipeline, and a new relay that
// takes Bitbucket's redeliveries (up to 2 retries) starts the rest, each
// once.
func TestRelaySIGTERMLosesNoAcknowledgedDelivery(t *testing.T) {
	t.Parallel()
	bb := bbtest.New(t)
	bot := bbtest.NewUser("bitreview-bot")
	bot.Scopes = []string{"read:user:bitbucket", "read:pipeline:bitbucket", "write:pipeline:bitbucket"}
	bot = bb.AddUser(bot)
	bb.AddFile(ws, slug, "main", pipelinesFile, pipelinesSnippet())
	bb.Fault(bbtest.Fault{Method: "POST", PathContains: "/pipelines/", Delay: 500 * time.Millisecond, Times: -1})
	environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "BITBUCKET_API_URL=" + bb.URL,
		"BITBUCKET_ACCESS_TOKEN=" + bot.AccessToken, "RELAY_WEBHOOK_SECRET=" + relayTestSecret}
	const n = 240
	bitbucket := newBitbucketSender(n)

	first := startRelayBinary(t, environ)
	var once sync.Once
	bitbucket.burst(first.addr, 1, func(answered int) {
		if answered >= n-40 {
			once.Do(func() { assert.NoError(t, first.cmd.Process.Signal(syscall.SIGTERM)) })
		}
	})
	select {
	case code := <-first.done:
		assert.Equal(t, exitOK, code, first.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the relay did not stop after SIGTERM")
	}
	firstAcked := n - len(bitbucket.pending())
	t.Logf("first relay: %d of %d acknowledged", firstAcked, n)
	require.Positive(t, firstAcked)
	require.Less(t, firstAcked, n, "SIGTERM came in the middle of the burst")

	second := startRelayBinary(t, environ)
	for attempt := 2; attempt <= 3; attempt++ {
		bitbucket.burst(second.addr, attempt, func(int) {})
	}
	require.NoError(t, second.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case code := <-second.done:
		assert.Equal(t, exitOK, code, second.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the second relay did not stop after SIGTERM")
	}

	started := map[string]int{}
	for _, run := range bb.Pipelines(ws, slug) {
		for _, v := range run.Variables {
			if v.Key == relay.VarCommentID {
				started[v.Value]++
			}
		}
	}
	for i := range bitbucket.acked {
		id := strconv.Itoa(1000 + i)
		if bitbucket.acked[i].Load() {
			assert.Equal(t, 1, started[id], "comment %s was answered 2xx: one pipeline", id)
		} else {
			assert.Zero(t, started[id], "comment %s got no 2xx: no pipeline", id)
		}
	}
	assert.Len(t, started, n, "every delivery started once in the end")
	assert.NotContains(t, first.logs.String()+second.logs.String(), bot.AccessToken)
}
