package relay

import (
	"container/list"
	"sync"
)

// lru remembers the most recent delivery keys of this process. It is a
// best-effort filter (see the package doc): other replicas and restarts
// do not share it.
type lru struct {
	mu  sync.Mutex
	max int
	ll  *list.List // front = most recent; values are keys
	m   map[string]*list.Element
}

func newLRU(max int) *lru {
	return &lru{max: max, ll: list.New(), m: make(map[string]*list.Element, max)}
}

// seenOrAdd reports whether any key is already known (refreshing it), and
// otherwise remembers all of them. Check and insert are one step, so
// concurrent redeliveries yield exactly one false.
func (l *lru) seenOrAdd(keys []string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if e, ok := l.m[k]; ok {
			l.ll.MoveToFront(e)
			return true
		}
	}
	for _, k := range keys {
		l.m[k] = l.ll.PushFront(k)
	}
	for l.ll.Len() > l.max {
		e := l.ll.Back()
		l.ll.Remove(e)
		delete(l.m, e.Value.(string))
	}
	return false
}

// forget removes keys, so that a later redelivery is accepted again.
func (l *lru) forget(keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if e, ok := l.m[k]; ok {
			l.ll.Remove(e)
			delete(l.m, k)
		}
	}
}
