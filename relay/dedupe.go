package relay

import (
	"container/list"
	"sync"
)

// flight is one event's start: done closes when the delivery that owns it
// has its outcome.
type flight struct {
	done chan struct{}
	ok   bool // the pipeline started; read only after done
}

// succeeded reports whether the start has ended with a started pipeline.
func (f *flight) succeeded() bool {
	select {
	case <-f.done:
		return f.ok
	default:
		return false
	}
}

// dedupe remembers the delivery keys of this process: those whose start
// is running, and the most recent ones that started a pipeline. It is a
// best-effort filter (see the package doc): other replicas and restarts do
// not share it.
type dedupe struct {
	mu  sync.Mutex
	max int
	ll  *list.List // started keys, front = most recent
	m   map[string]*slot
}

// slot is one key's flight; el is nil while the flight runs.
type slot struct {
	f  *flight
	el *list.Element
}

func newDedupe(max int) *dedupe {
	return &dedupe{max: max, ll: list.New(), m: make(map[string]*slot, max)}
}

// begin returns the flight of the first known key (false: another delivery
// owns the event), or registers a new flight under all keys (true: the
// caller owns it and must finish it). Check and insert are one step, so
// concurrent redeliveries yield exactly one owner.
func (d *dedupe) begin(keys []string) (*flight, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		if s, ok := d.m[k]; ok {
			if s.el != nil {
				d.ll.MoveToFront(s.el)
			}
			return s.f, false
		}
	}
	f := &flight{done: make(chan struct{})}
	for _, k := range keys {
		d.m[k] = &slot{f: f}
	}
	return f, true
}

// finish records the outcome of the flight begun under keys: a started
// pipeline is remembered (the least recent beyond max are forgotten); a
// failure is forgotten at once, so that a redelivery starts it again.
func (d *dedupe) finish(keys []string, f *flight, started bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f.ok = started
	for _, k := range keys {
		s, ok := d.m[k]
		if !ok || s.f != f {
			continue
		}
		if started {
			s.el = d.ll.PushFront(k)
		} else {
			delete(d.m, k)
		}
	}
	for d.ll.Len() > d.max {
		e := d.ll.Back()
		d.ll.Remove(e)
		delete(d.m, e.Value.(string))
	}
	close(f.done)
}
