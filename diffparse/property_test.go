package diffparse

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPropertyAgainstGit builds random repositories, makes random edits,
// runs the real `git diff` and checks the parse against the trees it came
// from:
//
//   - every added or context line equals the new tree's line at (new path,
//     New), and every removed or context line the old tree's line at (old
//     path, Old), terminator (LF, CRLF, none) included;
//   - applying the hunks to the old file rebuilds the new file byte for byte;
//   - every changed path is in the diff, binaries are flagged, modes match.
//
// Content mixes CRLF, LF and mixed endings, missing final newlines, lone
// CRs, non-UTF-8 bytes and lines that look like diff syntax; paths hold
// spaces, quotes, tabs, backslashes and non-ASCII. Seeded and bounded:
// DIFFPARSE_PROPERTY_ITERATIONS raises the count (default 30).
func TestPropertyAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	iterations := 30
	if s := os.Getenv("DIFFPARSE_PROPERTY_ITERATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		iterations = n
	}
	home := t.TempDir()
	for it := range iterations {
		t.Run(strconv.Itoa(it), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(20240101, uint64(it)))
			runProperty(t, rng, home)
		})
	}
}

type tree map[string]treeFile

type treeFile struct {
	data []byte
	exec bool
}

var (
	propNames = []string{
		"a.txt", "b.go", "dir/c.md", "dir/sub/d.txt", "with space.txt", "dir with space/e f.txt",
		`q"uote.txt`, "tab\there.txt", `back\slash.txt`, "-dash.txt", "ünï/cödé.txt", "日本.txt",
		"a/x b/y.txt", "latin\xe9.txt", "x.min.js",
	}
	propLines = []string{
		"", " ", "func main() {", "}", "\treturn nil", "x := 1", "// comment", "hello world",
		"-- a/fake.txt", "++ b/fake.txt", "--- a/x", "+++ b/x", "diff --git a/x b/x", "@@ -1 +1 @@",
		`\ No newline at end of file`, "- dash", "+ plus", "caf\xe9", "\xff\xfe", "trailing space ",
		"mid\rcr", "ünïcödé", "index 1234567..89abcde 100644", "Binary files a/x and b/x differ",
	}
)

func randomContent(rng *rand.Rand) []byte {
	var b bytes.Buffer
	n := rng.IntN(30)
	style := rng.IntN(4) // 0 LF, 1 CRLF, 2 mixed, 3 LF with lone CRs
	for range n {
		b.WriteString(propLines[rng.IntN(len(propLines))])
		if rng.IntN(5) == 0 {
			fmt.Fprintf(&b, " %d", rng.IntN(10))
		}
		switch {
		case style == 1, style == 2 && rng.IntN(2) == 0:
			b.WriteString("\r\n")
		case style == 3 && rng.IntN(4) == 0:
			b.WriteString("\r\n")
		default:
			b.WriteString("\n")
		}
	}
	data := b.Bytes()
	switch rng.IntN(5) {
	case 0: // no final newline
		data = bytes.TrimRight(data, "\r\n")
	case 1: // last line ends with a lone CR
		data = append(bytes.TrimRight(data, "\r\n"), '\r')
	}
	return data
}

// editContent changes a few lines: replace, insert, delete, re-terminate.
func editContent(rng *rand.Rand, data []byte) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for range 1 + rng.IntN(4) {
		fresh := []byte(propLines[rng.IntN(len(propLines))] + []string{"\n", "\r\n"}[rng.IntN(2)])
		switch i := rng.IntN(len(lines) + 1); rng.IntN(4) {
		case 0:
			lines = slices.Insert(lines, i, fresh)
		case 1:
			if i < len(lines) {
				lines = slices.Delete(lines, i, i+1)
			}
		case 2:
			if i < len(lines) {
				lines[i] = fresh
			}
		case 3: // toggle the final newline
			if len(lines) > 0 {
				last := lines[len(lines)-1]
				if bytes.HasSuffix(last, []byte("\n")) {
					lines[len(lines)-1] = bytes.TrimRight(last, "\r\n")
				} else {
					lines[len(lines)-1] = append(slices.Clip(last), '\n')
				}
			}
		}
	}
	return bytes.Join(lines, nil)
}

// propRepo is the scratch repository of one property run.
type propRepo struct {
	t         *testing.T
	dir, home string
}

// git runs git in the repository with a fixed configuration and returns
// its output; a failure fails the test.
func (r propRepo) git(args ...string) []byte {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "core.quotepath=true", "-c", "core.autocrlf=false",
		"-c", "diff.noprefix=false", "-c", "diff.mnemonicprefix=false", "-c", "core.filemode=true",
		"-c", "color.ui=false", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "HOME="+r.home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// write puts tr's files in the working tree with their modes.
func (r propRepo) write(tr tree) {
	r.t.Helper()
	for p, f := range tr {
		full := filepath.Join(r.dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if f.exec {
			mode = 0o755
		}
		if err := os.WriteFile(full, f.data, mode); err != nil {
			r.t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			r.t.Fatal(err)
		}
	}
}

// remove deletes p from the working tree.
func (r propRepo) remove(p string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.dir, p)); err != nil {
		r.t.Fatal(err)
	}
}

