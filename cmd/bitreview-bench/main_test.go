package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitRelay(t *testing.T) {
	for _, tc := range []struct {
		in, rest string
		relay    bool
	}{
		{"all", "all", true},
		{"small,relay", "small", true},
		{"relay", "", true},
		{"small,large", "small,large", false},
	} {
		rest, relay := splitRelay(tc.in)
		assert.Equal(t, tc.rest, rest, tc.in)
		assert.Equal(t, tc.relay, relay, tc.in)
	}
}
