package sentinel_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// The integration tests run the real sentinel binary (built with -race, so the runtime's
// goroutines are race-checked too) against real redis-server processes on 127.0.0.1.

const masterName = "mymaster"

var sentinelBinary string

func TestMain(m *testing.M) {
	code, err := buildAndRun(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func buildAndRun(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "sentinel-bin-")
	if err != nil {
		return 0, fmt.Errorf("creating a directory for the sentinel binary: %w", err)
	}
	defer os.RemoveAll(dir)
	sentinelBinary = filepath.Join(dir, "redis-failover-sentinel")
	args := []string{"build", "-race", "-o", sentinelBinary}
	// Benchmarks measure the binary as shipped: no race detector slowing it down.
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		args = []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", sentinelBinary}
	}
	build := exec.Command("go", append(args, "github.com/failover-dev/redis-failover-operator/cmd/redis-failover-sentinel")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if args[1] == "-race" {
		build.Env = append(os.Environ(), "CGO_ENABLED=1") // the race detector needs cgo; make test builds static otherwise
	}
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("building the sentinel binary: %w", err)
	}
	return m.Run(), nil
}

type clusterOptions struct {
	replicaPriorities []int // one replica per entry
	sentinels         int
	quorum            int
	downAfter         time.Duration
	failoverTimeout   time.Duration
	// downAfterOf and quorumOf override downAfter and quorum per sentinel (by index).
	downAfterOf map[int]time.Duration
	quorumOf    map[int]int
	// stock lists the sentinels (by index) that run Debian's redis-sentinel instead of ours.
	stock       map[int]bool
	replBacklog string
	// directives are extra sentinel.conf lines for every sentinel.
	directives []string
}

type cluster struct {
	t         testing.TB
	master    *redistest.Server
	replicas  []*redistest.Server
	sentinels []*redistest.Sentinel
	opts      clusterOptions
}

func (c *cluster) nodes() []*redistest.Server {
	return append([]*redistest.Server{c.master}, c.replicas...)
}

func startCluster(t testing.TB, opts clusterOptions) *cluster {
	t.Helper()
	if opts.failoverTimeout == 0 {
		opts.failoverTimeout = 10 * time.Second
	}
	c := &cluster{t: t, opts: opts}
	c.master = redistest.StartServer(t, redistest.ServerOptions{ReplBacklogSize: opts.replBacklog})
	for _, p := range opts.replicaPriorities {
		c.replicas = append(c.replicas, redistest.StartServer(t, redistest.ServerOptions{
			ReplicaOf: c.master.Process, ReplicaPriority: redistest.Priority(p), ReplBacklogSize: opts.replBacklog}))
	}
	procs := make([]*redistest.Process, len(c.replicas))
	for i, r := range c.replicas {
		procs[i] = r.Process
	}
	redistest.WaitReplicaOnline(t, 20*time.Second, c.master.Process, procs...)
	for i := 0; i < opts.sentinels; i++ {
		c.sentinels = append(c.sentinels, c.startSentinel(i))
	}
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, c.master.Process, len(c.replicas),
		opts.sentinels-1, c.sentinels...)
	return c
}

func (c *cluster) startSentinel(i int) *redistest.Sentinel {
	downAfter := c.opts.downAfter
	if d, ok := c.opts.downAfterOf[i]; ok {
		downAfter = d
	}
	quorum := c.opts.quorum
	if q, ok := c.opts.quorumOf[i]; ok {
		quorum = q
	}
	binary := sentinelBinary
	if c.opts.stock[i] {
		binary = "" // redistest's default: /usr/bin/redis-sentinel
	}
	s := redistest.StartSentinel(c.t, redistest.SentinelOptions{
		Binary: binary,
		Args:   []string{"--loglevel", "verbose"},
		Monitors: []redistest.Monitor{{Name: masterName, Master: c.master.Process, Quorum: quorum,
			DownAfter: downAfter, FailoverTimeout: c.opts.failoverTimeout}},
		Directives: c.opts.directives,
	})
	failOnDataRace(c.t, s)
	return s
}

// failOnDataRace fails the test at cleanup if the race detector reported in s's log.
func failOnDataRace(t testing.TB, s *redistest.Sentinel) {
	t.Cleanup(func() {
		if b, err := os.ReadFile(s.LogPath()); err == nil && strings.Contains(string(b), "DATA RACE") {
			t.Errorf("%s: the race detector reported a data race; see %s", s.Name(), s.LogPath())
		}
	})
}

