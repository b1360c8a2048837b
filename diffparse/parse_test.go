package diffparse

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const modified = `diff --git a/app/server.go b/app/server.go
index b79fbe2..ec69751 100644
--- a/app/server.go
+++ b/app/server.go
@@ -1,4 +1,6 @@ package app
 package app
-import "net/http"
+import (
+	"net/http"
+)
 
 func a() {}
`

func TestParseLineNumbers(t *testing.T) {
	d, err := Parse([]byte(modified))
	require.NoError(t, err)
	require.Len(t, d.Files, 1)
	f := d.Files[0]
	assert.Equal(t, StatusModified, f.Status)
	assert.Equal(t, "app/server.go", f.Path())
	require.Len(t, f.Hunks, 1)
	h := f.Hunks[0]
	assert.Equal(t, "package app", h.Section)
	want := []Line{
		{Kind: Context, Old: 1, New: 1, Text: "package app"},
		{Kind: Removed, Old: 2, Text: `import "net/http"`},
		{Kind: Added, New: 2, Text: "import ("},
		{Kind: Added, New: 3, Text: "\t\"net/http\""},
		{Kind: Added, New: 4, Text: ")"},
		{Kind: Context, Old: 3, New: 5, Text: ""},
		{Kind: Context, Old: 4, New: 6, Text: "func a() {}"},
	}
	assert.Equal(t, want, h.Lines)
	added, removed := f.Stats()
	assert.Equal(t, 3, added)
	assert.Equal(t, 1, removed)

	tests := []struct {
		side Side
		line int
		want bool
	}{
		{New, 2, true}, {New, 6, true}, {New, 7, false}, {New, 0, false},
		{Old, 2, true}, {Old, 1, true}, {Old, 5, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, d.Commentable("app/server.go", tt.side, tt.line), "%s %d", tt.side, tt.line)
	}
	assert.False(t, d.Commentable("other.go", New, 2))
}

func TestParseHeaders(t *testing.T) {
	diff := `diff --git a/old name.txt b/new name.txt
similarity index 100%
rename from old name.txt
rename to new name.txt
diff --git a/img.png b/img.png
old mode 100644
new mode 100755
Binary files a/img.png and b/img.png differ
diff --git "a/\303\274ber.go" "b/\303\274ber.go"
new file mode 100644
index 0000000..e69de29
`
	d, err := Parse([]byte(diff))
	require.NoError(t, err)
	require.Len(t, d.Files, 3)
	assert.Equal(t, StatusRenamed, d.Files[0].Status)
	assert.Equal(t, "old name.txt", d.Files[0].OldPath)
	assert.Equal(t, "new name.txt", d.Files[0].NewPath)
	assert.Equal(t, 100, d.Files[0].Similarity)
	assert.Equal(t, "img.png", d.Files[1].Path(), "names recovered from the diff --git line")
	assert.True(t, d.Files[1].Binary)
	assert.Equal(t, "100755", d.Files[1].NewMode)
	assert.Equal(t, "über.go", d.Files[2].Path())
	assert.Equal(t, StatusAdded, d.Files[2].Status)
}

func TestRender(t *testing.T) {
	d, err := Parse([]byte(modified))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, d.Files[0].Hunks[0].Render(&b))
	assert.Equal(t, `@@ -1,4 +1,6 @@ package app
 1   package app
-2 - import "net/http"
 2 + import (
 3 + 	"net/http"
 4 + )
 5   
 6   func a() {}
`, b.String())
}

func TestPathFilter(t *testing.T) {
	pf, err := NewPathFilter([]string{"src/**", "!**/*.md"})
	require.NoError(t, err)
	assert.True(t, pf.Match("src/a/b.go"))
	assert.False(t, pf.Match("src/a/README.md"))
	assert.False(t, pf.Match("docs/x.go"))
	_, err = NewPathFilter([]string{"src/["})
	require.Error(t, err)
}
