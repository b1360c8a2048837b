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
// summary, pause, resume and help; a bare mention is help, "ignore" (which
// belongs in a description) is answered with the help too, and any other
// text makes the command ask. BITREVIEW_COMMAND therefore only ever holds
// one of those seven values (Commands), and the comment's own text never
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
// # Stateless, so duplicates are possible and harmless
//
// The relay keeps no state outside the process, so it can run as several
// replicas behind a load balancer. Redeliveries are dropped by a
// per-process LRU keyed by X-Request-UUID and by the event itself (the
// comment's id and updated_on, or the pull request's id and source commit);
// a trigger that fails for good is forgotten again, so a manual redelivery
// can retry it. Across replicas, or after a restart, the same delivery can
// start the pipeline twice. That is harmless by design: the pipe is
// idempotent (its summary is found by marker and edited in place, inline
// comments carry fingerprints, and answering the same comment twice is a
// no-op), so a duplicate run costs build minutes, not duplicate comments.
// The same reasoning covers the retries of POST /pipelines/ after a timeout.
//
// # Answering fast
//
// Bitbucket gives a delivery 10 seconds and retries 5xx twice. The handler
// verifies, routes and enqueues in microseconds and answers 202; a bounded
// pool of workers starts the pipelines with their own per-attempt timeout,
// overall deadline and retries (429, 5xx and transport errors). When the
// queue is full the delivery is answered 503 so that Bitbucket retries it.
// Shutdown stops accepting deliveries and drains the queue until its
// context ends.
//
// # Logs
//
// One structured line per delivery (event, X-Request-UUID, attempt,
// outcome, reason) and per trigger (repository, pull request, comment id,
// command, build number or error). Bodies, comment text, headers other than
// those named and the secret are never logged.
package relay
