package repoconfig

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ratioBomb pads the file with plain values first, so that the alias share
// of the values decoded stays under go-yaml's default ratio guard (99 % up
// to 400,000 values) while the aliases still expand to 4^8 small mappings.
func ratioBomb() []byte {
	var b strings.Builder
	b.WriteString("path_filters: [" + strings.Repeat(`"x",`, 4000) + `"x"]` + "\n")
	b.WriteString("a: &a {k: {k: v}}\n")
	prev := 'a'
	for c := 'b'; c <= 'i'; c++ {
		fmt.Fprintf(&b, "%c: &%c [*%c, *%c, *%c, *%c]\n", c, c, prev, prev, prev, prev)
		prev = c
	}
	return []byte(b.String())
}

// TestAliasBomb: a config of a few hundred bytes whose anchors and aliases
// expand to billions of values (requirement 33) is refused with a message
// that says why, in well under a second and a few MB.
func TestAliasBomb(t *testing.T) {
	classic, err := os.ReadFile("testdata/invalid/alias-bomb.yaml")
	require.NoError(t, err)
	require.Len(t, classic, 452)
	for name, data := range map[string][]byte{"billion laughs": classic, "under the ratio guard": ratioBomb()} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			type result struct {
				cfg *Config
				err error
			}
			done := make(chan result, 1)
			go func() {
				cfg, _, err := Parse(".bitreview.yaml", data)
				done <- result{cfg, err}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(2 * time.Second):
				// Fail instead of exhausting the machine's memory.
				t.Fatalf("Parse of a %d-byte alias bomb still running after 2 s", len(data))
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			require.Error(t, res.err)
			assert.Nil(t, res.cfg)
			assert.Contains(t, res.err.Error(), "aliases expand to more than")
			assert.Less(t, elapsed, 500*time.Millisecond)
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, allocated, uint64(8<<20), "Parse allocated %d KB", allocated>>10)
			t.Logf("%d bytes refused in %s, %d KB allocated", len(data), elapsed, allocated>>10)
		})
	}
}
