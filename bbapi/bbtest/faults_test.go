package bbtest

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultStatus(t *testing.T) {
	s, bot := fixture(t)
	s.Fault(Fault{Method: "GET", PathContains: "/user", Status: 429, Times: 2})
	for i := 0; i < 2; i++ {
		resp, data := send(t, s, "GET", "/user", bearer(bot), nil)
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		assert.Equal(t, "Rate limit for this resource has been exceeded", string(data))
		assert.Empty(t, resp.Header.Get("Retry-After"), "Bitbucket sends no Retry-After")
	}
	resp, _ := send(t, s, "GET", "/user", bearer(bot), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	s.Fault(Fault{PathContains: "/user", Status: 429, RetryAfter: "3600"})
	resp, _ = send(t, s, "GET", "/user", bearer(bot), nil)
	assert.Equal(t, "3600", resp.Header.Get("Retry-After"))

	for _, code := range []int{500, 502, 503} {
		s.Fault(Fault{Method: "POST", PathContains: "/comments", Status: code})
		resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", nil))
		assert.Equal(t, code, resp.StatusCode)
		assert.Equal(t, http.StatusText(code), errMessage(t, data))
	}
	assert.Empty(t, s.Comments(ws, slug, 1), "a status fault performs nothing")

	s.Fault(Fault{PathContains: "/diff/", Status: 555})
	resp, data := send(t, s, "GET", prPath+"/diff", bearer(bot), nil)
	assert.Equal(t, 555, resp.StatusCode, "the redirect target is too large")
	assert.Contains(t, errMessage(t, data), "too large")

	s.Fault(Fault{PathContains: "/user", Status: 503, Times: -1, Body: "upstream down"})
	for i := 0; i < 3; i++ {
		resp, data := send(t, s, "GET", "/user", bearer(bot), nil)
		assert.Equal(t, 503, resp.StatusCode)
		assert.Equal(t, "upstream down", string(data))
	}
	assert.Empty(t, s.Violations())
}

func TestFaultDelay(t *testing.T) {
	s, bot := fixture(t)
	s.Fault(Fault{PathContains: "/user", Delay: 150 * time.Millisecond})
	start := time.Now()
	resp, _ := send(t, s, "GET", "/user", bearer(bot), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	s.Fault(Fault{PathContains: "/user", Delay: 10 * time.Second})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	_, _, err := tryCall(client, s, "GET", "/user", bearer(bot), nil)
	require.Error(t, err)
}

func TestFaultReset(t *testing.T) {
	s, bot := fixture(t)
	s.Fault(Fault{Method: "POST", PathContains: "/comments", Reset: true})
	_, _, err := tryCall(http.DefaultClient, s, "POST", prPath+"/comments", bearer(bot), comment("x", nil))
	require.Error(t, err)
	assert.Empty(t, s.Comments(ws, slug, 1))
	reqs := s.Requests()
	assert.Equal(t, 0, reqs[len(reqs)-1].Status)
	// The next attempt goes through.
	resp, _ := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", nil))
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
}

// TestFaultStoreThenHang is requirement 22's setup: the comment is created,
// but the client times out before the answer.
func TestFaultStoreThenHang(t *testing.T) {
	s, bot := fixture(t)
	s.Fault(Fault{Method: "POST", PathContains: "/comments", StoreThenHang: 10 * time.Second})
	client := &http.Client{Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, _, err := tryCall(client, s, "POST", prPath+"/comments", bearer(bot), comment("stored", nil))
	require.Error(t, err)
	var timeout interface{ Timeout() bool }
	require.True(t, errors.As(err, &timeout) && timeout.Timeout(), "%v", err)
	assert.Less(t, time.Since(start), 5*time.Second)
	stored := s.Comments(ws, slug, 1)
	require.Len(t, stored, 1)
	assert.Equal(t, "stored", stored[0].Raw)
	assert.Equal(t, 1, s.Count("POST", "/pullrequests/1/comments"))
	require.Eventually(t, func() bool { return s.Requests()[0].Status == http.StatusCreated }, time.Second, 5*time.Millisecond)

	// Store, then answer 502 after a short hang.
	s.Fault(Fault{Method: "POST", PathContains: "/comments", StoreThenHang: time.Millisecond, Status: 502})
	resp, _ := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("stored too", nil))
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Len(t, s.Comments(ws, slug, 1), 2)

	// Store, hang briefly, then the real answer.
	s.Fault(Fault{Method: "POST", PathContains: "/comments", StoreThenHang: 50 * time.Millisecond})
	resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("slow", nil))
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "slow", decode(t, data)["content"].(map[string]any)["raw"])
}

