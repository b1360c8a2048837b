// Package relay receives Bitbucket Cloud webhook deliveries and starts the
// custom pipeline `bitreview` for them. Pipelines cannot be triggered by a
// pull-request comment, so this small HTTP server is the one piece of
// bitreview that is not a pipe (run by `bitreview relay`).
//
// # What it accepts
//
// Every delivery must carry `X-Hub-Signature: sha256=<hex>`, the
// HMAC-SHA256 of the raw body under the webhook's secret. The header is
// checked before the body is read, the digest is compared with hmac.Equal,
// and a delivery without a valid signature is answered 401 and never
// parsed. There is no way to run the relay without a secret: New refuses
// an empty one. Bodies are capped (MaxBodyBytes, 512 KiB by default, twice
// Bitbucket's 256 KB payload cap) and larger ones get 413.
//
// A verified delivery is routed on its signed body, never on the unsigned
// X-Event-Key (which only names it in the log), so one body replayed
// under another key is still the same event:
//
//   - a body with a comment (pullrequest:comment_created) that mentions
//     the bot starts the pipeline with BITREVIEW_PR_ID,
//     BITREVIEW_COMMENT_ID and BITREVIEW_COMMAND;
//   - a body with only a pull request (pullrequest:created or
//     pullrequest:updated) from a fork (which never runs pull-request
//     pipelines) starts a review;
//   - everything else (approvals, change requests, pushes…) is answered
//     202 and ignored.
//
// The pipeline always runs on the pull request's destination repository and
// branch, whose bitbucket-pipelines.yml and pipe version are trusted; the
// source branch or fork is never a target.
//
// # Mentions and commands
//
// Comments are read with the shared parser, package command, which the
// pipe and the GitHub action use too. Bitbucket's content.raw has carried
// mentions both as a literal "@name" and as "@{account-id}"
// (bitbucket-cloud.md §15 q14 is open), so both are recognised: "@"
// followed by Options.BotName at a word boundary ("@bitreview",
// case-insensitive), or the bot account's "@{<account id>}" or
// "@{<uuid>}" (learnt from GET /user at startup, never from the payload).
// The comment is parsed as CommonMark and a mention counts only in text
// nodes: not in code spans, indented or fenced code, HTML blocks (<pre>,
// <!-- -->), inline HTML or block quotes (also one inside a list item), so
// quoting or showing an earlier command does not repeat it. The words
// after the mention on its line are matched, ignoring case, spacing and
// surrounding punctuation, against the fixed commands review, full review,
// summary, pause, resume, help and create issue; a bare mention is help, "ignore" (which
// belongs in a description) is answered with the help too, and any other
// text makes the command ask. BITREVIEW_COMMAND therefore only ever holds
// one of those eight values (Commands), and the comment's own text never
// becomes a pipeline variable: the pipe reads the comment through the API
// by BITREVIEW_COMMENT_ID.
//
// # What it ignores (no loops, fail closed)
//
// A delivery starts nothing when its actor is missing, is not of type
// "user", or is the bot account; when the comment's author is the bot or
// not a user; when the comment carries a bitreview marker ("[//]: #
// (bitreview:"); when it is deleted; when the pull request is not OPEN;
// when the destination is not the repository the webhook belongs to; or
// when a field needed to decide is absent.
//
// # Who may trigger
//
// Bitbucket offers no light way to ask whether a commenter can write to the
// repository (the permission endpoints need repository admin, §15 q9). The
// documented mechanism is therefore an allowlist of account UUIDs
// (Options.AllowedUUIDs, RELAY_ALLOWED_UUIDS): when it is set, only those
// accounts can start a pipeline, by comment or by opening or updating a
// fork pull request. When it is empty anyone who can comment on the
// repository can, which on a private repository means workspace members
// and invited users. Either way a trigger can only choose among the fixed
// commands on the destination branch's trusted pipeline.
//
// # Acknowledged means started
//
// Bitbucket gives a delivery 10 seconds, retries a 5xx (up to twice) and
// never redelivers a 2xx. So a delivery is answered 202 only once its
// pipeline has started (POST /pipelines/ answered 201), within
// Options.TriggerTimeout (8 s by default) and with retries inside it (429,
// 5xx and transport errors, short backoff). When the start fails or runs
// out of time the answer is 503 and Bitbucket redelivers. Nothing that was
// acknowledged waits in memory: on SIGTERM the HTTP server stops listening
// and lets the requests in flight finish (http.Server.Shutdown), and
// Shutdown refuses new deliveries with 503. MaxInFlight bounds the starts
// running at once; a delivery beyond it is answered 503 at once.
//
// # Duplicates
//
// The relay keeps no state outside the process, so it can run as several
// replicas behind a load balancer. Within a process, redeliveries are
// matched by X-Request-UUID and by the event itself (the comment's id and
// updated_on, or the pull request's id and source commit): a redelivery of
// a started event is answered 202 without a second start; one that arrives
// while the first delivery is still starting waits for it and answers as
// it ends; a failed start is forgotten, so the next redelivery starts it.
// Across replicas, after a restart, or when POST /pipelines/ timed out
// after Bitbucket had already started the pipeline, the same event can
// start the pipeline twice. That is harmless by design: the pipe acts on a
// comment at most once (a command's comment id is recorded in the
// summary's hidden state, a reply carries the id it answers), and a review
// of a commit already reviewed is a no-op, so a duplicate run costs build
// minutes, not duplicate comments or model calls.
//
// # Logs
//
// One structured line per delivery (X-Event-Key, X-Request-UUID, attempt,
// outcome, reason) and per start (repository, pull request, comment id,
// command, build number or error). Bodies, comment text, headers other than
// those named and the secret are never logged.
package relay
