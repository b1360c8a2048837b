package settings

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/caarlos0/env/v11"
)

// Relay is the relay's own variables. They belong to the server `bitreview
// relay` (and RELAY_WEBHOOK_SECRET to `bitreview setup`), not to the pipe,
// so they are not in Settings, pipe.yml or the pipe's Variables table; the
// relay reads Settings for the Bitbucket credentials.
type Relay struct {
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

// LoadRelay reads the relay's variables from environ. Surrounding
// whitespace (a newline from a secret file, padding) is not part of the
// secret, for the relay and for setup alike; a secret of spaces is then
// empty, and Problems says so.
func LoadRelay(environ []string) Relay {
	var r Relay
	_ = env.ParseWithOptions(&r, env.Options{Environment: varsOf(environ)}) // strings only: nothing to fail
	r.blankSecret = r.Secret != "" && strings.TrimSpace(r.Secret) == ""
	r.Secret = strings.TrimSpace(r.Secret)
	return r
}

// Allowed returns RELAY_ALLOWED_UUIDS as a list.
func (r Relay) Allowed() []string {
	return strings.FieldsFunc(r.AllowedUUIDs, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\t' })
}

// SecretProblem says what is wrong with a webhook secret (already
// trimmed), or "".
func SecretProblem(secret string) string {
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

// Problems lists what keeps the relay from starting, one per variable,
// naming never a value.
func (r Relay) Problems() []string {
	var p []string
	if r.blankSecret {
		p = append(p, "RELAY_WEBHOOK_SECRET: is only whitespace, which is no secret. Generate one with `openssl rand -hex 32` and give the webhook the same one (bitreview setup does that)")
	} else if s := SecretProblem(r.Secret); s != "" {
		p = append(p, s)
	}
	if _, _, err := net.SplitHostPort(r.Listen); err != nil {
		p = append(p, "RELAY_LISTEN: must be host:port or :port, such as :8080")
	}
	if !botNameRE.MatchString(r.BotName) {
		p = append(p, "RELAY_BOT_NAME: must be a mention name of letters, digits, '.', '_' or '-', such as bitreview")
	}
	for _, u := range r.Allowed() {
		if !uuidRE.MatchString(u) {
			p = append(p, "RELAY_ALLOWED_UUIDS: every entry must be an account UUID such as {6a1c0c0e-…}; find yours under Personal settings → Account or in GET /2.0/user")
			break
		}
	}
	return p
}
