package benchharness

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/llm/llmtest"
	"github.com/bitreview/bitreview/review"
)

// LLMProfile shapes the stub model: every call waits Latency ± Jitter
// (uniform) and fails with a 500 with probability ErrorRate.
type LLMProfile struct {
	Latency   time.Duration
	Jitter    time.Duration
	ErrorRate float64
	Seed      uint64
}

// stubLLM answers reviews with one finding on a file named in the prompt,
// counts tokens, and measures how long at least one call was in flight.
type stubLLM struct {
	*llmtest.Server
	profile LLMProfile

	mu       sync.Mutex
	rng      *rand.Rand
	anchors  map[string]diffparse.Line // path → first added line
	prompt   int
	complete int
	busy     busyClock
}

var pathRE = regexp.MustCompile(`pkg/mod\d+/file\d+\.[a-z]+`)

func newStubLLM(p LLMProfile) *stubLLM {
	s := &stubLLM{Server: llmtest.New(llmtest.OpenAI), profile: p,
		rng: rand.New(rand.NewPCG(p.Seed, 7)), anchors: map[string]diffparse.Line{}}
	s.SetDefault(s.reply)
	return s
}

// learn records a commentable added line per file of d.
func (s *stubLLM) learn(d *diffparse.Diff) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range d.Files {
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				if l.Kind == diffparse.Added {
					s.anchors[f.Path()] = l
					break
				}
			}
			if _, ok := s.anchors[f.Path()]; ok {
				break
			}
		}
	}
}

// anyAnchor returns the commentable line of the first file in path order.
func (s *stubLLM) anyAnchor() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	best := ""
	for p := range s.anchors {
		if best == "" || p < best {
			best = p
		}
	}
	return best, s.anchors[best].New
}

type finding struct {
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Category string `json:"category"`
	Title    string `json:"title"`
	Body     string `json:"body"`
}

func (s *stubLLM) reply(c llmtest.Call) llmtest.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	delay := s.profile.Latency
	if j := s.profile.Jitter; j > 0 {
		delay += time.Duration(s.rng.Int64N(int64(2*j))) - j
	}
	if s.rng.Float64() < s.profile.ErrorRate {
		return llmtest.Reply{Status: http.StatusInternalServerError, Delay: delay}
	}
	var body string
	switch c.SchemaName {
	case review.QuestionSchemaName:
		body = `{"answer":"It trades the old bound check for speed; the caller still validates the input."}`
	case review.WalkthroughSchemaName:
		body = `{"summary":"Synthetic change.","files":[]}`
	default:
		var fs []finding
		for _, p := range pathRE.FindAllString(c.Prompt, -1) {
			if l, ok := s.anchors[p]; ok && len(fs) == 0 {
				fs = append(fs, finding{Path: p, Line: l.New, Code: l.Text, Severity: "medium",
					Category: "bug", Title: "Check " + p, Body: "computeFaster ignores the old bound."})
			}
		}
		b, _ := json.Marshal(map[string]any{"summary": "One issue.", "findings": append([]finding{}, fs...)})
		body = string(b)
	}
	pt, ct := (len(c.System)+len(c.Prompt))/4+1, len(body)/4+1
	s.prompt += pt
	s.complete += ct
	return llmtest.Reply{JSON: body, Delay: delay, PromptTokens: pt, CompletionTokens: ct}
}

// ServeHTTP tracks in-flight time around the stub.
func (s *stubLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.busy.enter()
	defer s.busy.leave()
	s.Server.ServeHTTP(w, r)
}

func (s *stubLLM) tokens() (prompt, completion int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prompt, s.complete
}

// busyClock measures the union of intervals during which at least one
// request is in flight: the time the pipe could not have finished sooner
// had the rest of its work been free.
type busyClock struct {
	mu       sync.Mutex
	inflight int
	since    time.Time
	total    time.Duration
}

func (b *busyClock) enter() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inflight == 0 {
		b.since = time.Now()
	}
	b.inflight++
}

func (b *busyClock) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inflight--
	if b.inflight == 0 {
		b.total += time.Since(b.since)
	}
}

func (b *busyClock) busy() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}
