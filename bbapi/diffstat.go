package bbapi

import "context"

// DiffStat is one file of a diffstat: its status and line counts. Old is
// nil for an added file, New for a removed one.
type DiffStat struct {
	Status       string      `json:"status"` // added, removed, modified, renamed
	LinesAdded   int         `json:"lines_added"`
	LinesRemoved int         `json:"lines_removed"`
	Old          *CommitFile `json:"old"`
	New          *CommitFile `json:"new"`
}

// CommitFile is a file at a commit.
type CommitFile struct {
	Path string `json:"path"`
}

// ListPullRequestDiffStat returns one DiffStat per file of the pull
// request's diff, following `next` links 100 files at a time. Bitbucket
// answers with a 302 to the repository-level diffstat of the source and
// destination commits, followed like the diff's; a 555 matches
// ErrDiffTooLarge. It names the files of a diff too large to read whole.
//
// Bitbucket API: GET /repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}/diffstat
// (scope read:pullrequest:bitbucket; the redirect target needs read:repository:bitbucket).
func (c *Client) ListPullRequestDiffStat(ctx context.Context, workspace, repo string, id int) ([]*DiffStat, error) {
	p, err := prPath(workspace, repo, id)
	if err != nil {
		return nil, err
	}
	return listAll[*DiffStat](ctx, c, p+"/diffstat?pagelen=100", diffCall(scopeReadPR, scopeReadRepo))
}
