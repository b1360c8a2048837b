package bbtest

import (
	"fmt"
	"html"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The JSON shapes below follow the document's schemas (account, repository,
// pullrequest, pullrequest_comment, …) and the live API's habits: a "type"
// on every object, 12-hex commit hashes in pull requests, no nulls.

const webBase = "https://bitbucket.org"

type link struct {
	Href string `json:"href"`
}

type accountJSON struct {
	Type        string          `json:"type"`
	UUID        string          `json:"uuid"`
	AccountID   string          `json:"account_id,omitempty"`
	DisplayName string          `json:"display_name"`
	Nickname    string          `json:"nickname,omitempty"`
	Links       map[string]link `json:"links"`
}

func renderAccount(base string, u User) accountJSON {
	typ := u.Type
	if typ == "" {
		typ = "user"
	}
	return accountJSON{
		Type: typ, UUID: u.UUID, AccountID: u.AccountID, DisplayName: u.DisplayName, Nickname: u.Nickname,
		Links: map[string]link{
			"self":   {base + "/users/" + url.PathEscape(u.UUID)},
			"html":   {webBase + "/" + url.PathEscape(u.UUID) + "/"},
			"avatar": {"https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/default.png"},
		},
	}
}

type userJSON struct {
	accountJSON
	CreatedOn     string `json:"created_on"`
	AccountStatus string `json:"account_status"`
	Has2FA        bool   `json:"has_2fa_enabled"`
	IsStaff       bool   `json:"is_staff"`
}

func renderUser(base string, u User) userJSON {
	return userJSON{accountJSON: renderAccount(base, u), CreatedOn: stamp(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)), AccountStatus: "active"}
}

type repoJSON struct {
	Type       string          `json:"type"`
	UUID       string          `json:"uuid"`
	FullName   string          `json:"full_name"`
	Name       string          `json:"name"`
	Slug       string          `json:"slug,omitempty"`
	IsPrivate  *bool           `json:"is_private,omitempty"`
	MainBranch *branchJSON     `json:"mainbranch,omitempty"`
	HasIssues  *bool           `json:"has_issues,omitempty"`
	Links      map[string]link `json:"links"`
}

type branchJSON struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// renderRepo is the full repository object; brief drops the fields a
// pull request endpoint does not carry.
func renderRepo(base string, r Repository, brief bool) repoJSON {
	out := repoJSON{
		Type: "repository", UUID: r.UUID, FullName: r.FullName(), Name: r.Name,
		Links: map[string]link{
			"self": {base + "/repositories/" + r.FullName()},
			"html": {webBase + "/" + r.FullName()},
		},
	}
	if !brief {
		priv := true
		out.Slug = r.Slug
		out.IsPrivate = &priv
		out.MainBranch = &branchJSON{Type: "branch", Name: r.MainBranch}
	}
	return out
}

// stamp formats a time like the live API: 2026-01-02T03:04:05.123456+00:00.
func stamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000") + "+00:00"
}

type rendered struct {
	Raw    string `json:"raw"`
	Markup string `json:"markup"`
	HTML   string `json:"html"`
}

func render(raw string) rendered {
	h := ""
	if raw != "" {
		h = "<p>" + strings.ReplaceAll(html.EscapeString(raw), "\n", "<br>") + "</p>"
	}
	return rendered{Raw: raw, Markup: "markdown", HTML: h}
}

type endpointJSON struct {
	Branch     map[string]string `json:"branch"`
	Commit     map[string]string `json:"commit"`
	Repository repoJSON          `json:"repository"`
}

type prJSON struct {
	Type              string          `json:"type"`
	ID                int             `json:"id"`
	Title             string          `json:"title"`
	Description       string          `json:"description"`
	Summary           rendered        `json:"summary"`
	State             string          `json:"state"`
	Draft             bool            `json:"draft"`
	Author            accountJSON     `json:"author"`
	Source            endpointJSON    `json:"source"`
	Destination       endpointJSON    `json:"destination"`
	CommentCount      int             `json:"comment_count"`
	TaskCount         int             `json:"task_count"`
	CloseSourceBranch bool            `json:"close_source_branch"`
	Reviewers         []accountJSON   `json:"reviewers"`
	Participants      []any           `json:"participants"`
	CreatedOn         string          `json:"created_on"`
	UpdatedOn         string          `json:"updated_on"`
	Links             map[string]link `json:"links"`
}

