package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func buildInfo(mainVersion string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/bitreview/bitreview", Version: mainVersion}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

func TestVersionFallsBackToWhatGoEmbeds(t *testing.T) {
	const rev = "773a37e0c0ffee0ddba11ab1e5eed0bead5deadb"
	for _, tc := range []struct {
		name             string
		ver, commit, dat string // -ldflags values ("" when not set)
		bi               *debug.BuildInfo
		want             string
	}{
		{name: "release build: ldflags win", ver: "0.1.0", commit: "abc123", dat: "2026-12-01",
			bi:   buildInfo("v0.0.0-20261206-773a37e0c0ff", "vcs.revision", rev, "vcs.time", "2026-12-06T17:03:29Z"),
			want: "bitreview 0.1.0, commit abc123, built 2026-12-01"},
		{name: "go build in a clean checkout", ver: "dev",
			bi:   buildInfo("v0.0.0-20261206170329-773a37e0c0ff", "vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-06T17:03:29Z", "vcs.modified", "false"),
			want: "bitreview v0.0.0-20261206170329-773a37e0c0ff, commit " + rev + ", built 2026-12-06T17:03:29Z"},
		{name: "go build with local changes", ver: "dev",
			bi:   buildInfo("(devel)", "vcs.revision", rev, "vcs.time", "2026-12-06T17:03:29Z", "vcs.modified", "true"),
			want: "bitreview dev, commit " + rev + "+dirty, built 2026-12-06T17:03:29Z"},
		{name: "go install module@version", ver: "dev", bi: buildInfo("v0.2.0"),
			want: "bitreview v0.2.0"},
		{name: "no build information", ver: "dev", want: "bitreview dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, versionFrom(tc.ver, tc.commit, tc.dat, tc.bi))
		})
	}
}
