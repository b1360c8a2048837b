package review

import (
	"fmt"
	"strings"
	"testing"

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
