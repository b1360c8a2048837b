// Package contract is the contract suite of bitreview's code hosts: one
// table of scenarios (first review, re-run, new commit, force-push,
// pause/resume, help, a question with a secret in its thread, a replayed
// question, a foreign comment carrying bitreview's markers, rate limits,
// FAIL_ON, a failing model) run through workflow.Run and workflow.Answer
// against each host's fake (bbapi/bbtest for Bitbucket, ghtest for
// GitHub) with the real adapters and the real LLM client over a stub
// server, and observed through one host-neutral view. Each scenario must
// hold the same guarantees on every host.
//
// The package has tests only; this file exists so that it builds.
package contract
