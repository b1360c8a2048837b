package benchharness

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/internal/synth"
)

// perFile is the shape of every scenario's text files: 3 hunks of 12
// changed lines with git's 3 lines of context; a tenth of the files are
// binary or lock files.
func sized(name string, files, hunks, lines int, incremental bool) Scenario {
	return Scenario{Name: name, Incremental: incremental, Synth: synth.Options{
		Files: files, HunksPerFile: hunks, LinesPerHunk: lines, Context: 3, Mixed: 0.1, Seed: 1,
	}}
}

// Scenarios are the named scenarios of the issue; "wide" is the shape of
// the peer comparison's 193-file pull request (many files, a few changed
// lines each: the case for triage); "scale-N" is the typical PR with N
// times as many files (N in 1, 2, 4, 8).
func Scenarios() []Scenario {
	return []Scenario{
		sized("small", 5, 2, 6, false),
		sized("typical", 40, 3, 12, false),
		sized("wide", 193, 1, 4, false),
		sized("incremental", 40, 3, 12, true),
		chat(sized("chat", 40, 3, 12, false)),
		sized("large", 2000, 5, 10, false),
		sized("scale-1", 40, 3, 12, true),
		sized("scale-2", 80, 3, 12, true),
		sized("scale-4", 160, 3, 12, true),
		sized("scale-8", 320, 3, 12, true),
	}
}

// Select returns the scenarios named in the comma-separated list ("all"
// for every one).
func Select(list string) ([]Scenario, error) {
	all := Scenarios()
	if list == "all" {
		return all, nil
	}
	var out []Scenario
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(all, func(s Scenario) bool { return s.Name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
		out = append(out, all[i])
	}
	return out, nil
}

func chat(s Scenario) Scenario { s.Chat = true; return s }