// renderPR renders a pull request; the caller holds s.mu.
func (s *Server) renderPR(base string, rs *repoState, ps *prState) prJSON {
	pr := ps.pr
	full := rs.repo.FullName()
	api := fmt.Sprintf("%s/repositories/%s/pullrequests/%d", base, full, pr.ID)
	endpoint := func(e Endpoint) endpointJSON {
		r := Repository{Workspace: rs.repo.Workspace, Slug: rs.repo.Slug, Name: rs.repo.Name, UUID: rs.repo.UUID}
		if e.Repository != full {
			ws, slug, _ := strings.Cut(e.Repository, "/")
			r = Repository{Workspace: ws, Slug: slug, Name: slug, UUID: "{" + fakeHash("repo", e.Repository)[:8] + "-0000-4000-8000-000000000000}"}
			if other := s.repos[e.Repository]; other != nil {
				r = other.repo
			}
		}
		return endpointJSON{
			Branch:     map[string]string{"name": e.Branch},
			Commit:     map[string]string{"hash": short(e.Commit)},
			Repository: renderRepo(base, r, true),
		}
	}
	n := 0
	for _, c := range ps.comments {
		if !c.Deleted {
			n++
		}
	}
	return prJSON{
		Type: "pullrequest", ID: pr.ID, Title: pr.Title, Description: pr.Description,
		Summary: render(pr.Description), State: pr.State, Draft: pr.Draft,
		Author: renderAccount(base, pr.Author), Source: endpoint(pr.Source), Destination: endpoint(pr.Destination),
		CommentCount: n, Reviewers: reviewersJSON(base, pr.Reviewers), Participants: []any{},
		CreatedOn: stamp(pr.CreatedOn), UpdatedOn: stamp(pr.UpdatedOn),
		Links: map[string]link{
			"self":     {api},
			"html":     {fmt.Sprintf("%s/%s/pull-requests/%d", webBase, full, pr.ID)},
			"comments": {api + "/comments"},
			"diff":     {api + "/diff"},
			"diffstat": {api + "/diffstat"},
			"commits":  {api + "/commits"},
			"activity": {api + "/activity"},
		},
	}
}

type inlineJSON struct {
	Path      string `json:"path"`
	From      int    `json:"from,omitempty"`
	To        int    `json:"to,omitempty"`
	StartFrom int    `json:"start_from,omitempty"`
	StartTo   int    `json:"start_to,omitempty"`
}

type parentJSON struct {
	ID    int             `json:"id"`
	Links map[string]link `json:"links"`
}

type resolutionJSON struct {
	Type      string      `json:"type"`
	User      accountJSON `json:"user"`
	CreatedOn string      `json:"created_on"`
}

type commentJSON struct {
	Type        string          `json:"type"`
	ID          int             `json:"id"`
	CreatedOn   string          `json:"created_on"`
	UpdatedOn   string          `json:"updated_on"`
	Content     rendered        `json:"content"`
	User        accountJSON     `json:"user"`
	Deleted     bool            `json:"deleted"`
	Pending     bool            `json:"pending"`
	Inline      *inlineJSON     `json:"inline,omitempty"`
	Parent      *parentJSON     `json:"parent,omitempty"`
	Resolution  *resolutionJSON `json:"resolution,omitempty"`
	PullRequest map[string]any  `json:"pullrequest"`
	Links       map[string]link `json:"links"`
}

func renderComment(base string, rs *repoState, ps *prState, c *Comment) commentJSON {
	full := rs.repo.FullName()
	prAPI := fmt.Sprintf("%s/repositories/%s/pullrequests/%d", base, full, ps.pr.ID)
	out := commentJSON{
		Type: "pullrequest_comment", ID: c.ID,
		CreatedOn: stamp(c.CreatedOn), UpdatedOn: stamp(c.UpdatedOn),
		Content: render(c.Raw), User: renderAccount(base, c.User),
		Deleted: c.Deleted, Pending: c.Pending,
		PullRequest: map[string]any{
			"type": "pullrequest", "id": ps.pr.ID, "title": ps.pr.Title,
			"links": map[string]link{"self": {prAPI}, "html": {fmt.Sprintf("%s/%s/pull-requests/%d", webBase, full, ps.pr.ID)}},
		},
		Links: map[string]link{
			"self": {fmt.Sprintf("%s/comments/%d", prAPI, c.ID)},
			"html": {fmt.Sprintf("%s/%s/pull-requests/%d/_/diff#comment-%d", webBase, full, ps.pr.ID, c.ID)},
		},
	}
	if in := c.Inline; in != nil {
		out.Inline = &inlineJSON{Path: in.Path, From: in.From, To: in.To, StartFrom: in.StartFrom, StartTo: in.StartTo}
	}
	if c.ParentID != 0 {
		out.Parent = &parentJSON{ID: c.ParentID, Links: map[string]link{"self": {fmt.Sprintf("%s/comments/%d", prAPI, c.ParentID)}}}
	}
	if r := c.Resolution; r != nil {
		out.Resolution = &resolutionJSON{Type: "comment_resolution", User: renderAccount(base, r.User), CreatedOn: stamp(r.CreatedOn)}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func reviewersJSON(base string, users []User) []accountJSON {
	out := []accountJSON{}
	for _, u := range users {
		out = append(out, renderAccount(base, u))
	}
	return out
}
