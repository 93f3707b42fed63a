package server

import "sync/atomic"

// stats are the server-wide counters INFO reports; all are cumulative since start.
type stats struct {
	connectionsReceived atomic.Int64
	rejectedConnections atomic.Int64
	commandsProcessed   atomic.Int64
	errorReplies        atomic.Int64
	netInputBytes       atomic.Int64
	netOutputBytes      atomic.Int64
	readsProcessed      atomic.Int64
	writesProcessed     atomic.Int64
}
