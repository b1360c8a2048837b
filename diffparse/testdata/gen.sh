#!/bin/sh
# gen.sh regenerates the testdata/*.diff inputs from real git runs.
#
#   go generate ./diffparse/      (or: sh diffparse/testdata/gen.sh)
#   go test ./diffparse/ -run TestGolden -update   (then refresh the .json)
#
# Every case builds a throwaway repository, commits a "before" state, makes
# the change and writes `git diff` (or the named variant) to <case>.diff.
# Git runs with no user or system config and fixed identities and dates,
# so the output depends only on the git version (recorded in VERSION).
set -eu

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export HOME="$work" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
export LC_ALL=C TZ=UTC

g() { git -c core.quotepath=true -c core.autocrlf=false -c diff.noprefix=false -c diff.mnemonicprefix=false \
	-c diff.renames=true -c color.ui=false -c init.defaultBranch=main -c core.filemode=true "$@"; }

# repo NAME: fresh repository in $work/NAME, current directory.
repo() { rm -rf "$work/$1"; mkdir -p "$work/$1"; cd "$work/$1"; g init -q .; }
commit() { g add -A; g commit -q --allow-empty -m "$1"; }
emit() { name=$1; shift; g "$@" > "$out/$name.diff"; }
seq_lines() { i=$1; while [ "$i" -le "$2" ]; do printf 'line %d\n' "$i"; i=$((i + 1)); done; }

# modified: several hunks with function section headings.
repo modified
cat > main.go <<'G'
package main

import "fmt"

func alpha() {
	fmt.Println("a1")
	fmt.Println("a2")
	fmt.Println("a3")
	fmt.Println("a4")
	fmt.Println("a5")
}

func beta() {
	fmt.Println("b1")
	fmt.Println("b2")
	fmt.Println("b3")
	fmt.Println("b4")
	fmt.Println("b5")
	fmt.Println("b6")
	fmt.Println("b7")
	fmt.Println("b8")
}

func gamma() {
	fmt.Println("c1")
	fmt.Println("c2")
}
G
commit before
sed -e 's/"a3"/"A3"/' -e '/"b4"/d' -e 's/"c2")/"c2")\n\tfmt.Println("c3")/' main.go > x && mv x main.go
printf '\n' >> main.go
emit modified diff HEAD

# rename: pure rename, rename with edits, rename with spaces, rename into a directory.
repo rename
seq_lines 1 20 > pure.txt; seq_lines 21 40 > edited.txt; echo 'has spaces' > 'old name.txt'; echo deep > top.txt
commit before
g mv pure.txt pure-renamed.txt
g mv edited.txt edited-renamed.txt; sed 's/line 30$/line thirty/' edited-renamed.txt > x && mv x edited-renamed.txt
g mv 'old name.txt' 'new name.txt'
mkdir -p sub/dir; g mv top.txt sub/dir/top.txt
commit after
emit rename diff -M HEAD~ HEAD

# copy: copies found with -C --find-copies-harder, one with edits.
repo copy
seq_lines 1 30 > src.txt
commit before
cp src.txt copy.txt; sed 's/line 15$/line fifteen/' src.txt > copy-edited.txt
commit after
emit copy diff -C --find-copies-harder HEAD~ HEAD

# binary: added, modified and deleted binary files, without and with --binary.
repo binary
printf 'PNG\000\001\002\003' > img.png; printf 'old\000bin' > gone.bin; printf 'JAR\000' > lib.jar
commit before
printf 'PNG\000\001\002\004\005' > img.png; rm gone.bin; printf 'new\000file' > new.bin
commit after
emit binary diff HEAD~ HEAD
emit binary_patch diff --binary HEAD~ HEAD

# mode: mode-only change, mode plus edit, mode plus binary (go-diff leaves
# the names empty for the last one), and one with spaces in the name.
repo mode
echo '#!/bin/sh' > run.sh; seq_lines 1 3 > tool.sh; printf 'BIN\000' > blob.bin; echo x > 'with space.sh'
commit before
chmod +x run.sh tool.sh blob.bin 'with space.sh'; echo 'line 4' >> tool.sh; printf 'BIN\000\001' > blob.bin
commit after
emit mode diff HEAD~ HEAD

# delete: a text file, an empty file and a file emptied.
repo delete
seq_lines 1 5 > doomed.txt; : > empty.txt; seq_lines 1 3 > emptied.txt
commit before
rm doomed.txt empty.txt; : > emptied.txt
commit after
emit delete diff HEAD~ HEAD

# empty: files created empty, filled, and a new empty file with spaces.
repo empty
: > filled.txt
commit before
: > new-empty.txt; : > 'new empty.txt'; echo content > filled.txt
commit after
emit empty diff HEAD~ HEAD

# nonewline: "\ No newline at end of file" on the old side, the new side,
# both sides, and on a context line.
repo nonewline
printf 'a\nb\nc' > old-only.txt; printf 'a\nb\nc\n' > new-only.txt; printf 'a\nb\nc' > both.txt
printf 'a\nb\nc\nd\ne' > context.txt
commit before
printf 'a\nb\nc\n' > old-only.txt; printf 'a\nb\nC' > new-only.txt; printf 'a\nb\nC' > both.txt
printf 'A\nb\nc\nd\ne' > context.txt
printf 'x\ny' > added-nonl.txt
commit after
emit nonewline diff HEAD~ HEAD

