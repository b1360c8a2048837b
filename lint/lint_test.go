package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/review"
)

// clone makes a checkout with the given files (path → content).
func clone(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func sarifDoc(results string) string {
	return `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Demo Lint","rules":[
 {"id":"R1","helpUri":"https://staticcheck.dev/docs/checks#R1","defaultConfiguration":{"level":"note"}},
 {"id":"SEC","properties":{"security-severity":"9.8"}}]}},"results":[` + results + `]}]}`
}

func result(rule, uri string, line int) string {
	return fmt.Sprintf(`{"ruleId":%q,"message":{"text":"msg %s"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":%q},"region":{"startLine":%d}}}]}`, rule, rule, uri, line)
}

func TestSARIFPathsAndLevels(t *testing.T) {
	t.Parallel()
	dir := clone(t, nil)
	doc := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Demo Lint","rules":[
 {"id":"R1","helpUri":"https://staticcheck.dev/docs/checks#R1","defaultConfiguration":{"level":"note"}},
 {"id":"SEC","properties":{"security-severity":"9.8"}}]}},
 "originalUriBaseIds":{"SRC":{"uri":"file://` + dir + `/src/"}},
 "results":[
  {"ruleId":"R1","message":{"text":"relative"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":3}}}]},
  {"ruleId":"R1","level":"error","message":{"text":"file uri, percent-encoded"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"file://` + dir + `/my%20dir/b.go"},"region":{"startLine":4}}}]},
  {"ruleId":"SEC","message":{"text":"based {0}","arguments":["x"]},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"c.go","uriBaseId":"SRC"},"region":{"startLine":5}}}]},
  {"ruleId":"R1","message":{"text":"dotdot"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/../../etc/passwd"},"region":{"startLine":1}}}]},
  {"ruleId":"R1","message":{"text":"absolute elsewhere"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"/etc/passwd"},"region":{"startLine":1}}}]},
  {"ruleId":"R1","message":{"text":"git"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":".git/config"},"region":{"startLine":1}}}]},
  {"ruleId":"R1","message":{"text":"http"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"https://example.com/x.go"},"region":{"startLine":1}}}]},
  {"ruleId":"R1","message":{"text":"no location"}},
  {"ruleId":"R1","message":{"text":"suppressed"},"suppressions":[{"kind":"inSource"}],"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":9}}}]},
  {"ruleId":"R1","kind":"pass","message":{"text":"passed"}}
 ]}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.sarif"), []byte(doc), 0o644))
	rs := ReadGlobs(t.Context(), dir, []string{"*.sarif"})
	assert.Empty(t, rs.Warnings)
	assert.Equal(t, []string{"r.sarif"}, rs.Files)
	assert.Equal(t, []string{"demo-lint"}, rs.Tools)
	got := map[string]Result{}
	for _, r := range rs.Results {
		got[r.Message] = r
	}
	assert.Equal(t, Result{Tool: "demo-lint", Rule: "R1", Severity: review.Low, Message: "relative", Path: "a.go", Line: 3, Help: "https://staticcheck.dev/docs/checks#R1"}, got["relative"])
	assert.Equal(t, "my dir/b.go", got["file uri, percent-encoded"].Path)
	assert.Equal(t, review.High, got["file uri, percent-encoded"].Severity, "the result's level wins over the rule's")
	assert.Equal(t, "src/c.go", got["based x"].Path, "relative to its base, arguments filled in")
	assert.Equal(t, review.Critical, got["based x"].Severity, "security-severity 9.8")
	assert.Equal(t, "", got["no location"].Path)
	assert.Len(t, rs.Results, 4)
	assert.Equal(t, 4, rs.Outside["demo-lint"], "../, /etc, .git/ and https: are outside the repository")
}

// Checkstyle with absolute paths of the clone, as shellcheck writes it, and
// relative ones; the root may be reached through a symlink.
func TestCheckstyle(t *testing.T) {
	t.Parallel()
	real := clone(t, map[string]string{"s.sh": "x"})
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(real, link))
	doc := `<?xml version='1.0' encoding='UTF-8'?>
<checkstyle version='4.3'>
<file name='` + real + `/s.sh'><error line='2' column='6' severity='info' message='Double quote &#34;x&#34;.' source='ShellCheck.SC2086' /></file>
<file name='lib/a.js'><error line='7' severity='error' message='no-undef' source='eslint.rules.no-undef' /></file>
<file name='/tmp/elsewhere.sh'><error line='1' severity='warning' message='x' source='ShellCheck.SC1' /></file>
</checkstyle>`
	require.NoError(t, os.WriteFile(filepath.Join(real, "c.xml"), []byte(doc), 0o644))
	rs := ReadGlobs(t.Context(), link, []string{"c.xml"})
	assert.Empty(t, rs.Warnings)
	require.Len(t, rs.Results, 2)
	assert.Equal(t, Result{Tool: "shellcheck", Rule: "SC2086", Severity: review.Low, Message: `Double quote "x".`, Path: "s.sh", Line: 2}, rs.Results[0])
	assert.Equal(t, Result{Tool: "eslint", Rule: "no-undef", Severity: review.High, Message: "no-undef", Path: "lib/a.js", Line: 7}, rs.Results[1])
	assert.Equal(t, 1, rs.Outside["shellcheck"])
}

