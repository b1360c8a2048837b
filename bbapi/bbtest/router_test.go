package bbtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchTemplates(t *testing.T) {
	var ts []*template
	for _, p := range []string{
		"/repositories/{workspace}/{repo_slug}",
		"/repositories/{workspace}/{repo_slug}/pullrequests",
		"/repositories/{workspace}/{repo_slug}/pullrequests/activity",
		"/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}",
		"/repositories/{workspace}/{repo_slug}/src/{commit}/{path}",
		"/repositories/{workspace}/{repo_slug}/diff/{spec}",
		"/repositories/{workspace}/{repo_slug}/pipelines",
		"/repositories/{workspace}/{repo_slug}/issues/export/{repo_name}-issues-{task_id}.zip",
	} {
		ts = append(ts, compileTemplate(p))
	}
	tests := []struct {
		path, want string
		params     map[string]string
	}{
		{"/repositories/a/b", "/repositories/{workspace}/{repo_slug}", map[string]string{"workspace": "a", "repo_slug": "b"}},
		{"/repositories/a/b/pullrequests/activity", "/repositories/{workspace}/{repo_slug}/pullrequests/activity", nil},
		{"/repositories/a/b/pullrequests/7", "/repositories/{workspace}/{repo_slug}/pullrequests/{pull_request_id}", map[string]string{"pull_request_id": "7"}},
		{"/repositories/a/b/src/abc/dir/sub/file.go", "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}", map[string]string{"commit": "abc", "path": "dir/sub/file.go"}},
		{"/repositories/a/b/src/abc/dir%2Ffile%20x.go", "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}", map[string]string{"path": "dir/file x.go"}},
		{"/repositories/a/b/diff/a/b:123%0D456", "/repositories/{workspace}/{repo_slug}/diff/{spec}", map[string]string{"spec": "a/b:123\r456"}},
		{"/repositories/a/b/pipelines/", "/repositories/{workspace}/{repo_slug}/pipelines", nil},
		{"/repositories/%7Bws-uuid%7D/b", "/repositories/{workspace}/{repo_slug}", map[string]string{"workspace": "{ws-uuid}"}},
		{"/repositories/a/b/issues/export/b-issues-42.zip", "/repositories/{workspace}/{repo_slug}/issues/export/{repo_name}-issues-{task_id}.zip", map[string]string{"repo_name": "b", "task_id": "42"}},
		{"/repositories/a/b/nonsense", "", nil},
		{"/repositories/a/b/pullrequests/7/extra", "", nil},
		{"/repositories/a//pullrequests", "", nil},
	}
	for _, tt := range tests {
		got, params := matchTemplates(ts, tt.path)
		if tt.want == "" {
			assert.Nil(t, got, tt.path)
			continue
		}
		if assert.NotNil(t, got, tt.path) {
			assert.Equal(t, tt.want, got.path, tt.path)
			for k, v := range tt.params {
				assert.Equal(t, v, params[k], "%s: %s", tt.path, k)
			}
		}
	}
}
