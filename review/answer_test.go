package review

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAnswer(t *testing.T) {
	valid := `{"summary":"s","findings":[{"path":"a.go","line":3,"severity":"high","title":"t","body":"b"}]}`
	many := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(`{"path":"a.go","line":%d,"severity":"low","title":"t%d","body":"b"}`, i+1, i))
		}
		return `{"summary":"s","findings":[` + strings.Join(parts, ",") + `]}`
	}
	tests := []struct {
		name     string
		text     string
		wantErr  bool
		findings int
		dropped  int
	}{
		{name: "plain JSON", text: valid, findings: 1},
		{name: "fenced with prose", text: "Here is my review:\n```json\n" + valid + "\n```\nThanks!", findings: 1},
		{name: "object inside prose", text: "Sure. " + valid + " Done {not json}", findings: 1},
		{name: "unclosed brace in prose first", text: "In `if x {` the check is missing.\n" + valid, findings: 1},
		{name: "object inside invalid braces", text: "{see " + valid + " above}", findings: 1},
		{name: "braces inside strings", text: `x {"summary":"a } b","findings":[]} y`, findings: 0},
		{name: "truncated", text: valid[:len(valid)-10], wantErr: true},
		{name: "empty", text: "  ", wantErr: true},
		{name: "refusal", text: "I'm sorry, I can't help with that.", wantErr: true},
		{name: "missing findings", text: `{"summary":"s"}`, wantErr: true},
		{name: "line as string dropped", text: `{"summary":"s","findings":[{"path":"a.go","line":"ten","severity":"high","title":"t","body":"b"}]}`, dropped: 1},
		{name: "unknown severity dropped", text: `{"summary":"s","findings":[{"path":"a.go","line":1,"severity":"urgent","title":"t","body":"b"}]}`, dropped: 1},
		{name: "unknown fields ignored", text: `{"summary":"s","extra":1,"findings":[{"path":"a.go","line":1,"severity":"low","title":"t","body":"b","confidence":0.9}]}`, findings: 1},
		{name: "5000 findings capped", text: many(5000), findings: maxFindingsPerAnswer, dropped: 5000 - maxFindingsPerAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseAnswer(tt.text)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, a.Findings, tt.findings)
			assert.Equal(t, tt.dropped, a.Dropped)
		})
	}
}

// TestParseAnswerBounded feeds answers built to make a naive "retry the
// balanced-object scan from every {" parser quadratic (requirement 33: a
// model answer of 100k `{`). Each must fail (or parse) in well under a
// second (a few ms when the machine is idle; the quadratic parser took 4-9
// s), and an answer over maxAnswerBytes must be refused without being
// scanned.
func TestParseAnswerBounded(t *testing.T) {
	valid := `{"summary":"s","findings":[]}`
	tests := []struct {
		name    string
		text    string
		wantErr string
	}{
		{name: "100k open braces", text: strings.Repeat("{", 100_000), wantErr: errNoJSON.Error()},
		{name: "100k open braces then an object", text: strings.Repeat("{", 100_000) + " " + valid},
		{name: "50k deep nesting", text: strings.Repeat("{", 50_000) + strings.Repeat("}", 50_000), wantErr: "answer"},
		{name: "open braces with quotes", text: strings.Repeat(`{"`, 50_000), wantErr: errNoJSON.Error()},
		{name: "invalid objects then a valid one", text: strings.Repeat("{x} ", 25_000) + valid},
		{name: "over the size limit", text: valid + strings.Repeat(" ", maxAnswerBytes), wantErr: "over the 1 MB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := parseAnswer(tt.text)
			elapsed := time.Since(start)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Less(t, elapsed, time.Second, "parsing %d bytes took %s", len(tt.text), elapsed)
		})
	}
}

// BenchmarkParseAnswerBraces shows that parsing grows linearly with the
// number of unmatched braces (it was quadratic: 9 s for 100k).
func BenchmarkParseAnswerBraces(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		text := strings.Repeat("{", n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				if _, err := parseAnswer(text); err == nil {
					b.Fatal("want an error")
				}
			}
		})
	}
}
