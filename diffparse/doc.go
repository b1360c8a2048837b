// Package diffparse turns a unified git diff into files, hunks and lines that
// know their old- and new-side line numbers, and answers the question every
// inline comment depends on: may a comment be anchored at (path, side, line)?
//
// A hunk such as
//
//	@@ -10,3 +10,4 @@ func main() {
//	 a        old 10, new 10  (context: commentable on both sides)
//	-b        old 11          (removed: old side only)
//	+c        new 11          (added: new side only)
//	+d        new 12
//	 e        old 12, new 13
//
// yields five Lines. Bitbucket anchors new-side comments with inline.to and
// old-side comments with inline.from; Commentable mirrors that rule.
//
// # Parsing
//
// Parse reads a whole diff; ParseReader and Stream read one file at a time
// so memory stays bounded by the largest file. Both go through the same
// framer, which reads the diff line by line and trusts the hunk header
// counts the way git apply does, then hands each complete hunk to
// github.com/sourcegraph/go-diff. go-diff on its own ends a hunk at the first
// line that does not look like a hunk line, which turns content lines such
// as "-- a/x" followed by "++ b/x" into phantom files, makes trailing blank
// lines context, accepts truncated hunks silently, drops a trailing mode
// plus binary change, and returns "diff --cc" files with no hunks and no
// sign. A panic inside go-diff becomes a *ParseError naming the file and
// hunk; malformed input (a hunk shorter or longer than its header, hunks out
// of order, a bad header) is a *ParseError wrapping ErrMalformed.
//
// The git extended headers go-diff leaves untyped are read here: renames and
// copies with similarity, modes (also from the "index" line), binary
// markers, submodules (mode 160000) and symlinks (120000). Paths lose their
// a/ and b/ prefixes, and git's quoted names ("\303\274.txt", tabs, quotes)
// are decoded to their raw bytes; when go-diff leaves the names empty (mode
// only, mode plus binary) they come from the "diff --git" line.
//
// # Line text
//
// Line.Text is the line as it is in the file, minus its terminator, byte for
// byte: no UTF-8 validation, no trimming. A line that ended in "\r\n" has
// Line.CRLF set and no "\r" in Text, so Text is the same whether the file
// uses LF or CRLF (File.HasCRLF tells a reviewer which). "\ No newline at end
// of file" sets Hunk.NoNewlineOld or NoNewlineNew; the line before the marker
// is the last line of that side and has no terminator, so a "\r" at its end
// is content and stays in Text. Render never prints a trailing "\r".
//
// A "diff --cc" (combined) file is kept with StatusCombined and no hunks,
// and Classify reports ClassUnsupported, so callers can list it.
//
// # Queries
//
// File.LineAt, HunkAt, Commentable, NearestCommentable, AddedRanges and
// RemovedRanges rely on what Parse guarantees: hunks sorted and not
// overlapping, and each hunk's counts matching its lines. Stats counts per
// file and per Diff; Classify and PathFilter decide what reaches a reviewer.
package diffparse
