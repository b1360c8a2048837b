package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/bitreview/bitreview/bbapi"
	"github.com/bitreview/bitreview/relay"
)

// relayConfig is the relay's own variables. They belong to the server
// `bitreview relay` (and RELAY_WEBHOOK_SECRET to `bitreview setup`), not to
// the pipe, so they are not in Config, pipe.yml or the pipe's Variables
// table; the relay reads Config for the Bitbucket credentials.
type relayConfig struct {
	Listen       string `env:"RELAY_LISTEN" envDefault:":8080"`
	Secret       string `env:"RELAY_WEBHOOK_SECRET"`
	BotName      string `env:"RELAY_BOT_NAME" envDefault:"bitreview"`
	AllowedUUIDs string `env:"RELAY_ALLOWED_UUIDS"` // comma- or space-separated account UUIDs
	// blankSecret records that RELAY_WEBHOOK_SECRET was set to whitespace
	// only, for the message.
	blankSecret bool
}

// Webhook secrets: Bitbucket stores at most 128 characters; fewer than 16
// are refused as guessable.
const (
	minSecretLen = 16
	maxSecretLen = 128
)

var (
	botNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)
	uuidRE    = regexp.MustCompile(`^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$`)
)

func loadRelayConfig(environ []string) relayConfig {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var rc relayConfig
	_ = env.ParseWithOptions(&rc, env.Options{Environment: vars}) // strings only: nothing to fail
	// Surrounding whitespace (a newline from a secret file, padding) is
	// not part of the secret, for the relay and for setup alike; a secret
	// of spaces is then empty and refused.
	rc.blankSecret = rc.Secret != "" && strings.TrimSpace(rc.Secret) == ""
	rc.Secret = strings.TrimSpace(rc.Secret)
	return rc
}

// allowed returns RELAY_ALLOWED_UUIDS as a list.
func (rc relayConfig) allowed() []string {
	return strings.FieldsFunc(rc.AllowedUUIDs, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

func secretProblem(secret string) string {
	switch n := len([]rune(secret)); {
	case n == 0:
		return "RELAY_WEBHOOK_SECRET: not set. The relay never accepts unsigned deliveries, so it does not start without the webhook's secret: generate one (for example `openssl rand -hex 32`), set it here, and give the webhook the same secret (bitreview setup does that)"
	case n < minSecretLen:
		return fmt.Sprintf("RELAY_WEBHOOK_SECRET: must be at least %d characters; generate one with `openssl rand -hex 32`", minSecretLen)
	case n > maxSecretLen:
		return fmt.Sprintf("RELAY_WEBHOOK_SECRET: must be at most %d characters (Bitbucket's limit for webhook secrets)", maxSecretLen)
	}
	return ""
}

func (rc relayConfig) problems() []string {
	var p []string
	if rc.blankSecret {
		p = append(p, "RELAY_WEBHOOK_SECRET: is only whitespace, which is no secret. Generate one with `openssl rand -hex 32` and give the webhook the same one (bitreview setup does that)")
	} else if s := secretProblem(rc.Secret); s != "" {
		p = append(p, s)
	}
	if _, _, err := net.SplitHostPort(rc.Listen); err != nil {
		p = append(p, "RELAY_LISTEN: must be host:port or :port, such as :8080")
	}
	if !botNameRE.MatchString(rc.BotName) {
		p = append(p, "RELAY_BOT_NAME: must be a mention name of letters, digits, '.', '_' or '-', such as bitreview")
	}
	for _, u := range rc.allowed() {
		if !uuidRE.MatchString(u) {
			p = append(p, "RELAY_ALLOWED_UUIDS: every entry must be an account UUID such as {6a1c0c0e-…}; find yours under Personal settings → Account or in GET /2.0/user")
			break
		}
	}
	return p
}

// authProblems checks the Bitbucket credentials and API URL only (the
// relay, setup and doctor need no pull request). scopes names what the
// command needs, for the message.
func authProblems(c Config, scopes string) []string {
	var p []string
	switch {
	case c.AccessToken != "" && (c.APIToken != "" || c.Email != ""):
		p = append(p, "BITBUCKET_ACCESS_TOKEN and BITBUCKET_API_TOKEN/BITBUCKET_EMAIL are both set: use one auth mode, either an access token (Bearer) or an Atlassian API token with its account email")
	case c.AccessToken == "" && c.APIToken == "" && c.Email == "":
		p = append(p, "BITBUCKET_ACCESS_TOKEN: not set. Set it to an access token, or set BITBUCKET_API_TOKEN and BITBUCKET_EMAIL for an Atlassian API token; this command needs "+scopes)
	case c.APIToken != "" && c.Email == "":
		p = append(p, "BITBUCKET_EMAIL: not set. An Atlassian API token is sent as email:token; set the email of the account that owns BITBUCKET_API_TOKEN")
	case c.APIToken == "" && c.Email != "" && c.AccessToken == "":
		p = append(p, "BITBUCKET_API_TOKEN: not set. BITBUCKET_EMAIL is set, so an Atlassian API token is expected (this command needs "+scopes+")")
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		p = append(p, "BITBUCKET_API_URL: must be an absolute http(s) URL without credentials, such as https://api.bitbucket.org/2.0")
	} else if s := c.plainHTTPProblem(); s != "" {
		p = append(p, s)
	}
	return p
}

// apiClient builds the Bitbucket client for the relay, setup and doctor.
func apiClient(c Config, opts ...bbapi.Option) (*bbapi.Client, error) {
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
	fmt.Fprintf(w, "✖ %s\n", (&ConfigError{Problems: problems}).Error())
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
	cfg, cerr := loadConfig(environ)
	rc := loadRelayConfig(environ)
	var problems []string
	if cerr != nil {
		problems = append(problems, cerr.Problems...)
	}
	problems = append(problems, rc.problems()...)
	problems = append(problems, authProblems(cfg, relayScopes)...)
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
		BotName: rc.BotName, BotUUID: me.UUID, BotAccountID: me.AccountID, AllowedUUIDs: rc.allowed(),
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
	log.Info("relay listening", "addr", ln.Addr().String(), "version", version, "auth", cfg.authMode(),
		"bot_name", rc.BotName, "bot_uuid", me.UUID, "allowlist", len(rc.allowed()))

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
