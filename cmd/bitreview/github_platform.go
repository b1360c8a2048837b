package main

import (
	"fmt"
	"strings"
)

// platformOf picks what `bitreview pipe` talks to: PLATFORM=github or
// PLATFORM=bitbucket when set, else GitHub inside GitHub Actions
// (GITHUB_ACTIONS=true), else Bitbucket. `bitreview action` is always
// GitHub.
func platformOf(environ []string) (string, error) {
	var platform, actions string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "PLATFORM", "INPUT_PLATFORM":
			if v != "" {
				platform = strings.ToLower(strings.TrimSpace(v))
			}
		case "GITHUB_ACTIONS":
			actions = v
		}
	}
	switch platform {
	case "github", "bitbucket":
		return platform, nil
	case "":
		if actions == "true" {
			return "github", nil
		}
		return "bitbucket", nil
	}
	return "", fmt.Errorf("PLATFORM: must be github or bitbucket, not %q", platform)
}