func TestRDJSON(t *testing.T) {
	t.Parallel()
	dir := clone(t, map[string]string{"r.json": `{"source":{"name":"golint"},"diagnostics":[
 {"message":"exported x","severity":"WARNING","location":{"path":"a.go","range":{"start":{"line":2}}},"code":{"value":"E1","url":"https://example.com/E1"}},
 {"message":"other tool","severity":"ERROR","location":{"path":"b.go","range":{"start":{"line":1}}},"source":{"name":"vet"}}]}`})
	rs := ReadGlobs(t.Context(), dir, []string{"r.json"})
	assert.Empty(t, rs.Warnings)
	require.Len(t, rs.Results, 2)
	assert.Equal(t, Result{Tool: "golint", Rule: "E1", Severity: review.Medium, Message: "exported x", Path: "a.go", Line: 2, Help: "https://example.com/E1"}, rs.Results[0])
	assert.Equal(t, "vet", rs.Results[1].Tool)
	assert.Equal(t, []string{"golint", "vet"}, rs.Tools)
}

// Bad input: each is a warning that names the file and says what was
// used, never its content; the other reports are still read.
func TestBadReportsAreWarningsNamingTheFile(t *testing.T) {
	t.Parallel()
	good := sarifDoc(result("R1", "a.go", 1) + "," + result("R1", "a.go", 2))
	truncated := good[:strings.Index(good, result("R1", "a.go", 2))+40]
	dir := clone(t, map[string]string{
		"r/1-good.sarif":      good,
		"r/2-truncated.sarif": truncated,
		"r/3-garbage.sarif":   `{"runs":[{"results":[` + result("R1", "a.go", 3) + `, SECRET-CONTENT ]}]}`,
		"r/4-unknown.sarif":   "SECRET-CONTENT is not a report",
		"r/5-json.sarif":      `{"SECRET-CONTENT":1}`,
		"r/6-xml.sarif":       `<html>SECRET-CONTENT</html>`,
		"r/7-badxml.sarif":    "<checkstyle><file name='a.go'><error line='4' message='m' source='x.Y'/></file><file SECRET-CONTENT",
		"r/8-shape.sarif":     `{"runs":[{"results":[{"locations":"SECRET-CONTENT"},` + result("R1", "a.go", 5) + `]}]}`,
		"r/9-empty.sarif":     "",
	})
	rs := ReadGlobs(t.Context(), dir, []string{"r/*.sarif", "nothing/*.xml"})
	warnings := strings.Join(rs.Warnings, "\n")
	t.Log(warnings)
	assert.NotContains(t, warnings, "SECRET-CONTENT")
	assert.Contains(t, warnings, "Report r/2-truncated.sarif: SARIF ends early (truncated): 1 result(s) used")
	assert.Contains(t, warnings, "Report r/3-garbage.sarif: SARIF is not valid JSON at byte")
	for _, name := range []string{"4-unknown", "5-json", "6-xml", "9-empty"} {
		assert.Contains(t, warnings, "Report r/"+name+".sarif: not a SARIF 2.1.0, Checkstyle XML or rdjson report; ignored")
	}
	assert.Contains(t, warnings, "Report r/7-badxml.sarif: Checkstyle XML is not valid XML at line 1: 1 result(s) used")
	assert.Contains(t, warnings, "LINT_REPORTS: nothing/*.xml matched no file")
	assert.NotContains(t, warnings, "8-shape", "a result of the wrong shape is skipped, the rest used")
	lines := map[int]bool{}
	for _, r := range rs.Results {
		lines[r.Line] = true
	}
	assert.Equal(t, map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}, lines, "what was read before each fault is used")
}

