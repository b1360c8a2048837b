package repoconfig

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Validate is stricter than a run: an unknown key fails it, said as
// unknown rather than "ignored", with the key it is closest to.
func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, data string
		want       []Check
	}{
		{name: "valid", data: "profile: chill\n"},
		{name: "empty", data: ""},
		{name: "unknown key", data: "profile: chill\npath_filter:\n  - src/**\n",
			want: []Check{{Fatal: true, Text: "f.yaml: path_filter: unknown key (did you mean path_filters?), line 2"}}},
		{name: "wrong type", data: "paths:\n  - path: a\n    instructions: 42\n",
			want: []Check{{Fatal: true, Text: "f.yaml: paths[0].instructions: expected string, got number, line 3"}}},
		{name: "unknown key and wrong type", data: "unknwon: 1\npaths:\n  - path: a\n    instructions: 42\n",
			want: []Check{
				{Fatal: true, Text: "f.yaml: unknwon: unknown key, line 1"},
				{Fatal: true, Text: "f.yaml: paths[0].instructions: expected string, got number, line 4"},
			}},
		{name: "too large", data: strings.Repeat("#", MaxSize+1),
			want: []Check{{Fatal: true, Text: "f.yaml: (file): file is larger than the 256 KB limit"}}},
	} {
		assert.Equal(t, tc.want, Validate("f.yaml", []byte(tc.data)), tc.name)
	}
}
