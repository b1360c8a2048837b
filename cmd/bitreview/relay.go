package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/relay"
	"github.com/bitreview/bitreview/settings"
)

// apiClient builds the Bitbucket client for the relay, setup and doctor.
func apiClient(c settings.Settings, opts ...bbapi.Option) (*bbapi.Client, error) {
	opts = append([]bbapi.Option{bbapi.WithUserAgent("bitreview/" + version)}, opts...)
	if c.AccessToken != "" {
		opts = append(opts, bbapi.WithAccessToken(c.AccessToken))
	} else {
		opts = append(opts, bbapi.WithAPIToken(c.Email, c.APIToken))
	}
	cl, err := bbapi.NewClient(c.APIURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("BITBUCKET_API_URL: %w", err)
	}
	return cl, nil
}

func printConfigProblems(w io.Writer, problems []string) {
	fmt.Fprintf(w, "✖ %s\n", (&settings.Error{Problems: problems}).Error())
	fmt.Fprintln(w, "  Run `bitreview help` for the commands and their variables.")
}

const relayScopes = "read:user:bitbucket (to recognise the bot's own comments), read:pipeline:bitbucket and write:pipeline:bitbucket (an access token's Pipelines: Write permission)"

// Relay server timeouts. Bitbucket waits 10 s for an answer; a delivery
// starts its pipeline within relay.DefaultTriggerTimeout (8 s) before it
// is answered, so writing may take that long, and a shutdown waits that
// long for the deliveries in flight.
const (
	relayReadHeaderTimeout = 5 * time.Second
	relayReadTimeout       = 10 * time.Second
	relayWriteTimeout      = relay.DefaultTriggerTimeout + 5*time.Second
	relayIdleTimeout       = 120 * time.Second
	relayStartupTimeout    = 30 * time.Second
	relayHTTPDrain         = relay.DefaultTriggerTimeout + 2*time.Second
	relayTriggerDrain      = 2 * time.Second
)

// runRelay is `bitreview relay`: serve POST /webhook and GET /healthz on
// RELAY_LISTEN until ctx ends (SIGTERM or SIGINT), then drain. Logs are
// JSON lines on stderr. Exit codes: 0 after a clean shutdown, 2 bad
// configuration (including an address it cannot listen on), 3 Bitbucket
// refused or could not be reached at startup.
func runRelay(ctx context.Context, environ []string, stderr io.Writer) int {
	cfg, cerr := settings.Load(environ)
	rc := settings.LoadRelay(environ)
	var problems []string
	if cerr != nil {
		problems = append(problems, cerr.Problems...)
	}
	problems = append(problems, rc.Problems()...)
	problems = append(problems, cfg.AuthProblems(relayScopes)...)
	if len(problems) > 0 {
		printConfigProblems(stderr, problems)
		return exitConfig
	}
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	handler := slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	log := slog.New(handler).With("component", "relay")

	client, err := apiClient(cfg)
	if err != nil {
		printConfigProblems(stderr, []string{err.Error()})
		return exitConfig
	}
	sctx, cancel := context.WithTimeout(ctx, relayStartupTimeout)
	me, _, err := client.CurrentUser(sctx)
	cancel()
	if err != nil {
		attrs := []any{"error", err.Error()}
		var er *bbapi.ErrorResponse
		if errors.As(err, &er) && er.Hint != "" {
			attrs = append(attrs, "fix", er.Hint)
		}
		log.Error("cannot identify the bot account with GET /user; the relay needs it to ignore its own comments", attrs...)
		return exitRemote
	}
	r, err := relay.New(relay.Options{
		Secret: []byte(rc.Secret), Starter: relay.BitbucketStarter{Client: client},
		BotName: rc.BotName, BotUUID: me.UUID, BotAccountID: me.AccountID, AllowedUUIDs: rc.Allowed(),
		Logger: log,
	})
	if err != nil {
		printConfigProblems(stderr, []string{err.Error()})
		return exitConfig
	}
	ln, err := net.Listen("tcp", rc.Listen)
	if err != nil {
		_ = r.Shutdown(context.Background())
		printConfigProblems(stderr, []string{"RELAY_LISTEN: cannot listen on " + rc.Listen + ": " + err.Error()})
		return exitConfig
	}
	srv := &http.Server{
		Handler:           r.Handler(),
		ReadHeaderTimeout: relayReadHeaderTimeout,
		ReadTimeout:       relayReadTimeout,
		WriteTimeout:      relayWriteTimeout,
		IdleTimeout:       relayIdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("relay listening", "addr", ln.Addr().String(), "version", version, "auth", cfg.AuthMode(),
		"bot_name", rc.BotName, "bot_uuid", me.UUID, "allowlist", len(rc.Allowed()))

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing the deliveries in flight (each is answered once its pipeline started)")
	case err := <-served:
		log.Error("server stopped", "error", err.Error())
		code = exitRemote
	}
	// The HTTP server stops listening and waits for the requests in
	// flight; each is answered only after its pipeline started (or with
	// 503, which Bitbucket retries). Nothing acknowledged is left behind.
	hctx, hcancel := context.WithTimeout(context.Background(), relayHTTPDrain)
	_ = srv.Shutdown(hctx)
	hcancel()
	tctx, tcancel := context.WithTimeout(context.Background(), relayTriggerDrain)
	if err := r.Shutdown(tctx); err != nil {
		log.Warn("pipeline starts still running at the shutdown deadline were cancelled (answered 503, Bitbucket retries them)", "error", err.Error())
	}
	tcancel()
	st := r.Stats()
	log.Info("relay stopped", "accepted", st.Accepted, "started", st.Started, "failed", st.Failed,
		"ignored", st.Ignored, "duplicates", st.Duplicates, "rejected", st.Rejected)
	return code
}
