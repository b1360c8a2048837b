package admin

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// read:issue:bitbucket matters only where the repository has an issue
// tracker (linked "#3" issues); without it the pipe still reviews, so a
// missing scope is a warning with the fix.
func TestDoctorIssueScopeOnlyWithATracker(t *testing.T) {
	f := newFixture(t)
	assert.NotContains(t, names(f.doctor(t)), "Scope read:issue:bitbucket", "no tracker: not needed")

	f.bb.EnableIssues(ws, slug)
	c := check(t, f.doctor(t), "Scope read:issue:bitbucket")
	assert.Equal(t, StatusWarn, c.Status)
	assert.Contains(t, c.Fix, "read:issue:bitbucket")
	assert.Contains(t, c.For, ForPipe)

	f.setScopes(append(slices.Clone(doctorScopes), "read:issue:bitbucket")...)
	c = check(t, f.doctor(t), "Scope read:issue:bitbucket")
	assert.Equal(t, StatusOK, c.Status, c.Detail)
}
