package bbtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInlineAnchors(t *testing.T) {
	s, bot := fixture(t)
	tests := []struct {
		name   string
		inline map[string]any
		ok     bool
		reason string
	}{
		{"added line via to", map[string]any{"path": "main.go", "to": 4}, true, ""},
		{"second added line via to", map[string]any{"path": "main.go", "to": 22}, true, ""},
		{"removed line via from", map[string]any{"path": "main.go", "from": 4}, true, ""},
		{"removed line in hunk 2 via from", map[string]any{"path": "main.go", "from": 21}, true, ""},
		{"context line via to", map[string]any{"path": "main.go", "to": 3}, true, ""},
		{"context line via from", map[string]any{"path": "main.go", "from": 5}, true, ""},
		{"context line via both sides", map[string]any{"path": "main.go", "from": 5, "to": 6}, true, ""},
		{"range in one hunk", map[string]any{"path": "main.go", "start_to": 2, "to": 7}, true, ""},
		{"one-line range", map[string]any{"path": "main.go", "start_to": 4, "to": 4}, true, ""},
		{"old-side range", map[string]any{"path": "main.go", "start_from": 3, "from": 4}, true, ""},
		{"file-level comment", map[string]any{"path": "main.go"}, true, ""},
		{"renamed file by new path", map[string]any{"path": "new_name.go", "to": 2}, true, ""},
		{"deleted file by old path via from", map[string]any{"path": "gone.txt", "from": 2}, true, ""},
		{"deleted file, file level", map[string]any{"path": "gone.txt"}, true, ""},
		{"added file via to", map[string]any{"path": "added.txt", "to": 1}, true, ""},

		{"outside every hunk (new side)", map[string]any{"path": "main.go", "to": 12}, false, "outside every hunk"},
		{"outside every hunk (old side)", map[string]any{"path": "main.go", "from": 10}, false, "outside every hunk"},
		{"past the end of the file", map[string]any{"path": "main.go", "to": 25}, false, "outside every hunk"},
		{"inverted range", map[string]any{"path": "main.go", "start_to": 7, "to": 4}, false, "inverted range"},
		{"range across hunks", map[string]any{"path": "main.go", "start_to": 4, "to": 22}, false, "spans more than one hunk"},
		{"range start outside hunks", map[string]any{"path": "main.go", "start_to": 10, "to": 22}, false, "outside every hunk"},
		{"start_to without to", map[string]any{"path": "main.go", "start_to": 4}, false, "without inline.to"},
		{"from and to in different hunks", map[string]any{"path": "main.go", "from": 4, "to": 22}, false, "different hunks"},
		{"unknown path", map[string]any{"path": "nope.go", "to": 1}, false, "not part of the pull request's diff"},
		{"path traversal", map[string]any{"path": "../../etc/passwd", "to": 1}, false, "not part of"},
		{"unknown path, file level", map[string]any{"path": "nope.go"}, false, "not part of"},
		{"renamed file by old path", map[string]any{"path": "old_name.go", "to": 2}, false, "was renamed to new_name.go"},
		{"deleted file via to", map[string]any{"path": "gone.txt", "to": 1}, false, "outside every hunk"},
		{"added file via from", map[string]any{"path": "added.txt", "from": 1}, false, "outside every hunk"},
		{"empty path", map[string]any{"path": "", "to": 1}, false, "inline.path is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.RejectedAnchors())
			resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("finding", tt.inline))
			if tt.ok {
				require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
				in := decode(t, data)["inline"].(map[string]any)
				for k, v := range tt.inline {
					assert.EqualValues(t, v, in[k], k)
				}
				assert.Len(t, s.RejectedAnchors(), before)
				return
			}
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
			assert.Contains(t, errMessage(t, data), tt.reason)
			rej := s.RejectedAnchors()
			require.Len(t, rej, before+1)
			assert.Contains(t, rej[before].Reason, tt.reason)
			assert.Equal(t, 1, rej[before].PullRequestID)
			assert.Equal(t, tt.inline["path"], rej[before].Inline.Path)
		})
	}
	assert.Empty(t, s.Violations(), "a bad anchor is a legitimate 400, not a violation")
}

func TestAnchorsFollowNewPushes(t *testing.T) {
	s, bot := fixture(t)
	resp, _ := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", map[string]any{"path": "main.go", "to": 4}))
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	s.SetPullRequestDiff(ws, slug, 1, "", "diff --git a/added.txt b/added.txt\nnew file mode 100644\nindex 0000000..6666666\n--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1 @@\n+hi\n")
	resp, _ = send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", map[string]any{"path": "main.go", "to": 4}))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", map[string]any{"path": "added.txt", "to": 1}))
	assert.Equal(t, http.StatusCreated, resp.StatusCode)

	s.SetPullRequestDiff(ws, slug, 1, "", "this is not a diff\n@@ garbage")
	resp, data := send(t, s, "POST", prPath+"/comments", bearer(bot), comment("x", map[string]any{"path": "added.txt", "to": 1}))
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
}