// masterAddr is what sentinel s answers to get-master-addr-by-name.
func masterAddr(ctx context.Context, s *redistest.Sentinel) (string, error) {
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, Protocol: 2})
	defer c.Close()
	return s.MasterAddr(ctx, c, masterName)
}

// waitAllAgree waits until every given sentinel reports a master other than old, the same one,
// and returns it.
func (c *cluster) waitAllAgree(timeout time.Duration, old string, sentinels ...*redistest.Sentinel) string {
	c.t.Helper()
	var agreed string
	poll.Eventually(c.t, timeout, "sentinels to agree on a new master", func(ctx context.Context) error {
		agreed = ""
		for _, s := range sentinels {
			a, err := masterAddr(ctx, s)
			if err != nil {
				return err
			}
			if a == old {
				return fmt.Errorf("%s still reports %s", s.Name(), old)
			}
			if agreed != "" && a != agreed {
				return fmt.Errorf("%s reports %s, another %s", s.Name(), a, agreed)
			}
			agreed = a
		}
		return nil
	})
	return agreed
}

func (c *cluster) server(addr string) *redistest.Server {
	for _, n := range c.nodes() {
		if n.Addr() == addr {
			return n
		}
	}
	c.t.Fatalf("%s is none of the cluster's servers", addr)
	return nil
}

func infoField(ctx context.Context, cl *redis.Client, section, field string) (string, error) {
	text, err := cl.Info(ctx, section).Result()
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && k == field {
			return v, nil
		}
	}
	return "", fmt.Errorf("INFO %s has no %s", section, field)
}

// waitFollows waits until replica replicates master with its link up.
func waitFollows(t testing.TB, timeout time.Duration, master *redistest.Server, replicas ...*redistest.Server) {
	t.Helper()
	procs := make([]*redistest.Process, len(replicas))
	for i, r := range replicas {
		procs[i] = r.Process
	}
	redistest.WaitReplicaOnline(t, timeout, master.Process, procs...)
}

// waitRole waits until the server reports role.
func waitRole(t testing.TB, timeout time.Duration, s *redistest.Server, role string) {
	t.Helper()
	cl := s.Client()
	poll.Eventually(t, timeout, s.Addr()+" to report role:"+role, func(ctx context.Context) error {
		got, err := infoField(ctx, cl, "replication", "role")
		if err != nil {
			return err
		}
		if got != role {
			return fmt.Errorf("role is %s", got)
		}
		return nil
	})
}

// events records every event a sentinel publishes (PSUBSCRIBE *).
type events struct {
	mu   sync.Mutex
	msgs []string    // "channel payload"
	at   []time.Time // when each message arrived
}

func subscribeEvents(t testing.TB, s *redistest.Sentinel) *events {
	t.Helper()
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), Protocol: 2})
	ps := c.PSubscribe(context.Background(), "*")
	if _, err := ps.Receive(context.Background()); err != nil {
		t.Fatalf("PSUBSCRIBE * on %s: %v", s.Name(), err)
	}
	ev := &events{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ps.Channel() {
			ev.mu.Lock()
			ev.msgs = append(ev.msgs, m.Channel+" "+m.Payload)
			ev.at = append(ev.at, time.Now())
			ev.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ps.Close()
		_ = c.Close()
		<-done
	})
	return ev
}

func (e *events) count(channel string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, m := range e.msgs {
		if strings.HasPrefix(m, channel+" ") {
			n++
		}
	}
	return n
}

// matching returns the payloads of the events on channel.
func (e *events) matching(channel string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, m := range e.msgs {
		if p, ok := strings.CutPrefix(m, channel+" "); ok {
			out = append(out, p)
		}
	}
	return out
}

func (e *events) all() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.msgs, "\n")
}

func (e *events) wait(t testing.TB, timeout time.Duration, channel string) {
	t.Helper()
	poll.Eventually(t, timeout, "event "+channel, func(context.Context) error {
		if e.count(channel) == 0 {
			return fmt.Errorf("not seen; events so far:\n%s", e.all())
		}
		return nil
	})
}

func addrOf(s *redistest.Server) string { return s.Addr() }

func portOf(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	p, _ := strconv.Atoi(addr[i+1:])
	return p
}

// confHas checks that the config file contains every given line prefix.
func confHas(path string, prefixes ...string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(string(b), "\n")
	for _, p := range prefixes {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, p) {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%s has no line starting with %q", path, p)
		}
	}
	return nil
}

// first is when the first event on channel arrived (zero if none).
func (e *events) first(channel string) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, m := range e.msgs {
		if strings.HasPrefix(m, channel+" ") {
			return e.at[i]
		}
	}
	return time.Time{}
}