func runProperty(t *testing.T, rng *rand.Rand, home string) {
	repo := propRepo{t: t, dir: t.TempDir(), home: home}
	oldTree := randomTree(rng)
	repo.git("init", "-q", ".")
	repo.write(oldTree)
	repo.git("add", "-A")
	repo.git("commit", "-q", "--allow-empty", "-m", "old")

	newTree := mutateTree(rng, repo, oldTree)
	repo.write(newTree)
	repo.git("add", "-A")
	args := []string{"diff", "--cached", "-M", "-U" + strconv.Itoa(rng.IntN(4))}
	if rng.IntN(2) == 0 {
		args = append(args, "-C", "--find-copies-harder")
	}
	raw := repo.git(append(args, "HEAD")...)

	d, err := Parse(raw)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, raw)
	}
	checkInvariants(t, d)
	assertStreamSame(t, raw, d)
	checkEveryChangeListed(t, d, oldTree, newTree, raw)
	for _, f := range d.Files {
		checkFileAgainstTrees(t, f, oldTree, newTree, raw)
	}
}

// randomTree is the old tree: a few named files, sometimes executable,
// sometimes a binary.
func randomTree(rng *rand.Rand) tree {
	oldTree := tree{}
	for _, i := range rng.Perm(len(propNames))[:3+rng.IntN(6)] {
		oldTree[propNames[i]] = treeFile{data: randomContent(rng), exec: rng.IntN(6) == 0}
	}
	if rng.IntN(3) == 0 {
		oldTree["bin.dat"] = treeFile{data: []byte("BIN\x00" + strconv.Itoa(rng.IntN(100)))}
	}
	return oldTree
}

// mutateTree is the new tree: edits, deletions (removed from repo's
// working tree), additions, renames, copies, chmods of oldTree.
func mutateTree(rng *rand.Rand, repo propRepo, oldTree tree) tree {
	newTree := maps.Clone(oldTree)
	for _, p := range slices.Sorted(maps.Keys(oldTree)) {
		f := newTree[p]
		switch rng.IntN(8) {
		case 0, 1, 2:
			f.data = editContent(rng, f.data)
			if p == "bin.dat" {
				f.data = append(slices.Clip(f.data), 0)
			}
		case 3:
			delete(newTree, p)
			repo.remove(p)
			continue
		case 4: // rename, maybe edited
			if to := propNames[rng.IntN(len(propNames))]; newTree[to].data == nil && !strings.HasPrefix(to, p+"/") && !strings.HasPrefix(p, to+"/") && !hasDirConflict(newTree, to) {
				delete(newTree, p)
				repo.remove(p)
				if rng.IntN(2) == 0 {
					f.data = editContent(rng, f.data)
				}
				newTree[to] = f
				continue
			}
		case 5: // copy
			if to := propNames[rng.IntN(len(propNames))]; newTree[to].data == nil && !hasDirConflict(newTree, to) {
				newTree[to] = f
			}
		case 6:
			f.exec = !f.exec
		}
		newTree[p] = f
	}
	if rng.IntN(2) == 0 {
		if p := propNames[rng.IntN(len(propNames))]; newTree[p].data == nil && !hasDirConflict(newTree, p) {
			newTree[p] = treeFile{data: randomContent(rng)}
		}
	}
	return newTree
}

// checkEveryChangeListed: every changed, added and deleted path is in the
// diff.
func checkEveryChangeListed(t *testing.T, d *Diff, oldTree, newTree tree, raw []byte) {
	t.Helper()
	inDiffNew, inDiffOld := map[string]bool{}, map[string]bool{}
	for _, f := range d.Files {
		inDiffNew[f.NewPath], inDiffOld[f.OldPath] = true, true
	}
	for p, nf := range newTree {
		if of, ok := oldTree[p]; (!ok || !bytes.Equal(of.data, nf.data) || of.exec != nf.exec) && !inDiffNew[p] {
			t.Errorf("changed path %q is not in the diff\n%s", p, raw)
		}
	}
	for p := range oldTree {
		if _, ok := newTree[p]; !ok && !inDiffOld[p] {
			t.Errorf("deleted path %q is not in the diff\n%s", p, raw)
		}
	}
}

