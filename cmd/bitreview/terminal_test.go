package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitreview/bitreview/bbapi/bbtest"
	"github.com/bitreview/bitreview/internal/termsafe/termsafetest"
)

// terminalBomb retitles the terminal, clears it and breaks the line.
const terminalBomb = "\x1b]0;pwned\x07\x1b[2J\u009b\u202e\r"

// Requirement 31: doctor prints values from the network (the account's
// display name, webhook URLs, error bodies); none can drive the terminal.
func TestDoctorOutputIsTerminalSafe(t *testing.T) {
	f := newDoctorFixture(t)
	u := f.bot
	u.DisplayName = "bitreview" + terminalBomb + "bot"
	f.bot = f.bb.AddUser(u)
	f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: "https://other.example.com/" + terminalBomb, Description: hookDescription, Active: true, Events: hookEvents})
	out, _ := f.doctor(t, "--url", relayURL, "--for", "pipe,setup")
	termsafetest.AssertSafe(t, "doctor text", out)
	assert.Contains(t, out, "bitreview]0;pwned[2Jbot", "the name is printed, defused")

	out, _ = f.doctor(t, "--url", relayURL, "--for", "pipe,setup", "--format", "json")
	termsafetest.AssertSafe(t, "doctor json", out)
	var rep doctorReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Contains(t, out, `bitreview\u001b]0;pwned`, "JSON keeps the value, escaped")
}

// setup prints webhook URLs and repository names read from Bitbucket.
func TestSetupOutputIsTerminalSafe(t *testing.T) {
	f := newSetupFixture(t)
	f.bb.AddWebhook(ws, slug, bbtest.Webhook{URL: "https://other.example.com/" + terminalBomb, Description: hookDescription, Active: true, Events: hookEvents})
	out, code := f.setup(t, "--url", relayURL)
	require.Equal(t, exitOK, code, out)
	termsafetest.AssertSafe(t, "setup", out)
	assert.Contains(t, out, "points to https://other.example.com/]0;pwned[2J")
}

// config validate prints the file's name and its keys.
func TestConfigValidateOutputIsTerminalSafe(t *testing.T) {
	name := filepath.Join(t.TempDir(), "cfg"+terminalBomb+".yaml")
	require.NoError(t, os.WriteFile(name, []byte(`profile: chill`+"\n"+`"k\e]0;pwned\a\e[2J\u009b\u202e\r": 1`+"\n"), 0o644))
	var out, errOut bytes.Buffer
	assert.Equal(t, exitConfig, run(t.Context(), []string{"config", "validate", name}, nil, &out, &errOut), "an unknown key fails validate")
	termsafetest.AssertSafe(t, "config stdout", out.String())
	termsafetest.AssertSafe(t, "config stderr", errOut.String())
	assert.Contains(t, errOut.String(), "unknown key")
}
