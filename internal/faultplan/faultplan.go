// Package faultplan schedules the faults the fake servers (bbtest, ghtest)
// inject: each applies to the requests it matches, to every Nth of them
// only if asked, a number of times or always. It holds no lock: the server
// that owns a Plan guards it with its own.
package faultplan

// Plan is the faults a server has been given, in the order given.
type Plan[F any] struct{ entries []*entry[F] }

type entry[F any] struct {
	f     F
	left  int // < 0: unlimited
	every int // > 1: only every Nth matching request
	seen  int // matching requests so far, for every
}

// Add schedules f for times uses (0 means once, a negative number every
// time), applied to every Nth matching request when every > 1.
func (p *Plan[F]) Add(f F, times, every int) {
	if times == 0 {
		times = 1
	}
	p.entries = append(p.entries, &entry[F]{f: f, left: times, every: every})
}

// Take returns the first fault with uses left that match accepts and that
// falls on this request (every Nth), using one of its uses.
func (p *Plan[F]) Take(match func(F) bool) (F, bool) {
	for _, e := range p.entries {
		if e.left == 0 || !match(e.f) {
			continue
		}
		if e.every > 1 {
			e.seen++
			if e.seen%e.every != 0 {
				continue
			}
		}
		if e.left > 0 {
			e.left--
		}
		return e.f, true
	}
	var zero F
	return zero, false
}
