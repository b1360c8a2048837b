// Package bbtest runs a stateful fake of the Bitbucket Cloud REST API 2.0
// on net/http/httptest, for every test of the project: unit, integration,
// end-to-end, benchmarks and the fault matrix.
//
//	s := bbtest.New(t)                       // closed at cleanup
//	bot := s.AddUser(bbtest.NewUser("bot"))  // all scopes; Bearer or Basic
//	s.AddPullRequest("acme", "widgets", bbtest.PullRequest{ID: 1}, diff)
//	client := bbapi.New(s.URL, ...)          // s.URL ends in /2.0
//	...
//	comments := s.Comments("acme", "widgets", 1)
//	n := s.Count("POST", "/pullrequests/1/comments")
//
// # What it checks
//
// Every request is matched against the official OpenAPI document
// (WithSpec, else $BITREVIEW_OPENAPI, else shared/bitbucket/openapi.json
// above the working directory, i.e. <moduleroot>/../shared/..., else the
// subset of it embedded from testdata/openapi-subset.json), patched for its
// known quirks (see patchSpec), and validated: route, method, path and
// query parameters, JSON body schema. The subset holds only the operations
// the fake serves (Operations) and the schemas they reference, without
// descriptions or examples; it validates requests as the full document does,
// so tests validate on a clone with nothing beside it. `go generate
// ./bbapi/bbtest` regenerates it (internal/specgen) from the full document
// and records that document's SHA-256 in testdata/openapi-subset.sha256. On top of the document the fake
// enforces the live API's stricter rules: no null values, no "type" field in
// comment, report and annotation bodies, content.raw ≤ 32,768 characters,
// annotations in batches of 1–100 with a non-empty summary and a unique
// external_id, ≤ 1,000 per report, pagelen ≤ 100. A request that breaks any
// of these is a Violation: answered 400 (404 for an unknown route, 501 for
// a documented route the fake lacks) and, under New, reported through
// t.Errorf at cleanup unless AllowViolations is set. When WithSpec or
// $BITREVIEW_OPENAPI names a file that does not exist, the server says so
// once ("official spec not found at …; request validation SKIPPED") and
// still applies its own rules.
//
// Inline comments are checked against the pull request's current diff (see
// checkAnchor); a bad anchor is a legitimate 400 that the client must
// handle, listed by RejectedAnchors and not a violation.
//
// # Auth
//
// Users authenticate with "Bearer <AccessToken>" or "Basic
// base64(Email:APIToken)"; anything else is 401 with Bitbucket's JSON body.
// Each operation needs the scopes of its x-atlassian-oauth2-scopes, plus
// write:pullrequest for comment writes (the document lists only read); a
// user lacking one gets Bitbucket's 403 with detail.required and
// detail.granted.
//
// # Faults
//
// Fault makes matching requests answer a status (429 with Bitbucket's body
// and no Retry-After, 5xx, 555), wait, trickle the body one byte at a time,
// reset the connection, or perform the operation and then hang so the
// client times out. A fault can match only writes and only every Nth
// matching request (429 on every 3rd write). WithRateLimit answers 429
// after n requests.
//
// # Outside tests
//
// NewServer and Close need no testing.T; with WithAddr the fake can run as
// a standalone process (links and redirects use the Host the client used).
package bbtest
