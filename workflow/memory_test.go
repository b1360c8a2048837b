package workflow

import (
	"context"
	"errors"
	"io/fs"
	"sync"

	"github.com/bitreview/bitreview/diffparse"
	"github.com/bitreview/bitreview/review"
)

// memory is a Platform in memory: one pull request, its files, and what
// runs published on it. It records every call so tests can assert on the
// flow's decisions without a host.
type memory struct {
	mu sync.Mutex

	meta      review.PullRequest
	base      map[string]string // destination-commit files
	files     map[string]string // head-commit files
	diff      string            // the pull request's diff
	increment review.Increment  // what Increment answers
	read      diffparse.Read
	diffErr   error
	loadErr   error
	publErr   error
	reportErr error
	messages  map[int64]*review.Message

	// What runs left.
	summary  bool
	state    review.State
	verdict  review.Verdict
	open     []review.Finding
	skipped  []string // reasons of PublishSkipped
	reports  []review.Report
	replies  []string
	publishs int
	infos    []review.SummaryInfo // what Publish was given
	calls    []string
}

var errNotFound = errors.New("not found")

func (m *memory) call(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, name)
}

func (m *memory) Describe() string { return "acme/api pull request #7" }

func (m *memory) PullRequest(context.Context) (review.PullRequest, error) {
	m.call("PullRequest")
	return m.meta, nil
}

func (m *memory) Head(meta review.PullRequest) string { return meta.SourceCommit }

func (m *memory) Fix(error) string { return "" }

type mapFiles map[string]string

func (f mapFiles) ReadFile(_ context.Context, path string) ([]byte, error) {
	if s, ok := f[path]; ok {
		return []byte(s), nil
	}
	return nil, fs.ErrNotExist
}

func (m *memory) BaseFiles(review.PullRequest) review.FileSource { return mapFiles(m.base) }

func (m *memory) Files(string) review.FileSource { return mapFiles(m.files) }

func (m *memory) Diff(context.Context, int64) (*diffparse.Diff, diffparse.Read, error) {
	m.call("Diff")
	if m.diffErr != nil {
		return nil, diffparse.Read{}, m.diffErr
	}
	d, err := diffparse.Parse([]byte(m.diff))
	read := m.read
	read.Bytes = int64(len(m.diff))
	return d, read, err
}

func (m *memory) Increment(_ context.Context, last, head string, _ *diffparse.Diff, _ int64) (review.Increment, error) {
	m.call("Increment")
	if last == "" {
		return review.Increment{}, nil
	}
	return m.increment, nil
}

func (m *memory) Load(context.Context) (*review.Prior, error) {
	m.call("Load")
	if m.loadErr != nil {
		return nil, m.loadErr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p := &review.Prior{Me: "bot", HasSummary: m.summary, State: m.state, HasState: m.summary, Open: m.open}
	if m.summary && m.publishs > 0 {
		p.Verdict, p.HasVerdict = m.verdict, true
	}
	return p, nil
}

func (m *memory) Publish(_ context.Context, res *review.Result, info review.SummaryInfo, st review.State, _ review.Scope, _ review.Limits) (*review.Outcome, error) {
	m.call("Publish")
	m.mu.Lock()
	m.infos = append(m.infos, info)
	m.mu.Unlock()
	if m.publErr != nil {
		return &review.Outcome{}, m.publErr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	all := append(append([]review.Finding(nil), res.Findings...), res.Unanchored...)
	m.summary, m.state, m.publishs = true, st, m.publishs+1
	m.verdict, m.open = review.VerdictOf(all), res.Findings
	return &review.Outcome{Posted: len(res.Findings), Summary: "created", Verdict: m.verdict}, nil
}

func (m *memory) PublishSkipped(_ context.Context, reason string, _ review.SummaryInfo) (*review.Outcome, error) {
	m.call("PublishSkipped")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.summary = true
	m.skipped = append(m.skipped, reason)
	return &review.Outcome{Summary: "created"}, nil
}

func (m *memory) SaveState(_ context.Context, st review.State, _ review.SummaryInfo) error {
	m.call("SaveState")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.summary, m.state = true, st
	return nil
}

func (m *memory) Report(_ context.Context, r review.Report) (*review.ReportOutcome, error) {
	m.call("Report")
	if m.reportErr != nil {
		return nil, m.reportErr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reports = append(m.reports, r)
	return &review.ReportOutcome{Kind: "Report", Name: "bitreview", Result: "PASSED", Placed: len(r.Findings), Requests: 1}, nil
}

func (m *memory) Message(_ context.Context, id int64) (*review.Message, error) {
	m.call("Message")
	msg, ok := m.messages[id]
	if !ok {
		return nil, errNotFound
	}
	out := *msg
	for _, r := range m.replies {
		if to, ok := review.RepliesTo(r); ok && int64(to) == id {
			out.Replied = true
		}
	}
	return &out, nil
}

func (m *memory) Reply(_ context.Context, msg *review.Message, body string) error {
	m.call("Reply")
	if msg.Replied {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replies = append(m.replies, body)
	return nil
}

func (m *memory) count(name string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.calls {
		if c == name {
			n++
		}
	}
	return n
}

var _ Platform = (*memory)(nil)
var _ DiffNoter = diffNoter{}

type diffNoter struct{ *memory }

func (diffNoter) DiffNotes() []string { return []string{"rebuilt from the files endpoint"} }
