package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlatformOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		want string
		bad  bool
	}{
		{env: nil, want: "bitbucket"},
		{env: []string{"GITHUB_ACTIONS=true"}, want: "github"},
		{env: []string{"GITHUB_ACTIONS=true", "PLATFORM=bitbucket"}, want: "bitbucket"},
		{env: []string{"PLATFORM=GitHub"}, want: "github"},
		{env: []string{"INPUT_PLATFORM=github"}, want: "github"},
		{env: []string{"PLATFORM=gitlab"}, bad: true},
	} {
		got, err := platformOf(tc.env)
		if tc.bad {
			assert.Error(t, err, "%v", tc.env)
			continue
		}
		assert.NoError(t, err)
		assert.Equal(t, tc.want, got, "%v", tc.env)
	}
}
