// Package jira is a small client for the Jira Cloud REST API v3: reading
// an issue (summary, status, type, description) and creating one. It
// sends Basic auth (an Atlassian account's email and API token) only to
// the site's own origin and never follows a redirect, so the token goes
// nowhere else; its errors name the call and the status, never the token
// or a response body. The description comes in the Atlassian Document
// Format, which Text turns into plain text.
//
// It is written here rather than taken from a library: the Go module
// proxy this project builds from serves none of the Jira clients (and ADF
// converters) we considered, and two endpoints need only net/http.
//
// The package does no logging and has no package-level mutable state.
package jira
