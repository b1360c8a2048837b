package settings

import (
	"strings"
	"testing"

	"github.com/caarlos0/env/v11"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRelayDefaultsMatchProduct(t *testing.T) {
	t.Parallel()
	params, err := env.GetFieldParams(&Relay{})
	require.NoError(t, err)
	defs := map[string]string{}
	for _, p := range params {
		defs[p.Key] = p.DefaultValue
	}
	assert.Equal(t, ":8080", defs["RELAY_LISTEN"])
	assert.Equal(t, "bitreview", defs["RELAY_BOT_NAME"])
	assert.Equal(t, "", defs["RELAY_WEBHOOK_SECRET"])
	assert.Equal(t, []string{"{a}", "{b}", "{c}"}, Relay{AllowedUUIDs: " {a}, {b}\n{c} "}.Allowed())
}

const goodSecret = "0123456789abcdef0123"

func TestRelayProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		want []string // prefixes, in order
	}{
		{"good", []string{"RELAY_WEBHOOK_SECRET=" + goodSecret, "RELAY_ALLOWED_UUIDS={6a1c0000-aaaa-4bbb-8ccc-000000000001}"}, nil},
		{"secret file's newline", []string{"RELAY_WEBHOOK_SECRET=" + goodSecret + "\n"}, nil},
		{"no secret", nil, []string{"RELAY_WEBHOOK_SECRET: not set. The relay never accepts unsigned deliveries"}},
		{"blank secret", []string{"RELAY_WEBHOOK_SECRET=" + strings.Repeat(" ", 20) + "\t\n"}, []string{"RELAY_WEBHOOK_SECRET: is only whitespace"}},
		{"short once trimmed", []string{"RELAY_WEBHOOK_SECRET= nine-char" + strings.Repeat(" ", 12)}, []string{"RELAY_WEBHOOK_SECRET: must be at least 16 characters"}},
		{"long", []string{"RELAY_WEBHOOK_SECRET=" + strings.Repeat("x", 129)}, []string{"RELAY_WEBHOOK_SECRET: must be at most 128 characters"}},
		{"everything wrong", []string{"RELAY_WEBHOOK_SECRET=short", "RELAY_LISTEN=nonsense", "RELAY_BOT_NAME=@bad name", "RELAY_ALLOWED_UUIDS={not-a-uuid}, {x}"},
			[]string{"RELAY_WEBHOOK_SECRET: must be at least 16", "RELAY_LISTEN: must be host:port", "RELAY_BOT_NAME: must be a mention name", "RELAY_ALLOWED_UUIDS: every entry must be an account UUID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := LoadRelay(tc.env).Problems()
			require.Len(t, got, len(tc.want), "%q", got)
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(got[i], w), "%q does not start with %q", got[i], w)
				assert.NotContains(t, got[i], "short", "values are never echoed")
			}
		})
	}
}

func TestLoadRelayTrimsTheSecret(t *testing.T) {
	t.Parallel()
	r := LoadRelay([]string{"RELAY_WEBHOOK_SECRET=  " + goodSecret + "\n", "RELAY_BOT_NAME=bot"})
	assert.Equal(t, goodSecret, r.Secret)
	assert.Equal(t, "bot", r.BotName)
	assert.Equal(t, ":8080", r.Listen)
	assert.Empty(t, SecretProblem(r.Secret))
}
