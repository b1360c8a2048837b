package relay

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server timeouts. Bitbucket waits 10 s for an answer; a delivery starts
// its pipeline within DefaultTriggerTimeout (8 s) before it is answered,
// so writing may take that long, and a shutdown waits that long for the
// deliveries in flight.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = DefaultTriggerTimeout + 5*time.Second
	idleTimeout       = 120 * time.Second
	httpDrain         = DefaultTriggerTimeout + 2*time.Second
	triggerDrain      = 2 * time.Second
)

// Serve serves Handler on ln until ctx ends or the server stops on its
// own, then drains: the HTTP server stops listening and waits for the
// requests in flight, each answered only after its pipeline started (or
// with 503, which Bitbucket retries), then the starts still running get a
// last moment before they are cancelled (answered 503 too). Nothing
// acknowledged is left behind. It returns nil after a shutdown ctx asked
// for, or the error that stopped the server; it logs the shutdown and the
// relay's counters.
func (r *Relay) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           r.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(r.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var err error
	select {
	case <-ctx.Done():
		r.log.Info("shutting down: finishing the deliveries in flight (each is answered once its pipeline started)")
	case err = <-served:
		if err == nil || errors.Is(err, http.ErrServerClosed) {
			err = errors.New("the server stopped")
		}
		r.log.Error("server stopped", "error", err.Error())
	}
	hctx, hcancel := context.WithTimeout(context.Background(), httpDrain)
	_ = srv.Shutdown(hctx)
	hcancel()
	tctx, tcancel := context.WithTimeout(context.Background(), triggerDrain)
	if serr := r.Shutdown(tctx); serr != nil {
		r.log.Warn("pipeline starts still running at the shutdown deadline were cancelled (answered 503, Bitbucket retries them)", "error", serr.Error())
	}
	tcancel()
	st := r.Stats()
	r.log.Info("relay stopped", "accepted", st.Accepted, "started", st.Started, "failed", st.Failed,
		"ignored", st.Ignored, "duplicates", st.Duplicates, "rejected", st.Rejected)
	return err
}
