package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/relay"
	"github.com/bitreview/bitreview/settings"
)

const relayScopes = "read:user:bitbucket (to recognise the bot's own comments), read:pipeline:bitbucket and write:pipeline:bitbucket (an access token's Pipelines: Write permission)"

// runRelay is `bitreview relay`: serve POST /webhook and GET /healthz on
// RELAY_LISTEN until ctx ends (SIGTERM or SIGINT), then drain
// (relay.Serve). Logs are JSON lines on stderr. Exit codes: 0 after a
// clean shutdown, 2 bad configuration (including an address it cannot
// listen on), 3 Bitbucket refused or could not be reached at startup, or
// the server stopped.
func runRelay(ctx context.Context, environ []string, stderr io.Writer) int {
	rc := settings.LoadRelay(environ)
	cfg, problems := loadAdminConfig(environ, relayScopes, rc.Problems()...)
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

	client, err := newBitbucketClient(cfg)
	if err != nil {
		printConfigProblems(stderr, []string{err.Error()})
		return exitConfig
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
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
	log.Info("relay listening", "addr", ln.Addr().String(), "version", version, "auth", cfg.AuthMode(),
		"bot_name", rc.BotName, "bot_uuid", me.UUID, "allowlist", len(rc.Allowed()))
	if err := r.Serve(ctx, ln); err != nil {
		return exitRemote
	}
	return exitOK
}
