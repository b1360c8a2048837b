package review

import "github.com/bitreview/bitreview/diffparse"

// ListedFile is a file a code host lists as part of a pull request
// (Bitbucket's diffstat, GitHub's files endpoint). Status is the host's:
// "added", "removed", "renamed"; any other is a modification.
type ListedFile struct {
	Status, OldPath, NewPath string
}

// NotRead returns a NotRead file for each listed file that d lacks: the
// files after a diff's cut stay part of the pull request (their earlier
// comments are not stale) and are listed as not reviewed.
func NotRead(d *diffparse.Diff, listed []ListedFile) []*diffparse.File {
	var out []*diffparse.File
	for _, l := range listed {
		f := &diffparse.File{NotRead: true, OldPath: l.OldPath, NewPath: l.NewPath, Status: diffparse.StatusModified}
		switch l.Status {
		case "added":
			f.Status, f.OldPath = diffparse.StatusAdded, ""
		case "removed":
			f.Status, f.NewPath = diffparse.StatusDeleted, ""
		case "renamed":
			f.Status = diffparse.StatusRenamed
		}
		if f.Path() == "" || d.File(f.Path()) != nil {
			continue
		}
		out = append(out, f)
	}
	return out
}
