package bbtest

import (
	"net/http"
	"os"
	"testing"
)

// BenchmarkSpecLoad measures loading and patching the document (done once
// per process by the cache): the full one when present, and the embedded
// subset.
func BenchmarkSpecLoad(b *testing.B) {
	b.Run("full", func(b *testing.B) {
		path := searchSpec()
		data, err := os.ReadFile(path)
		if err != nil {
			b.Skipf("official spec not found: %v", err)
		}
		for b.Loop() {
			if _, err := loadSpec(path, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("subset", func(b *testing.B) {
		for b.Loop() {
			if _, err := loadSpec(subsetName, subsetJSON); err != nil {
				b.Fatal(err)
			}
		}
	})
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
