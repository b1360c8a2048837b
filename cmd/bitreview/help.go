package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bitreview/bitreview/admin"
	"github.com/bitreview/bitreview/settings"
)

// cmdHelp is one command's entry in `bitreview help` and its own help
// (`bitreview CMD --help`, `bitreview help CMD`).
type cmdHelp struct {
	name    string // "review", "config validate"
	args    string // after the name in the usage line
	summary string // one line in `bitreview help`
	about   string // what it does, exit codes
	flags   func() *flag.FlagSet
}

// commandTable lists every command and subcommand; run dispatches the same
// names, and TestEveryCommandAnswersHelp holds the two together.
func commandTable() []cmdHelp {
	return []cmdHelp{
		{name: "pipe", summary: "review the pipeline's pull request and post comments",
			about: "Reviews the pull request of a Bitbucket Pipelines run and posts inline comments, one summary and a\n" +
				"Code Insights report. With GITHUB_ACTIONS=true or PLATFORM=github it runs as `bitreview action`.\n" +
				"Exit codes: 0 ok, 1 a finding at or above FAIL_ON, 2 bad configuration, 3 Bitbucket or the LLM\n" +
				"unreachable (only with FAIL_ON_ERROR=true)."},
		{name: "action", summary: "the GitHub Action: review the event's pull request",
			about: "Reviews the pull request of a pull_request event, or answers an @bitreview comment (docs/github-action.md).\n" +
				"Every variable below can also come as an action input (INPUT_<NAME>). Exit codes as for pipe."},
		{name: "review", args: "[--base REF] [--format FORMAT] [DIR]", summary: "review a local checkout's changes, print the review",
			about: "Reviews DIR's changes (default .) against the merge base with the remote's default branch and prints\n" +
				"the review; nothing is posted. Without an LLM configured it tries a local Ollama, else prints the\n" +
				"walkthrough and built-in checks. Flags may come before or after DIR.\n" +
				"Exit codes: 0 ok, 1 a finding at or above FAIL_ON, 2 bad usage or configuration, 3 the LLM failed.",
			flags: func() *flag.FlagSet { var b, f string; return reviewFlagSet(&b, &f) }},
		{name: "relay", summary: "serve webhooks, start the pipeline for @bitreview comments",
			about: "Verifies each webhook's signature and starts the repository's custom pipeline `bitreview` for\n" +
				"@bitreview comments and fork pull requests. Needs " + relayScopes + ".\n" +
				"Exit codes: 0 after a clean shutdown, 2 bad configuration, 3 Bitbucket unreachable at startup."},
		{name: "setup", args: "--url URL [--repos A,B | --all] [--workspace WS] [--replace-url OLD] [--update-secret] [--dry-run]",
			summary: "install or repair the relay's webhook on repositories",
			about: "Installs or repairs the relay's webhook (events " + strings.Join(admin.HookEvents(), ", ") + ",\n" +
				"secret RELAY_WEBHOOK_SECRET) on each repository, never creating a second one, and prints the\n" +
				"bitbucket-pipelines.yml steps a repository still lacks.\nNeeds " + setupScopes + ".\n" +
				"Exit codes: 0 all set up (or planned), 1 a repository failed, 2 bad configuration.",
			flags: func() *flag.FlagSet { return setupFlagSet(&admin.SetupFlags{}) }},
		{name: "doctor", args: "[--workspace WS] [--repo SLUG] [--url URL] [--pr N] [--for pipe,relay,setup] [--format text|json] [--no-write-probes]",
			summary: "check credentials, scopes, webhook, pipelines, the LLM",
			about: "Checks the credentials, each scope the chosen commands need, workspace membership, the relay's webhook,\n" +
				"Pipelines and bitbucket-pipelines.yml, and the LLM; prints ✔/✖ with the fix for each.\n" +
				"Write scopes cannot be read back, so doctor probes them with a write to an object that cannot exist\n" +
				"(comment 0, webhook and pipeline {00000000-…}): Bitbucket checks scopes first, so 403 names a missing scope\n" +
				"and 404 shows it is granted; nothing is created or changed. --no-write-probes skips them.\n" +
				"Exit codes: 0 all good (warnings allowed), 1 something is broken, 2 bad configuration.",
			flags: func() *flag.FlagSet { return doctorFlagSet(&doctorFlags{}) }},
		{name: "config", args: "validate|schema", summary: "the repository config's subcommands (below)",
			about: "Subcommands: `bitreview config validate [FILE...]` and `bitreview config schema`."},
		{name: "config validate", args: "[FILE...]", summary: "check repository config files",
			about: "Checks each FILE (default .bitreview.yaml) as bitreview reads it, for editors and pre-commit hooks.\n" +
				"Exit codes: 0 every file is usable, 2 a file has errors (unknown keys included) or cannot be read."},
		{name: "config schema", summary: "print the repository config's JSON Schema",
			about: "Prints the JSON Schema of .bitreview.yaml, for editors (yaml-language-server)."},
		{name: "version", summary: "print version, commit and build date",
			about: "Prints the version, the commit and the build date (from the release build, else from what Go embeds)."},
		{name: "help", args: "[COMMAND]", summary: "this help, or a command's flags and variables",
			about: "`bitreview help COMMAND` is `bitreview COMMAND --help`."},
	}
}

