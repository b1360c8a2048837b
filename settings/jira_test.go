package settings

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkedIssuesVariables(t *testing.T) {
	t.Parallel()
	s, err := Load([]string{"JIRA_BASE_URL=https://acme.atlassian.net", "JIRA_EMAIL=bot@acme.test", "JIRA_API_TOKEN=t0k", "JIRA_PROJECT=OPS"})
	require.Nil(t, err)
	assert.True(t, s.JiraConfigured())
	assert.Equal(t, "https://acme.atlassian.net", s.JiraBaseURL)
	assert.Equal(t, "OPS", s.JiraProject)
	assert.Equal(t, DescriptionPlaceholder, s.DescriptionSummary, "the default")
	assert.Empty(t, s.linkedProblems())

	none, _ := Load(nil)
	assert.False(t, none.JiraConfigured(), "no Jira variables: keys are listed, not fetched")

	var keys []string
	for _, v := range Vars() {
		keys = append(keys, v.Key)
	}
	for _, k := range []string{"JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PROJECT", "DESCRIPTION_SUMMARY"} {
		assert.Contains(t, keys, k)
	}
	assert.True(t, slices.Contains(Vars(), Var{Key: "DESCRIPTION_SUMMARY", Default: "placeholder"}))
}

func TestLinkedIssuesProblems(t *testing.T) {
	t.Parallel()
	const token = "jira-canary-token"
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"JIRA_BASE_URL=https://acme.atlassian.net"}, "JIRA_API_TOKEN: not set"},
		{[]string{"JIRA_BASE_URL=https://acme.atlassian.net", "JIRA_API_TOKEN=" + token}, "JIRA_EMAIL: not set"},
		{[]string{"JIRA_EMAIL=a@b", "JIRA_API_TOKEN=" + token}, "JIRA_BASE_URL: not set"},
		{[]string{"JIRA_BASE_URL=http://acme.atlassian.net", "JIRA_EMAIL=a@b", "JIRA_API_TOKEN=" + token}, "JIRA_BASE_URL: must use https"},
		{[]string{"JIRA_BASE_URL=https://a:" + token + "@acme.atlassian.net", "JIRA_EMAIL=a@b", "JIRA_API_TOKEN=" + token}, "JIRA_BASE_URL: must be an absolute https URL"},
		{[]string{"JIRA_PROJECT=ops"}, "JIRA_PROJECT: must be a Jira project key"},
		{[]string{"DESCRIPTION_SUMMARY=always"}, "DESCRIPTION_SUMMARY: must be placeholder, append or off"},
	}
	for _, tc := range cases {
		s, err := Load(tc.env)
		require.Nil(t, err)
		p := strings.Join(s.linkedProblems(), "\n")
		assert.Contains(t, p, tc.want, "%v", tc.env)
		assert.NotContains(t, p, token)
	}
	s, _ := Load([]string{"JIRA_BASE_URL=http://127.0.0.1:8080", "JIRA_EMAIL=a@b", "JIRA_API_TOKEN=" + token})
	assert.Empty(t, s.linkedProblems(), "plain http to a loopback host (tests)")

	_, verr := LoadValidated([]string{"DESCRIPTION_SUMMARY=always"}, "review")
	require.NotNil(t, verr)
	assert.Contains(t, verr.Error(), "DESCRIPTION_SUMMARY")
}
