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
// Parsing goes through github.com/sourcegraph/go-diff; the git extended
// headers it leaves untyped (renames, modes, binary markers) are read here.
package diffparse