# crlf: CRLF files, mixed endings, CRLF without a final newline, and a
# last line ending in a lone CR.
repo crlf
printf 'one\r\ntwo\r\nthree\r\n' > dos.txt; printf 'unix\nwin\r\nunix\n' > mixed.txt
printf 'a\r\nb\r\nc' > dos-nonl.txt; printf 'x\ny\r' > lone-cr.txt
commit before
printf 'one\r\nTWO\r\nthree\r\nfour\r\n' > dos.txt; printf 'unix\nWIN\r\nunix\r\n' > mixed.txt
printf 'a\r\nB\r\nc' > dos-nonl.txt; printf 'x\nY\r' > lone-cr.txt
commit after
emit crlf diff HEAD~ HEAD

# huge: one hunk of 3000 added lines and a 2000-line rewrite.
repo huge
seq_lines 1 2000 > rewrite.txt
commit before
seq_lines 1 3000 > big.txt; sed 's/^line/LINE/' rewrite.txt > x && mv x rewrite.txt
commit after
emit huge diff HEAD~ HEAD

# paths: unicode, spaces, quotes, tabs, backslashes, a leading dash, " b/"
# inside a name, and a non-UTF-8 name; git quotes and octal-escapes them.
repo paths
mkdir -p 'dir with space' 'a/x b'
seq_lines 1 9 > 'ünïcödé.txt'; echo s > 'dir with space/f i l e.txt'
echo q > 'q"uote.txt'; echo t > "$(printf 'tab\there.txt')"; echo b > 'back\slash.txt'; echo d > ./-dash.txt
echo x > 'a/x b/y.txt'; echo l > "$(printf 'latin\351.txt')"; echo j > '日本語.md'
commit before
for f in 'ünïcödé.txt' 'dir with space/f i l e.txt' 'q"uote.txt' "$(printf 'tab\there.txt')" 'back\slash.txt' ./-dash.txt 'a/x b/y.txt' "$(printf 'latin\351.txt')" '日本語.md'; do echo more >> "$f"; done
g mv 'ünïcödé.txt' 'ünïcödé renamed.txt'
commit after
emit paths diff HEAD~ HEAD

# symlink: new link, retargeted link, link replaced by a file (typechange:
# a deletion and an addition of the same path).
repo symlink
ln -s target-a link; ln -s target-b becomes-file
commit before
rm link; ln -s target-c link; ln -s somewhere new-link; rm becomes-file; echo now a file > becomes-file
commit after
emit symlink diff HEAD~ HEAD

# submodule: gitlinks added, moved to another commit and removed, made
# with update-index so no network or nested repository is needed.
repo submodule
echo keep > keep.txt; g add keep.txt
g update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,libs/old
g update-index --add --cacheinfo 160000,2222222222222222222222222222222222222222,libs/moving
g commit -q -m before
g update-index --force-remove libs/old
g update-index --cacheinfo 160000,3333333333333333333333333333333333333333,libs/moving
g update-index --add --cacheinfo 160000,4444444444444444444444444444444444444444,libs/new
g commit -q -m after
emit submodule diff HEAD~ HEAD

# tricky: content that looks like diff syntax. A removed "-- a/x" line and
# an added "++ b/x" line become "--- a/x" and "+++ b/x" in the diff, and
# with another hunk after them go-diff reads a phantom file.
repo tricky
{ printf 'start\n'; printf -- '-- a/fake.txt\n'; printf 'diff --git a/fake b/fake\n'; printf '@@ -1 +1 @@\n'; seq_lines 1 12; printf 'end\n'; } > tricky.txt
commit before
{ printf 'start\n'; printf '++ b/fake.txt\n'; printf 'diff --git a/fake b/fake\n'; printf '@@ -1 +1 @@\n'; seq_lines 1 12 | sed 's/line 11$/line eleven/'; printf '\\ No newline at end of file\n'; printf 'end\n'; } > tricky.txt
commit after
emit tricky diff -U0 HEAD~ HEAD

# nonutf8: Latin-1 and invalid UTF-8 bytes in content.
repo nonutf8
printf 'caf\351\nna\357ve\n\377\376 bytes\n' > latin1.txt
commit before
printf 'caf\351 cr\350me\nna\357ve\n\377\376 bytes\n\300\200 overlong\n' > latin1.txt
commit after
emit nonutf8 diff -a HEAD~ HEAD

# unified0: zero context lines (-U0), adjacent changes in separate hunks.
repo unified0
seq_lines 1 10 > f.txt
commit before
seq_lines 1 10 | sed -e 's/line 2$/line two/' -e '/line 4$/d' -e 's/line 9$/line nine/' > x && mv x f.txt
commit after
emit unified0 diff -U0 HEAD~ HEAD

# noprefix: --no-prefix names (no a/ and b/).
repo noprefix
echo a > f.txt; mkdir d; echo b > d/g.txt
commit before
echo A > f.txt; echo B > d/g.txt
commit after
emit noprefix diff --no-prefix HEAD~ HEAD

# formatpatch: git format-patch output, with its mail header and the "-- "
# signature after the last hunk.
repo formatpatch
seq_lines 1 5 > f.txt
commit before
seq_lines 1 5 | sed 's/line 5$/-- /' > f.txt; echo extra >> f.txt
commit 'change f'
g format-patch -q --stdout --no-stat HEAD~ > "$out/formatpatch.diff"

# combined: a merge conflict shown as "diff --cc", which is not supported
# and must surface as such.
repo combined
seq_lines 1 5 > f.txt; echo same > other.txt
commit base
g checkout -q -b side; sed 's/line 3$/side 3/' f.txt > x && mv x f.txt; commit side
g checkout -q main; sed 's/line 3$/main 3/' f.txt > x && mv x f.txt; commit main
g merge -q side >/dev/null 2>&1 || true
emit combined diff

git --version > "$out/VERSION"
