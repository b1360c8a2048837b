package faultplan

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPlan(t *testing.T) {
	var p Plan[string]
	p.Add("once", 0, 0)
	p.Add("every third, twice", 2, 3)
	p.Add("always", -1, 0)
	only := func(want string) func(string) bool { return func(f string) bool { return f == want } }

	f, ok := p.Take(only("once"))
	assert.True(t, ok)
	assert.Equal(t, "once", f)
	_, ok = p.Take(only("once"))
	assert.False(t, ok, "used up")

	var hits []int
	for i := 1; i <= 12; i++ {
		if _, ok := p.Take(only("every third, twice")); ok {
			hits = append(hits, i)
		}
	}
	assert.Equal(t, []int{3, 6}, hits, "the 3rd and 6th matching requests, then used up")

	for range 5 {
		_, ok = p.Take(only("always"))
		assert.True(t, ok)
	}
	_, ok = p.Take(func(string) bool { return false })
	assert.False(t, ok, "nothing matches")
}