// lookupCommand finds a command of the table by its words.
func lookupCommand(words ...string) (cmdHelp, bool) {
	name := strings.Join(words, " ")
	i := slices.IndexFunc(commandTable(), func(c cmdHelp) bool { return c.name == name })
	if i < 0 {
		return cmdHelp{}, false
	}
	return commandTable()[i], true
}

// helpAsked reports whether args ask for help (-h, -help, --help before a
// "--").
func helpAsked(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// helpTarget is the command whose help args[0] (with its subcommand)
// names: "config validate" for `config validate --help`.
func helpTarget(args []string) []string {
	if len(args) > 1 && args[0] == "config" {
		if _, ok := lookupCommand("config", args[1]); ok {
			return args[:2]
		}
	}
	return args[:1]
}

// printUsage writes `bitreview help`: every command, then how to get more.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "bitreview — AI code review for Bitbucket Cloud pull requests\n\nUsage: bitreview COMMAND [flags]\n\nCommands:\n")
	for _, c := range commandTable() {
		left := strings.TrimSpace("bitreview " + c.name + " " + shortArgs(c.args))
		fmt.Fprintf(w, "  %-37s %s\n", left, c.summary)
	}
	fmt.Fprint(w, "\nRun `bitreview COMMAND --help` (or `bitreview help COMMAND`) for its flags and the variables it reads.\n"+
		"Configuration comes from environment variables (pipe variables arrive as environment variables);\n"+
		"README.md, section Variables, explains each.\n\n"+
		"Exit codes: 0 ok, 1 findings at/above FAIL_ON (setup, doctor: something failed), 2 bad configuration\n"+
		"or usage, 3 Bitbucket or the LLM unreachable.\n")
}

// shortArgs keeps a long flag list out of the command overview.
func shortArgs(args string) string {
	if len(args) > 24 {
		return "[flags]"
	}
	return args
}

// printCommandHelp writes one command's usage, flags and variables.
func printCommandHelp(w io.Writer, c cmdHelp) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", strings.TrimSpace("bitreview "+c.name+" "+c.args), c.about)
	if c.flags != nil {
		fmt.Fprint(w, "\nFlags:\n")
		c.flags().VisitAll(func(f *flag.Flag) {
			typ, usage := flag.UnquoteUsage(f)
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				def = " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(w, "  %s\n      %s%s\n", strings.TrimSpace("--"+f.Name+" "+typ), usage, def)
		})
	}
	vars := settings.CommandVars(c.name)
	if vars == nil {
		return
	}
	fmt.Fprint(w, "\nVariables:\n")
	for _, v := range vars {
		if v.Default != "" {
			fmt.Fprintf(w, "  %-32s default %s\n", v.Key, v.Default)
		} else {
			fmt.Fprintf(w, "  %s\n", v.Key)
		}
	}
}

// runHelp is `bitreview help [COMMAND]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stdout)
		return exitOK
	}
	c, ok := lookupCommand(helpTarget(args)...)
	if !ok {
		fmt.Fprintf(stderr, "bitreview help: unknown command %q\n\n", strings.Join(args, " "))
		printUsage(stderr)
		return exitConfig
	}
	printCommandHelp(stdout, c)
	return exitOK
}
