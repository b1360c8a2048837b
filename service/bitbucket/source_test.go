package bitbucket

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/diffparse"
)

// fourFiles is a diff of a.go, b.go (added), c.go (renamed from old.go)
// and d.go (deleted), and the offset where c.go starts.
func fourFiles() (string, int) {
	var b strings.Builder
	fmt.Fprint(&b, "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-x\n+y\n")
	fmt.Fprint(&b, "diff --git a/b.go b/b.go\nnew file mode 100644\n--- /dev/null\n+++ b/b.go\n@@ -0,0 +1 @@\n+b\n")
	at := b.Len()
	fmt.Fprint(&b, "diff --git a/old.go b/c.go\nsimilarity index 90%\nrename from old.go\nrename to c.go\n--- a/old.go\n+++ b/c.go\n@@ -1 +1 @@\n-o\n+c\n")
	fmt.Fprint(&b, "diff --git a/d.go b/d.go\ndeleted file mode 100644\n--- a/d.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-d\n")
	return b.String(), at
}

func diffServer(t *testing.T, diff string) (*bbtest.Server, *bbapi.Client, PR) {
	t.Helper()
	s := bbtest.New(t)
	bot := s.AddUser(bbtest.NewUser("bot"))
	s.AddPullRequest("ws", "repo", bbtest.PullRequest{ID: 5,
		Source:      bbtest.Endpoint{Commit: "5f1c0ffee0ddba11ab1e5eed0bead5deadbeef00"},
		Destination: bbtest.Endpoint{Commit: "0123456789abcdef0123456789abcdef01234567"}}, diff)
	c, err := bbapi.NewClient(s.URL, bbapi.WithAccessToken(bot.AccessToken), bbapi.WithRetry(1, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	return s, c, PR{Workspace: "ws", Repo: "repo", ID: 5}
}

func TestFetchDiffCapped(t *testing.T) {
	raw, cAt := fourFiles()
	_, c, pr := diffServer(t, raw)

	d, read, err := fetchDiff(t.Context(), c, pr, 0)
	require.NoError(t, err)
	assert.False(t, read.Cut, "no limit")
	assert.Len(t, d.Files, 4)

	d, read, err = fetchDiff(t.Context(), c, pr, int64(len(raw)))
	require.NoError(t, err)
	assert.Equal(t, diffparse.Read{Bytes: int64(len(raw)), LastRead: "d.go"}, read, "a diff of exactly the limit is whole")
	assert.Len(t, d.Files, 4)

	d, read, err = fetchDiff(t.Context(), c, pr, int64(cAt+10))
	require.NoError(t, err)
	assert.Equal(t, diffparse.Read{Bytes: int64(cAt + 10), Cut: true, LastRead: "a.go"}, read,
		"b.go ends where c.go starts, which the cut reached: b.go is not known to be complete")
	require.Len(t, d.Files, 4)
	assert.False(t, d.File("a.go").NotRead)
	assert.NotEmpty(t, d.File("a.go").Hunks)
	for path, status := range map[string]diffparse.Status{"b.go": diffparse.StatusAdded, "c.go": diffparse.StatusRenamed, "d.go": diffparse.StatusDeleted} {
		f := d.File(path)
		require.NotNil(t, f, path)
		assert.True(t, f.NotRead, path)
		assert.Equal(t, status, f.Status, path)
		assert.Empty(t, f.Hunks, path)
	}
	assert.Equal(t, "old.go", d.File("c.go").OldPath)
}

func TestFetchDiffCappedListingFails(t *testing.T) {
	raw, cAt := fourFiles()
	s, c, pr := diffServer(t, raw)
	s.Fault(bbtest.Fault{PathContains: "/diffstat", Status: 555, Times: -1})
	d, read, err := fetchDiff(t.Context(), c, pr, int64(cAt+10))
	require.NoError(t, err, "the files read are still reviewed")
	assert.True(t, read.Cut)
	assert.ErrorIs(t, read.ListErr, bbapi.ErrDiffTooLarge)
	assert.Equal(t, []string{"a.go"}, d.Paths())
}

func TestFetchDiffErrors(t *testing.T) {
	raw, _ := fourFiles()
	s, c, pr := diffServer(t, raw)
	s.Fault(bbtest.Fault{PathContains: "/diff/", Status: 555})
	_, _, err := fetchDiff(t.Context(), c, pr, 1<<20)
	require.ErrorIs(t, err, bbapi.ErrDiffTooLarge)

	_, c, pr = diffServer(t, strings.Replace(raw, "@@ -1 +1 @@", "@@ -1,3 +1,3 @@", 1))
	_, _, err = fetchDiff(t.Context(), c, pr, 1<<20)
	require.ErrorIs(t, err, diffparse.ErrMalformed)
	assert.Contains(t, err.Error(), "parse: ")
}

func TestFetchIncrementCapped(t *testing.T) {
	raw, _ := fourFiles()
	s, c, pr := diffServer(t, raw)
	head, from := "2222222222222222222222222222222222222222", "5f1c0ffee0ddba11ab1e5eed0bead5deadbeef00"
	s.AddCommitWithParents("ws", "repo", head, from)
	s.SetDiff("ws", "repo", head, from, raw)
	prDiff, err := diffparse.Parse([]byte(raw))
	require.NoError(t, err)

	inc, err := fetchIncrement(t.Context(), c, pr, head, from, prDiff, int64(len(raw)))
	require.NoError(t, err)
	assert.Equal(t, raw, string(inc))

	_, err = fetchIncrement(t.Context(), c, pr, head, from, prDiff, int64(len(raw)-1))
	require.ErrorIs(t, err, diffparse.ErrTruncated)
}
