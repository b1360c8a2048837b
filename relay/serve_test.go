package relay

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Serve answers over HTTP until its context ends, then drains: a delivery
// whose pipeline is still starting is answered once it started, before
// Serve returns nil. Nothing acknowledged is left behind.
func TestServeDrainsTheDeliveriesInFlight(t *testing.T) {
	r, st := newRelay(t)
	entered, release := make(chan struct{}), make(chan struct{})
	st.fn = func(context.Context, int, Trigger) (Started, error) {
		close(entered)
		<-release
		return Started{UUID: "{run-1}", BuildNumber: 1}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- r.Serve(ctx, ln) }()

	acked := make(chan bool, 1)
	body := mustJSON(t, commentEvent(1, "@bitreview review", alice(), prSpec{}))
	go func() { acked <- post(http.DefaultClient, "http://"+ln.Addr().String(), body, "req-1", 1) }()
	<-entered
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) with a delivery in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	assert.True(t, <-acked, "answered 2xx once its pipeline started")
	require.NoError(t, <-served)
	assert.Equal(t, int64(1), r.Stats().Started)
}

// A server that stops on its own (its listener failed) is an error.
func TestServeReportsAStoppedServer(t *testing.T) {
	r, _ := newRelay(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	assert.Error(t, r.Serve(t.Context(), ln))
}
