package redistest

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// RedisSentinelBinary is Debian's redis-sentinel (package redis-sentinel, 7.0.15 on Debian 12).
const RedisSentinelBinary = "/usr/bin/redis-sentinel"

// Monitor is one `sentinel monitor` line plus the per-master settings tests usually change.
type Monitor struct {
	Name   string
	Master *Process
	Quorum int
	// DownAfter and FailoverTimeout are written when non-zero; zero keeps the defaults
	// (30 s and 180 s).
	DownAfter       time.Duration
	FailoverTimeout time.Duration
	// AuthPass is the password the sentinel uses towards the master and its replicas.
	AuthPass string
}

// SentinelOptions configure one sentinel process.
type SentinelOptions struct {
	// Binary is the sentinel executable, called as `Binary <sentinel.conf> Args...`.
	// "" means Debian's redis-sentinel.
	Binary string
	Args   []string
	// Host is a loopback address; "" means 127.0.0.1. Port is fixed if non-zero.
	Host string
	Port int
	// Monitors are written as `sentinel monitor` lines with their settings.
	Monitors []Monitor
	// RequirePass protects the sentinel itself (clients and other sentinels must AUTH).
	RequirePass string
	// Directives are extra sentinel.conf lines, written after the generated ones.
	Directives []string
}

// Sentinel is a running sentinel process, stock or ours.
type Sentinel struct {
	*Process
}

var sentinelSeq atomic.Int64

// StartRedisSentinel starts Debian's redis-sentinel, the reference implementation.
func StartRedisSentinel(t T, opts SentinelOptions) *Sentinel {
	t.Helper()
	opts.Binary = ""
	return StartSentinel(t, opts)
}

// StartSentinel starts a sentinel binary (Debian's when opts.Binary is "") with a generated
// sentinel.conf in its own directory and waits until it answers PING.
func StartSentinel(t T, opts SentinelOptions) *Sentinel {
	t.Helper()
	binary := opts.Binary
	if binary != "" {
		binary = absBinary(t, binary)
	} else {
		binary = RedisSentinelBinary
		requireBinary(t, binary, "redis-sentinel")
	}
	p := newProcess(t, fmt.Sprintf("sentinel-%d", sentinelSeq.Add(1)), opts.Host, opts.Port, opts.RequirePass)
	conf := filepath.Join(p.dir, "sentinel.conf")
	start(t, p, opts.Port != 0, func(port int) ([]string, error) {
		argv := append([]string{binary, conf}, opts.Args...)
		return argv, writeFile(conf, sentinelConf(p, port, opts))
	})
	return &Sentinel{Process: p}
}

// ConfPath is the sentinel's config file, which the sentinel rewrites as it learns state.
func (s *Sentinel) ConfPath() string { return filepath.Join(s.dir, "sentinel.conf") }

func sentinelConf(p *Process, port int, opts SentinelOptions) []string {
	lines := []string{
		"port " + strconv.Itoa(port),
		"bind " + p.host,
		"dir " + quote(p.dir),
		`logfile ""`,
		"daemonize no",
		"protected-mode no",
	}
	if opts.RequirePass != "" {
		lines = append(lines, "requirepass "+quote(opts.RequirePass))
	}
	for _, m := range opts.Monitors {
		lines = append(lines, fmt.Sprintf("sentinel monitor %s %s %d %d", m.Name, m.Master.Host(), m.Master.Port(), m.Quorum))
		if m.DownAfter > 0 {
			lines = append(lines, fmt.Sprintf("sentinel down-after-milliseconds %s %d", m.Name, m.DownAfter.Milliseconds()))
		}
		if m.FailoverTimeout > 0 {
			lines = append(lines, fmt.Sprintf("sentinel failover-timeout %s %d", m.Name, m.FailoverTimeout.Milliseconds()))
		}
		if m.AuthPass != "" {
			lines = append(lines, fmt.Sprintf("sentinel auth-pass %s %s", m.Name, quote(m.AuthPass)))
		}
	}
	return append(lines, opts.Directives...)
}

// SentinelClient returns a go-redis sentinel client, closed at cleanup.
func (s *Sentinel) SentinelClient() *redis.SentinelClient {
	c := redis.NewSentinelClient(s.clientOptions())
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// MasterAddr asks the sentinel for the current master of name (get-master-addr-by-name).
func (s *Sentinel) MasterAddr(ctx context.Context, c *redis.SentinelClient, name string) (string, error) {
	hp, err := c.GetMasterAddrByName(ctx, name).Result()
	if err != nil {
		return "", fmt.Errorf("%s: sentinel get-master-addr-by-name %s: %w", s.name, name, err)
	}
	return net.JoinHostPort(hp[0], hp[1]), nil
}

// WaitSentinelReady waits until every sentinel sees master as name's master, with `replicas`
// replicas whose link is ok and `others` other sentinels: the state a failover test starts from.
func WaitSentinelReady(t T, timeout time.Duration, name string, master *Process, replicas, others int, sentinels ...*Sentinel) {
	t.Helper()
	for _, s := range sentinels {
		c := s.SentinelClient()
		poll.Eventually(t, timeout, fmt.Sprintf("%s to see master %s at %s with %d ok replicas and %d other sentinels",
			s.name, name, master.Addr(), replicas, others), func(ctx context.Context) error {
			return s.checkReady(ctx, c, name, master, replicas, others)
		})
	}
}

// CheckReady is one look, through c (a client of s), at what WaitSentinelReady waits for: s
// names master as name's master and sees replicas ok replicas and others other sentinels.
func (s *Sentinel) CheckReady(ctx context.Context, c *redis.SentinelClient, name string, master *Process, replicas, others int) error {
	return s.checkReady(ctx, c, name, master, replicas, others)
}

func (s *Sentinel) checkReady(ctx context.Context, c *redis.SentinelClient, name string, master *Process, replicas, others int) error {
	addr, err := s.MasterAddr(ctx, c, name)
	if err != nil {
		return err
	}
	if addr != master.Addr() {
		return fmt.Errorf("master is %s", addr)
	}
	m, err := c.Master(ctx, name).Result()
	if err != nil {
		return fmt.Errorf("sentinel master %s: %w", name, err)
	}
	if m["num-other-sentinels"] != strconv.Itoa(others) {
		return fmt.Errorf("num-other-sentinels is %s", m["num-other-sentinels"])
	}
	reps, err := c.Replicas(ctx, name).Result()
	if err != nil {
		return fmt.Errorf("sentinel replicas %s: %w", name, err)
	}
	ok := 0
	for _, r := range reps {
		if r["master-link-status"] == "ok" && !hasAnyFlag(r["flags"], "s_down", "o_down", "disconnected") {
			ok++
		}
	}
	if ok != replicas {
		return fmt.Errorf("%d of %d replicas are ok", ok, len(reps))
	}
	return nil
}

func hasAnyFlag(flags string, want ...string) bool {
	for _, f := range strings.Split(flags, ",") {
		for _, w := range want {
			if f == w {
				return true
			}
		}
	}
	return false
}
