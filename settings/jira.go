package settings

import (
	"net/url"
	"regexp"

	"github.com/bitreview/bitreview/llm"
)

// Linked are the variables of linked issues and of the pull request
// description's summary (issue 21). Settings embeds them.
type Linked struct {
	// JiraBaseURL, JiraEmail and JiraAPIToken are a Jira Cloud site and
	// the Atlassian account (Basic auth) linked issues are read as.
	// Without them Jira keys are listed, not fetched.
	JiraBaseURL  string `env:"JIRA_BASE_URL"`
	JiraEmail    string `env:"JIRA_EMAIL"`
	JiraAPIToken string `env:"JIRA_API_TOKEN"`
	// JiraProject is where `@bitreview create issue` files an issue;
	// empty takes the project of the pull request's first linked key.
	JiraProject string `env:"JIRA_PROJECT"`
	// DescriptionSummary is DescriptionPlaceholder, DescriptionAppend or
	// DescriptionOff.
	DescriptionSummary string `env:"DESCRIPTION_SUMMARY" envDefault:"placeholder"`
}

// DESCRIPTION_SUMMARY's values.
const (
	// DescriptionPlaceholder replaces "@bitreview summary" in the
	// description with the summary, and updates it there later.
	DescriptionPlaceholder = "placeholder"
	// DescriptionAppend also adds the summary at the end of a description
	// that has neither the placeholder nor an earlier summary.
	DescriptionAppend = "append"
	// DescriptionOff never writes the description.
	DescriptionOff = "off"
)

// JiraConfigured reports whether linked Jira issues are fetched: the site
// and both credentials are set.
func (s Settings) JiraConfigured() bool {
	return s.JiraBaseURL != "" && s.JiraEmail != "" && s.JiraAPIToken != ""
}

var jiraProjectKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,9}$`)

// linkedProblems checks the variables of Linked: the Jira credentials
// come all together or not at all, the site is https (plain http only to
// a loopback host, for tests), the project is a key. Never a value.
func (s Settings) linkedProblems() []string {
	var p []string
	if s.JiraBaseURL != "" || s.JiraEmail != "" || s.JiraAPIToken != "" {
		for _, v := range []struct{ name, value, what string }{
			{"JIRA_BASE_URL", s.JiraBaseURL, "the Jira Cloud site, such as https://acme.atlassian.net"},
			{"JIRA_EMAIL", s.JiraEmail, "the email of the Atlassian account that owns JIRA_API_TOKEN"},
			{"JIRA_API_TOKEN", s.JiraAPIToken, "an Atlassian API token (store it as a secured variable)"},
		} {
			if v.value == "" {
				p = append(p, v.name+": not set. Linked Jira issues need JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN together; set "+v.what+", or unset the others")
			}
		}
	}
	if s.JiraBaseURL != "" {
		u, err := url.Parse(s.JiraBaseURL)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
			p = append(p, "JIRA_BASE_URL: must be an absolute https URL without credentials, such as https://acme.atlassian.net")
		case u.Scheme == "http" && !llm.IsLoopback(u.Hostname()):
			p = append(p, "JIRA_BASE_URL: must use https: over plain http:// the API token travels unencrypted (http:// is allowed only to a loopback host)")
		}
	}
	if s.JiraProject != "" && !jiraProjectKey.MatchString(s.JiraProject) {
		p = append(p, "JIRA_PROJECT: must be a Jira project key, such as OPS (capital letters, digits, underscores)")
	}
	switch s.DescriptionSummary {
	case DescriptionPlaceholder, DescriptionAppend, DescriptionOff:
	default:
		p = append(p, "DESCRIPTION_SUMMARY: must be placeholder, append or off")
	}
	return p
}
