package benchharness

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strconv"
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

type fileNote struct {
	Path string `json:"path"`
	Note string `json:"note"`
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
		body = walkthroughReply(c.Prompt)
	default:
		var fs []finding
		notes := []fileNote{}
		seen := map[string]bool{}
		for _, p := range pathRE.FindAllString(c.Prompt, -1) {
			if l, ok := s.anchors[p]; ok && len(fs) == 0 {
				fs = append(fs, finding{Path: p, Line: l.New, Code: l.Text, Severity: "medium",
					Category: "bug", Title: "Check " + p, Body: "computeFaster ignores the old bound."})
			}
			if !seen[p] {
				seen[p] = true
				notes = append(notes, fileNote{Path: p, Note: "calls computeFaster instead of compute"})
			}
		}
		// The walkthrough comes with the review (a note per file shown), as
		// a real model writes it since issue 19.
		b, _ := json.Marshal(map[string]any{"summary": "One issue.", "files": notes, "findings": append([]finding{}, fs...)})
		body = string(b)
	}
	pt, ct := (len(c.System)+len(c.Prompt))/4+1, len(body)/4+1
	s.prompt += pt
	s.complete += ct
	return llmtest.Reply{JSON: body, Delay: delay, PromptTokens: pt, CompletionTokens: ct}
}

// walkthroughReply notes every file the light pass was shown and calls
// the even-numbered ones trivial, as a light model would call some small
// changes trivial (the engine decides which of them it may believe).
func walkthroughReply(prompt string) string {
	type note struct {
		Path    string `json:"path"`
		Note    string `json:"note"`
		Trivial bool   `json:"trivial"`
	}
	notes := []note{}
	seen := map[string]bool{}
	for _, m := range fileNoRE.FindAllStringSubmatch(prompt, -1) {
		if seen[m[0]] {
			continue
		}
		seen[m[0]] = true
		n, _ := strconv.Atoi(m[1])
		notes = append(notes, note{Path: m[0], Note: "synthetic change", Trivial: n%2 == 0})
	}
	b, _ := json.Marshal(map[string]any{"summary": "Synthetic change.", "files": notes})
	return string(b)
}

var fileNoRE = regexp.MustCompile(`pkg/mod\d+/file(\d+)\.[a-z]+`)

// ServeHTTP tracks in-flight time and each call's interval around the
// stub.
func (s *stubLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.busy.enter()
	defer s.busy.leave(start)
	s.Server.ServeHTTP(w, r)
}

func (s *stubLLM) tokens() (prompt, completion int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prompt, s.complete
}

// busyClock measures the union of intervals during which at least one
// request is in flight: the time the pipe could not have finished sooner
// had the rest of its work been free. It also keeps every request's
// interval, for Rounds.
type busyClock struct {
	mu       sync.Mutex
	inflight int
	since    time.Time
	total    time.Duration
	calls    []Interval
}

// Interval is the time one request was inside the stub.
type Interval struct{ Start, End time.Time }

func (b *busyClock) enter() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if b.inflight == 0 {
		b.since = now
	}
	b.inflight++
	return now
}

func (b *busyClock) leave(start time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.inflight--
	if b.inflight == 0 {
		b.total += now.Sub(b.since)
	}
	b.calls = append(b.calls, Interval{start, now})
}

// intervals returns the intervals of the requests that ended so far.
func (b *busyClock) intervals() []Interval {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.calls)
}

// Rounds counts the model rounds of a run: the most calls that ran one
// after the other, none overlapping another (the longest chain of
// sequential waves). Calls made in parallel count once; a call that had
// to wait for another's answer adds a round. Taking intervals by earliest
// end and keeping each that starts after the last kept one ends gives
// that maximum (the classic interval-scheduling argument).
func Rounds(calls []Interval) int {
	sorted := slices.Clone(calls)
	slices.SortFunc(sorted, func(a, b Interval) int { return a.End.Compare(b.End) })
	n := 0
	var last time.Time
	for _, c := range sorted {
		if n == 0 || !c.Start.Before(last) {
			n++
			last = c.End
		}
	}
	return n
}

func (b *busyClock) busy() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}
