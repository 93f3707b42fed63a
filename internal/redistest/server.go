package redistest

import (
	"fmt"
	"path/filepath"
	"strconv"
	"sync/atomic"
)

// RedisServerBinary is Debian's redis-server (package redis-server, 7.0.15 on Debian 12).
const RedisServerBinary = "/usr/bin/redis-server"

// ServerOptions configure one redis-server. The zero value is a standalone master on 127.0.0.1.
type ServerOptions struct {
	// Host is a loopback address; "" means 127.0.0.1. Distinct 127.0.0.x hosts let a test give
	// each server its own address, as on separate machines.
	Host string
	// Port is fixed if non-zero; otherwise a free port is chosen.
	Port int
	// ReplicaOf makes the server a replica of that process.
	ReplicaOf *Process
	// ReplicaPriority is written as replica-priority when non-nil (0 means "never promote").
	ReplicaPriority *int
	// RequirePass protects the server; MasterAuth is what it sends to its master.
	RequirePass string
	MasterAuth  string
	// ReplBacklogSize, e.g. "1mb"; "" keeps redis's default.
	ReplBacklogSize string
	// Directives are extra redis.conf lines, written last so that they override the defaults.
	Directives []string
	// Binary overrides RedisServerBinary.
	Binary string
}

// Server is a running redis-server.
type Server struct {
	*Process
}

var serverSeq atomic.Int64

// StartServer starts a redis-server and waits until it answers PING. It does not wait for
// replication: see WaitReplicaOnline and WaitInSync.
func StartServer(t T, opts ServerOptions) *Server {
	t.Helper()
	binary := opts.Binary
	if binary != "" {
		binary = absBinary(t, binary)
	} else {
		binary = RedisServerBinary
		requireBinary(t, binary, "redis-server")
	}
	p := newProcess(t, fmt.Sprintf("redis-%d", serverSeq.Add(1)), opts.Host, opts.Port, opts.RequirePass)
	conf := filepath.Join(p.dir, "redis.conf")
	start(t, p, opts.Port != 0, func(port int) ([]string, error) {
		return []string{binary, conf}, writeFile(conf, serverConf(p, port, opts))
	})
	return &Server{Process: p}
}

func serverConf(p *Process, port int, opts ServerOptions) []string {
	lines := []string{
		"port " + strconv.Itoa(port),
		"bind " + p.host,
		"dir " + quote(p.dir),
		`logfile ""`, // stdout, which the harness sends to the log file
		"daemonize no",
		"protected-mode no",
		// No persistence and immediate diskless sync: tests and the benchmark want fast, clean
		// replication. Directives may override these.
		`save ""`,
		"appendonly no",
		"repl-diskless-sync-delay 0",
		// A replica's connection to its master comes from 127.0.0.1 whatever address it binds;
		// announcing the bound address makes it appear as a pod appears, with its own IP.
		"replica-announce-ip " + p.host,
	}
	if opts.ReplicaOf != nil {
		lines = append(lines, fmt.Sprintf("replicaof %s %d", opts.ReplicaOf.Host(), opts.ReplicaOf.Port()))
	}
	if opts.ReplicaPriority != nil {
		lines = append(lines, "replica-priority "+strconv.Itoa(*opts.ReplicaPriority))
	}
	if opts.RequirePass != "" {
		lines = append(lines, "requirepass "+quote(opts.RequirePass))
	}
	if opts.MasterAuth != "" {
		lines = append(lines, "masterauth "+quote(opts.MasterAuth))
	}
	if opts.ReplBacklogSize != "" {
		lines = append(lines, "repl-backlog-size "+opts.ReplBacklogSize)
	}
	return append(lines, opts.Directives...)
}

// Priority is a helper for ServerOptions.ReplicaPriority.
func Priority(p int) *int { return &p }
