// Package sentinel holds black-box tests of the built redis-failover-sentinel binary: real
// clients (go-redis, redis-cli, Debian's python3-redis) and real redis-server processes, and
// groups that mix our sentinel with Debian's redis-sentinel 7.0.15.
package sentinel

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
	"github.com/redis/go-redis/v9"
)

const masterName = "mymaster"

// oursBinary is the sentinel built by TestMain from this tree.
var oursBinary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	if err := checkPrerequisites(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "sentinel-blackbox-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating build dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	oursBinary = filepath.Join(dir, "redis-failover-sentinel")
	build := exec.Command("go", "build", "-o", oursBinary,
		"github.com/failover-dev/redis-failover-operator/cmd/redis-failover-sentinel")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building redis-failover-sentinel:", err)
		return 1
	}
	return m.Run()
}

// checkPrerequisites fails (never skips) when a real program the tests drive is missing.
func checkPrerequisites() error {
	for bin, pkg := range map[string]string{
		redistest.RedisServerBinary:   "redis-server",
		redistest.RedisSentinelBinary: "redis-sentinel",
		"/usr/bin/redis-cli":          "redis-tools",
		"/usr/bin/python3":            "python3",
	} {
		if _, err := os.Stat(bin); err != nil {
			return fmt.Errorf("%s is missing; install it with `apt-get install -y %s` (or `make tools`)", bin, pkg)
		}
	}
	if out, err := exec.Command("/usr/bin/python3", "-c", "import redis.sentinel").CombinedOutput(); err != nil {
		return fmt.Errorf("Debian's python3-redis is missing (%v: %s); install it with `apt-get install -y python3-redis`", err, out)
	}
	return nil
}

// topology is one master, two replicas and a group of sentinels monitoring them.
type topology struct {
	master    *redistest.Server
	replicas  []*redistest.Server
	sentinels []*redistest.Sentinel
}

type sentinelKind string

const (
	ours  sentinelKind = "ours"
	stock sentinelKind = "stock"
)

// topologyOptions tune a topology; the zero value is what most tests want.
type topologyOptions struct {
	requirePass string   // on the sentinels
	directives  []string // extra sentinel.conf lines
}

// newTopology starts master + 2 replicas and one sentinel per kind (quorum 2, down-after 1 s),
// and waits until every sentinel sees both replicas and all other sentinels.
func newTopology(t *testing.T, opts topologyOptions, kinds ...sentinelKind) *topology {
	t.Helper()
	tp := &topology{master: redistest.StartServer(t, redistest.ServerOptions{})}
	for i := 0; i < 2; i++ {
		tp.replicas = append(tp.replicas, redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: tp.master.Process}))
	}
	redistest.WaitReplicaOnline(t, 20*time.Second, tp.master.Process, tp.replicas[0].Process, tp.replicas[1].Process)
	mon := []redistest.Monitor{{
		Name: masterName, Master: tp.master.Process, Quorum: 2,
		DownAfter: time.Second,
		// A failed election is retried after 2×failover-timeout; 10 s keeps that inside a test.
		FailoverTimeout: 10 * time.Second,
	}}
	for _, k := range kinds {
		// With requirepass, sentinels authenticate to each other with that same password.
		so := redistest.SentinelOptions{Monitors: mon, RequirePass: opts.requirePass, Directives: opts.directives}
		if k == ours {
			so.Binary = oursBinary
		}
		tp.sentinels = append(tp.sentinels, redistest.StartSentinel(t, so))
	}
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, tp.master.Process, 2, len(kinds)-1, tp.sentinels...)
	return tp
}

func (tp *topology) sentinelAddrs() []string {
	var out []string
	for _, s := range tp.sentinels {
		out = append(out, s.Addr())
	}
	return out
}

// replicaAddrs are the addresses a failover may promote.
func (tp *topology) replicaAddrs() map[string]bool {
	out := map[string]bool{}
	for _, r := range tp.replicas {
		out[r.Addr()] = true
	}
	return out
}

func (tp *topology) server(addr string) *redistest.Server {
	for _, s := range append([]*redistest.Server{tp.master}, tp.replicas...) {
		if s.Addr() == addr {
			return s
		}
	}
	return nil
}

// waitFailedOver waits until every sentinel names the same new master, one of the old
// replicas, that the new master reports role:master, and that the other replica replicates it.
func (tp *topology) waitFailedOver(t *testing.T, timeout time.Duration) *redistest.Server {
	t.Helper()
	var clients []*redis.SentinelClient
	for _, s := range tp.sentinels {
		clients = append(clients, s.SentinelClient())
	}
	var promoted *redistest.Server
	poll.Eventually(t, timeout, "every sentinel to agree on a promoted replica", func(ctx context.Context) error {
		agreed := ""
		for i, s := range tp.sentinels {
			addr, err := s.MasterAddr(ctx, clients[i], masterName)
			if err != nil {
				return err
			}
			if !tp.replicaAddrs()[addr] {
				return fmt.Errorf("%s names %s, not a former replica", s.Addr(), addr)
			}
			if agreed != "" && addr != agreed {
				return fmt.Errorf("sentinels disagree: %s vs %s", agreed, addr)
			}
			agreed = addr
		}
		promoted = tp.server(agreed)
		info, err := redistest.InfoReplication(ctx, promoted.Client())
		if err != nil {
			return err
		}
		if info["role"] != "master" {
			return fmt.Errorf("%s named master but reports role:%s", agreed, info["role"])
		}
		return nil
	})
	for _, r := range tp.replicas {
		if r != promoted {
			redistest.WaitReplicaOnline(t, timeout, promoted.Process, r.Process)
		}
	}
	return promoted
}
