package diffparse

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Render writes the hunk compactly for a prompt: a header, then each line
// with its new-side number (old-side number for removed lines), its prefix
// and its text.
//
//	@@ -10,3 +10,4 @@ func main() {
//	 10   a
//	-11 - b
//	 11 + c
//
// Line terminators are not shown: a "\r" kept at the end of an
// unterminated last line is dropped too.
func (h *Hunk) Render(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@", h.OldStart, h.OldCount, h.NewStart, h.NewCount)
	if h.Section != "" {
		b.WriteString(" ")
		b.WriteString(h.Section)
	}
	b.WriteByte('\n')
	width := len(strconv.Itoa(max(h.NewStart+h.NewCount, h.OldStart+h.OldCount))) + 1
	for _, l := range h.Lines {
		if l.Kind == Removed {
			fmt.Fprintf(&b, "%*s - %s\n", width, "-"+strconv.Itoa(l.Old), trimCR(l.Text))
			continue
		}
		fmt.Fprintf(&b, "%*d %c %s\n", width, l.New, l.Kind, trimCR(l.Text))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
