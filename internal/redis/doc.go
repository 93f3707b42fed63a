// Package redis is the operator's thin, time-bounded client for Redis data nodes and sentinels.
//
// Every call opens its own short-lived connection with a deadline taken from the caller's context
// and the client's per-call timeout, and never retries: a hung or unreachable pod costs one
// timeout for the call that targets it and nothing for calls to other pods. Retrying is the
// reconciler's business (it requeues), not this package's.
package redis
