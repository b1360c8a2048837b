package bbtest

import (
	"net/http"
	"testing"
)

// BenchmarkSpecLoad measures loading and patching the document (done once
// per process by the cache).
func BenchmarkSpecLoad(b *testing.B) {
	path, found := findSpec(&config{})
	if !found {
		b.Skip("official spec not found")
	}
	for b.Loop() {
		if _, err := loadSpec(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateComment measures one validated, anchored comment POST.
func BenchmarkCreateComment(b *testing.B) {
	s := New(b)
	bot := s.AddUser(NewUser("bot"))
	s.AddPullRequest(ws, slug, PullRequest{ID: 1}, sampleDiff)
	body := comment("finding", map[string]any{"path": "main.go", "to": 4})
	for b.Loop() {
		resp, _, err := tryCall(http.DefaultClient, s, "POST", prPath+"/comments", bearer(bot), body)
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatal(err, resp.StatusCode)
		}
	}
}
