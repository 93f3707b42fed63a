// Package server is the sentinel's network front: it accepts client connections, speaks
// RESP2/RESP3, handles connection-level commands (AUTH, HELLO, CLIENT, PING, INFO, ROLE, COMMAND,
// SHUTDOWN, pub/sub) and hands every SENTINEL subcommand to the Backend, the failover engine.
package server

import "github.com/failover-dev/redis-failover-operator/internal/resp"

// Backend is the failover engine as the network front sees it. The engine (internal/sentinel)
// implements it; the server never reaches into engine state any other way.
type Backend interface {
	// RunID is the sentinel's 40-hex-char myid (INFO run_id, hello payloads).
	RunID() string
	// Sentinel answers one SENTINEL command. args[0] is the subcommand as sent (any case);
	// the reply is written in the connection's protocol by the server. Arity and unknown
	// subcommand errors are the backend's to return, with redis-sentinel 7.0.15's texts.
	Sentinel(client ClientInfo, args []string) resp.Value
	// InfoSentinel returns the body lines of INFO's "# Sentinel" section (without the header).
	InfoSentinel() []string
	// MasterNames lists the monitored masters' names, for ROLE.
	MasterNames() []string
	// Hello delivers a `PUBLISH __sentinel__:hello <payload>` sent straight to this sentinel.
	Hello(payload string)
	// Shutdown persists state before SHUTDOWN exits the process.
	Shutdown() error
}

// ClientInfo identifies the connection a command came from (for logs and CLIENT-style checks).
type ClientInfo struct {
	ID   int64
	Addr string
	Name string
}

// Publisher is what the server offers the engine: every event (`+switch-master`, `+sdown`, ...)
// goes to the subscribers of the channel of the same name and of matching patterns.
type Publisher interface {
	Publish(channel, message string)
}