// The pull request shapes the clone: a report that is a symlink, inside a
// symlinked directory, under .git/ or a directory is refused.
func TestReportsThePullRequestShapedAreRefused(t *testing.T) {
	t.Parallel()
	outside := filepath.Join(t.TempDir(), "secret.sarif")
	require.NoError(t, os.WriteFile(outside, []byte(sarifDoc(result("R1", "a.go", 1))), 0o600))
	dir := clone(t, map[string]string{
		".git/x.sarif":     sarifDoc(result("R1", "a.go", 2)),
		"real/in.sarif":    sarifDoc(result("R1", "a.go", 3)),
		"reports/ok.sarif": sarifDoc(result("R1", "a.go", 4)),
	})
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "reports", "out.sarif")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "real", "in.sarif"), filepath.Join(dir, "reports", "in.sarif")))
	require.NoError(t, os.Symlink("../.git", filepath.Join(dir, "reports", "git")))
	require.NoError(t, os.Symlink("real", filepath.Join(dir, "linkdir")))
	rs := ReadGlobs(t.Context(), dir, []string{"reports/**", ".git/*.sarif", "linkdir/*.sarif", "reports/git/x.sarif"})
	require.Len(t, rs.Results, 1, "%v", rs.Warnings)
	assert.Equal(t, 4, rs.Results[0].Line)
	warnings := strings.Join(rs.Warnings, "\n")
	t.Log(warnings)
	assert.Contains(t, warnings, "Report reports/out.sarif: not read: a symlink")
	assert.Contains(t, warnings, "Report reports/in.sarif: not read: a symlink")
	assert.Contains(t, warnings, "Report .git/x.sarif: not read: under .git/")
	assert.Contains(t, warnings, "Report linkdir/in.sarif: not read: a symlink")
	assert.NotContains(t, warnings, dir, "no absolute path of the machine")
}

// A 50 MB report with 100k results: bounded memory and time, the first
// MaxReportResults used and the rest counted as cut.
func TestHugeReportIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 50 MB file")
	}
	t.Parallel()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "huge.sarif"))
	require.NoError(t, err)
	_, _ = f.WriteString(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"big"}},"results":[`)
	pad := strings.Repeat("x", 380)
	const n = 100_000
	for i := range n {
		if i > 0 {
			_, _ = f.WriteString(",")
		}
		fmt.Fprintf(f, `{"ruleId":"B","message":{"text":"%s %d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.go"},"region":{"startLine":%d}}}]}`, pad, i, i%500+1)
	}
	_, _ = f.WriteString(`]}]}`)
	require.NoError(t, f.Close())
	fi, _ := os.Stat(f.Name())
	require.Greater(t, fi.Size(), int64(MaxReportBytes-(10<<20)))
	require.Less(t, fi.Size(), int64(MaxReportBytes))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	rs := ReadGlobs(t.Context(), dir, []string{"huge.sarif"})
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	assert.Len(t, rs.Results, MaxReportResults)
	assert.Equal(t, n-MaxReportResults, rs.Cut["big"])
	assert.Less(t, took, 30*time.Second)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("read %d MB in %s; heap grew %d MB", fi.Size()>>20, took, grew>>20)
	assert.Less(t, grew, int64(64<<20), "the kept results, not the file, stay in memory")
}

// Over MaxReportBytes, only the first MaxReportBytes are read.
func TestOversizedReportIsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 51 MB file")
	}
	t.Parallel()
	dir := t.TempDir()
	doc := sarifDoc(result("R1", "a.go", 1)+","+result("R1", "a.go", 2)) + strings.Repeat(" ", MaxReportBytes)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.sarif"), []byte(doc), 0o644))
	rs := ReadGlobs(t.Context(), dir, []string{"big.sarif"})
	assert.Len(t, rs.Results, 2)
	assert.Equal(t, []string{"Report big.sarif: larger than 50 MiB: only its first 50 MiB were read (2 result(s) used)"}, rs.Warnings)
}

func TestCheckPattern(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"reports/*.sarif", "**/*.sarif", "build/checkstyle-*.xml", "out.json"} {
		assert.NoError(t, CheckPattern(ok), ok)
	}
	for _, bad := range []string{"", "/abs/*.sarif", "../x.sarif", "a/../../x", "a/[.sarif"} {
		assert.Error(t, CheckPattern(bad), bad)
	}
}

func TestReadFilesOfTheLocalCLI(t *testing.T) {
	t.Parallel()
	dir := clone(t, map[string]string{"r.sarif": sarifDoc(result("R1", "a.go", 1))})
	rs := ReadFiles(t.Context(), dir, []string{filepath.Join(dir, "r.sarif"), filepath.Join(dir, "missing.sarif")})
	require.Len(t, rs.Results, 1)
	assert.Equal(t, "a.go", rs.Results[0].Path)
	require.Len(t, rs.Warnings, 1)
	assert.Contains(t, rs.Warnings[0], "missing.sarif: not read: no such file or directory")
}