// checkFileAgainstTrees checks one file of the diff against the trees it
// came from: its modes, its binary flag, each line's text at its number,
// and that its hunks rebuild the new file from the old.
func checkFileAgainstTrees(t *testing.T, f *File, oldTree, newTree tree, raw []byte) {
	t.Helper()
	oldData := sideData(t, f.OldPath, f.OldMode, "old", oldTree, f.Status, raw)
	newData := sideData(t, f.NewPath, f.NewMode, "new", newTree, f.Status, raw)
	if f.OldPath != "" && f.NewPath != "" && bytes.Equal(oldData, newData) {
		// Pure rename, copy or mode change: no content, binary or not.
		if len(f.Hunks) > 0 {
			t.Errorf("%s: unchanged content but %d hunks", f.Path(), len(f.Hunks))
		}
		return
	}
	if bytes.IndexByte(oldData, 0) >= 0 || bytes.IndexByte(newData, 0) >= 0 {
		if !f.Binary || len(f.Hunks) > 0 {
			t.Errorf("%s: binary content but Binary=%v with %d hunks", f.Path(), f.Binary, len(f.Hunks))
		}
		return
	}
	oldLines, newLines := rawLines(oldData), rawLines(newData)
	for _, h := range f.Hunks {
		lastOld, lastNew := lastOnSide(h, Old), lastOnSide(h, New)
		for i := range h.Lines {
			l := &h.Lines[i]
			if l.Kind != Added {
				checkLine(t, f.OldPath, oldLines, l.Old, rawOf(l, h.NoNewlineOld && l == lastOld), raw)
			}
			if l.Kind != Removed {
				checkLine(t, f.NewPath, newLines, l.New, rawOf(l, h.NoNewlineNew && l == lastNew), raw)
			}
		}
	}
	if got := apply(oldLines, f.Hunks); !bytes.Equal(got, newData) {
		t.Errorf("%s: applying the hunks gives\n%q\nwant\n%q\ndiff:\n%s", f.Path(), got, newData, raw)
	}
}

// sideData is the content of one side (old or new) of a file of the diff
// in its tree, nil for no path; the path must be in the tree and its mode,
// when the diff names one, must match.
func sideData(t *testing.T, path, mode, side string, tr tree, status Status, raw []byte) []byte {
	t.Helper()
	if path == "" {
		return nil
	}
	tf, ok := tr[path]
	if !ok {
		t.Fatalf("%s path %q of %s is not in the %s tree\n%s", side, path, status, side, raw)
	}
	if want := modeOf(tf); mode != "" && mode != want {
		t.Errorf("%s: %s mode %s, want %s", path, side, mode, want)
	}
	return tf.data
}

// hasDirConflict reports whether p would clash with an existing file used
// as a directory or vice versa.
func hasDirConflict(tr tree, p string) bool {
	for q := range tr {
		if strings.HasPrefix(q, p+"/") || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

func modeOf(f treeFile) string {
	if f.exec {
		return "100755"
	}
	return "100644"
}

// rawLines splits data into lines that keep their terminators.
func rawLines(data []byte) []string {
	var out []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, string(data))
			break
		}
		out = append(out, string(data[:i+1]))
		data = data[i+1:]
	}
	return out
}

// rawOf rebuilds the file line a parsed line stands for.
func rawOf(l *Line, unterminated bool) string {
	switch {
	case unterminated:
		if l.CRLF {
			return "<CRLF on an unterminated line>"
		}
		return l.Text
	case l.CRLF:
		return l.Text + "\r\n"
	}
	return l.Text + "\n"
}

func lastOnSide(h *Hunk, side Side) *Line {
	for i := len(h.Lines) - 1; i >= 0; i-- {
		if lineNo(&h.Lines[i], side) != 0 {
			return &h.Lines[i]
		}
	}
	return nil
}

func checkLine(t *testing.T, path string, lines []string, n int, want string, raw []byte) {
	t.Helper()
	if n < 1 || n > len(lines) {
		t.Errorf("%s: line %d out of range (%d lines)\n%s", path, n, len(lines), raw)
		return
	}
	if lines[n-1] != want {
		t.Errorf("%s: line %d is %q in the tree, parsed as %q\n%s", path, n, lines[n-1], want, raw)
	}
}

// apply rebuilds the new file from the old lines and the hunks.
func apply(oldLines []string, hunks []*Hunk) []byte {
	var out strings.Builder
	pos := 1 // next old line to copy
	for _, h := range hunks {
		upTo := h.OldStart // copy old lines before the hunk
		if h.OldCount == 0 {
			upTo = h.OldStart + 1 // an insertion goes after line OldStart
		}
		for ; pos < upTo && pos <= len(oldLines); pos++ {
			out.WriteString(oldLines[pos-1])
		}
		lastNew := lastOnSide(h, New)
		for i := range h.Lines {
			l := &h.Lines[i]
			switch l.Kind {
			case Removed:
				pos++
			case Context:
				pos++
				out.WriteString(rawOf(l, h.NoNewlineNew && l == lastNew))
			case Added:
				out.WriteString(rawOf(l, h.NoNewlineNew && l == lastNew))
			}
		}
	}
	for ; pos <= len(oldLines); pos++ {
		out.WriteString(oldLines[pos-1])
	}
	return []byte(out.String())
}
