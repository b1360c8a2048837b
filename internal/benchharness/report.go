package benchharness

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Median is the per-field median of runs of one scenario (counts come
// from the median-wall run, so they stay consistent with each other).
func Median(runs []Result) Result {
	if len(runs) == 0 {
		return Result{}
	}
	byWall := slices.Clone(runs)
	slices.SortFunc(byWall, func(a, b Result) int { return int(a.Wall - b.Wall) })
	m := byWall[len(byWall)/2]
	dur := func(f func(Result) time.Duration) time.Duration {
		v := make([]time.Duration, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	m.NonLLM = dur(func(r Result) time.Duration { return r.NonLLM })
	m.LLMBusy = dur(func(r Result) time.Duration { return r.LLMBusy })
	m.Floor = dur(func(r Result) time.Duration { return r.Floor })
	m.PeakRSSKiB = int64(dur(func(r Result) time.Duration { return time.Duration(r.PeakRSSKiB) }))
	if m.Followup != nil {
		var fus []Result
		for _, r := range runs {
			if r.Followup != nil {
				fus = append(fus, *r.Followup)
			}
		}
		fu := Median(fus)
		m.Followup = &fu
	}
	if m.Chat != nil {
		var chats []Result
		for _, r := range runs {
			if r.Chat != nil {
				chats = append(chats, *r.Chat)
			}
		}
		ch := Median(chats)
		m.Chat = &ch
	}
	return m
}

// Efficiency is ideal ÷ wall time: 1 means the run took no longer than
// its calls on C parallel slots, with nothing else (start-up, Bitbucket,
// a call waiting for another) in the way.
func (r Result) Efficiency() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Ideal) / float64(r.Wall)
}

// WriteTable writes medians as a Markdown table.
func WriteTable(w io.Writer, ms []Result) {
	fmt.Fprintln(w, "| scenario | files | changed lines | wall | LLM busy | not LLM | floor (parse) | not LLM ÷ floor | ideal ceil(N/C)×lat | efficiency | peak RSS | BB reqs | LLM calls | rounds | prompt tok | completion tok | comments |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	row := func(r Result) {
		ratio := 0.0
		if r.Floor > 0 {
			ratio = float64(r.NonLLM) / float64(r.Floor)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %.0f× | %s | %.0f%% | %.0f MiB | %d | %d | %d | %d | %d | %d |\n",
			r.Scenario, r.Files, r.ChangedLines, ms3(r.Wall), ms3(r.LLMBusy), ms3(r.NonLLM), ms3(r.Floor), ratio,
			ms3(r.Ideal), 100*r.Efficiency(), float64(r.PeakRSSKiB)/1024, r.BBRequests, r.LLMCalls, r.Rounds,
			r.PromptTokens, r.CompletionTokens, r.CommentPosts)
	}
	for _, r := range ms {
		row(r)
		if r.Followup != nil {
			row(*r.Followup)
		}
		if r.Chat != nil {
			row(*r.Chat)
		}
	}
	fmt.Fprintln(w)
	for _, r := range ms {
		if fu := r.Followup; fu != nil && r.PromptTokens > 0 {
			fmt.Fprintf(w, "- %s: follow-up push uses %.1f%% of the full review's prompt tokens (%d vs %d)\n",
				r.Scenario, 100*float64(fu.PromptTokens)/float64(r.PromptTokens), fu.PromptTokens, r.PromptTokens)
		}
	}
}

func ms3(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
	return d.Round(time.Millisecond).String()
}

// WriteCharts draws the scaling charts from the scale-N (and large)
// medians into dir.
func WriteCharts(dir string, ms []Result) error {
	var wall, nonLLM, busy, full, inc Series
	wall.Name, nonLLM.Name, busy.Name = "wall", "not waiting for the LLM", "LLM busy"
	full.Name, inc.Name = "full review", "follow-up push (1 file)"
	for _, r := range ms {
		if !strings.HasPrefix(r.Scenario, "scale-") && r.Scenario != "large" {
			continue
		}
		x := float64(r.ChangedLines)
		wall.Points = append(wall.Points, Point{x, r.Wall.Seconds()})
		nonLLM.Points = append(nonLLM.Points, Point{x, r.NonLLM.Seconds()})
		busy.Points = append(busy.Points, Point{x, r.LLMBusy.Seconds()})
		if r.Followup != nil {
			full.Points = append(full.Points, Point{x, float64(r.PromptTokens + r.CompletionTokens)})
			inc.Points = append(inc.Points, Point{x, float64(r.Followup.PromptTokens + r.Followup.CompletionTokens)})
		}
	}
	for _, s := range []*Series{&wall, &nonLLM, &busy, &full, &inc} {
		slices.SortFunc(s.Points, func(a, b Point) int { return int(a.X - b.X) })
	}
	// Without scale-N or large runs (say -scenarios small,chat) there is
	// nothing to draw: no chart rather than an empty log axis.
	err := WriteChart(filepath.Join(dir, "wall.svg"), "Pipe run time against PR size",
		"changed lines", "seconds", wall, busy, nonLLM)
	if err != nil && !errors.Is(err, ErrNoPoints) {
		return err
	}
	err = WriteChart(filepath.Join(dir, "tokens.svg"), "LLM tokens: full review vs follow-up push",
		"changed lines in the PR", "tokens (prompt + completion)", full, inc)
	if err != nil && !errors.Is(err, ErrNoPoints) {
		return err
	}
	return nil
}
