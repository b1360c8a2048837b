package benchharness

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// pollHWM samples the child's VmHWM (peak RSS of its own address space)
// every 5 ms into *peak until the returned stop is called.
//
// Why not rusage's Maxrss: on Linux it survives execve, and Go starts
// children with CLONE_VM, so the child's Maxrss starts at the harness's
// own RSS (which holds the synthetic diff and the fakes' state). VmHWM
// belongs to the address space exec created. Growth in the last 5 ms
// before exit can be missed; it is a high-water mark, so nothing earlier is.
func pollHWM(pid int, peak *int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	path := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if kib, ok := readHWM(path); ok && kib > *peak {
				*peak = kib
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func readHWM(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
	if !ok {
		return 0, false
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	return n, err == nil
}