func TestRateLimit(t *testing.T) {
	s, bot := fixture(t, WithRateLimit(3))
	for i := 0; i < 3; i++ {
		resp, _ := send(t, s, "GET", "/user", bearer(bot), nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	for i := 0; i < 2; i++ {
		resp, data := send(t, s, "GET", "/user", bearer(bot), nil)
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		assert.Equal(t, rateLimitBody, string(data))
		assert.Empty(t, resp.Header.Get("Retry-After"))
	}
}

func TestConcurrentClients(t *testing.T) {
	s, _ := fixture(t)
	const clients, each = 8, 25
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		u := s.AddUser(NewUser("user" + itoa(i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				resp, data, err := tryCall(http.DefaultClient, s, "POST", prPath+"/comments", bearer(u), comment("c", map[string]any{"path": "main.go", "to": 4}))
				if err != nil || resp.StatusCode != http.StatusCreated {
					t.Errorf("post: %v %s", err, data)
					return
				}
				id := int(decode(t, data)["id"].(float64))
				for _, r := range []struct{ m, p string }{
					{"GET", prPath + "/comments?pagelen=50"},
					{"GET", prPath},
					{"PUT", prPath + "/comments/" + itoa(id)},
					{"PUT", reportURL},
				} {
					var body any
					if r.m == "PUT" {
						body = comment("edited", nil)
						if r.p == reportURL {
							body = map[string]any{"title": "t", "result": "PENDING"}
						}
					}
					resp, data, err := tryCall(http.DefaultClient, s, r.m, r.p, bearer(u), body)
					if err != nil || resp.StatusCode >= 300 {
						t.Errorf("%s %s: %v %s", r.m, r.p, err, data)
					}
				}
				s.Requests()
				s.Comments(ws, slug, 1)
			}
		}()
	}
	wg.Wait()
	assert.Len(t, s.Comments(ws, slug, 1), clients*each)
	assert.Equal(t, clients*each, s.Count("POST", "/comments"))
	ids := map[int]bool{}
	for _, c := range s.Comments(ws, slug, 1) {
		assert.False(t, ids[c.ID], "ids are unique")
		ids[c.ID] = true
	}
}

// TestFaultEveryNthWrite is requirement 35's setup: every Nth write (POST,
// PUT, PATCH, DELETE) is refused with 429 and no Retry-After; reads are not
// counted and never refused.
func TestFaultEveryNthWrite(t *testing.T) {
	for _, n := range []int{2, 3, 5} {
		t.Run("N="+itoa(n), func(t *testing.T) {
			s, bot := fixture(t)
			s.Fault(Fault{Writes: true, Every: n, Status: http.StatusTooManyRequests, Times: -1})
			var got []int
			for i := 0; i < 3*n; i++ {
				resp, _ := send(t, s, "GET", "/user", bearer(bot), nil)
				assert.Equal(t, http.StatusOK, resp.StatusCode, "reads are not refused")
				resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("c", nil))
				got = append(got, resp.StatusCode)
				if resp.StatusCode == http.StatusTooManyRequests {
					assert.Equal(t, rateLimitBody, string(data))
					assert.Empty(t, resp.Header.Get("Retry-After"))
				}
			}
			for i, code := range got {
				want := http.StatusCreated
				if (i+1)%n == 0 {
					want = http.StatusTooManyRequests
				}
				assert.Equal(t, want, code, "write %d", i+1)
			}
			assert.Len(t, s.Comments(ws, slug, 1), 3*n-3, "a 429 stores nothing")
		})
	}
	t.Run("Times limits the refusals", func(t *testing.T) {
		s, bot := fixture(t)
		s.Fault(Fault{Method: "PUT", PathContains: "/reports/", Every: 2, Status: http.StatusTooManyRequests, Times: 1})
		var got []int
		for range 6 {
			resp, _ := send(t, s, "PUT", reportURL, bearer(bot), map[string]any{"title": "t"})
			got = append(got, resp.StatusCode)
		}
		assert.Equal(t, []int{200, 429, 200, 200, 200, 200}, got)
	})
}

// TestFaultTrickle is requirement 33's setup: the headers come at once, then
// the body one byte at a time, so only a deadline that covers the body read
// ends the call.
func TestFaultTrickle(t *testing.T) {
	s, bot := fixture(t)
	s.Fault(Fault{Method: "GET", PathContains: "/diff/", Trickle: time.Millisecond})
	start := time.Now()
	resp, data := send(t, s, "GET", prPath+"/diff", bearer(bot), nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, sampleDiff, string(data), "the whole answer arrives, slowly")
	assert.GreaterOrEqual(t, time.Since(start), time.Duration(len(sampleDiff))*time.Millisecond)

	// A client whose deadline covers the body gives up midway.
	s.Fault(Fault{Method: "GET", PathContains: "/diff/", Trickle: time.Second})
	client := &http.Client{Timeout: 300 * time.Millisecond}
	start = time.Now()
	resp, _, err := tryCall(client, s, "GET", prPath+"/diff", bearer(bot), nil)
	require.Error(t, err)
	require.NotNil(t, resp, "the headers arrived")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Less(t, time.Since(start), 3*time.Second)

	// With a status, the error body trickles.
	s.Fault(Fault{Method: "GET", PathContains: "/user", Status: 503, Trickle: time.Millisecond})
	resp, data = send(t, s, "GET", "/user", bearer(bot), nil)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "Service Unavailable", errMessage(t, data))
}
