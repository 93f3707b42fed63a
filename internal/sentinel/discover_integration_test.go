package sentinel_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// Sentinels that stand on their own: started with nothing to monitor and only the list of the
// group's addresses (what the headless Services' DNS gives on Kubernetes; here the addresses
// themselves, as all instances share 127.0.0.1), they find the master, and fail over from it,
// with no operator around.

// discoveringGroup is a master and its replicas, written to, and the flags for sentinels that
// discover them.
type discoveringGroup struct {
	c             *cluster
	sentinelPorts []int
	settings      string
	written       int
	// strays are nodes of the group that follow no master (listed for discovery, not in c).
	strays []*redistest.Server
}

func startDiscoveringGroup(t *testing.T, sentinels int) *discoveringGroup {
	t.Helper()
	g := &discoveringGroup{c: &cluster{t: t}}
	g.c.master = redistest.StartServer(t, redistest.ServerOptions{})
	for range 2 {
		g.c.replicas = append(g.c.replicas, redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: g.c.master.Process}))
	}
	redistest.WaitReplicaOnline(t, 20*time.Second, g.c.master.Process, g.c.replicas[0].Process, g.c.replicas[1].Process)
	for range sentinels {
		g.sentinelPorts = append(g.sentinelPorts, redistest.FreePort(t, "127.0.0.1"))
	}
	g.settings = filepath.Join(t.TempDir(), "settings")
	if err := os.WriteFile(g.settings, []byte("quorum 2\ndown-after-milliseconds 1000\nfailover-timeout 10000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Acknowledged by both replicas (WAIT), so that nothing written is lost with the master.
	ctx := context.Background()
	m := g.c.master.Client()
	for i := range 200 {
		if err := m.Set(ctx, "k"+strconv.Itoa(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := m.Wait(ctx, 2, 5000).Result(); err != nil || n != 2 {
		t.Fatalf("WAIT 2: %d replicas acknowledged, err %v", n, err)
	}
	g.written = 200
	return g
}

func (g *discoveringGroup) startSentinel(i int) *redistest.Sentinel {
	var sentinels, nodes []string
	for _, p := range g.sentinelPorts {
		sentinels = append(sentinels, "127.0.0.1:"+strconv.Itoa(p))
	}
	for _, n := range append(g.c.nodes(), g.strays...) {
		nodes = append(nodes, n.Addr())
	}
	s := redistest.StartSentinel(g.c.t, redistest.SentinelOptions{
		Binary: sentinelBinary, Port: g.sentinelPorts[i],
		Args: []string{"--loglevel", "verbose", "--discover-master", masterName,
			"--discover-sentinels", strings.Join(sentinels, ","), "--discover-redis", strings.Join(nodes, ","),
			"--discover-settings", g.settings},
	})
	failOnDataRace(g.c.t, s)
	g.c.sentinels = append(g.c.sentinels, s)
	return s
}

// checkKept fails unless every key written before the fault is on addr's node.
func (g *discoveringGroup) checkKept(t *testing.T, addr string) {
	t.Helper()
	n, err := g.c.server(addr).Client().DBSize(context.Background()).Result()
	if err != nil || int(n) != g.written {
		t.Fatalf("the new master %s holds %d keys (err %v), want the %d written before the kill", addr, n, err, g.written)
	}
}

func TestSentinelsWithoutAConfigFindTheMasterAndFailOver(t *testing.T) {
	g := startDiscoveringGroup(t, 3)
	for i := range 3 {
		g.startSentinel(i)
	}
	// Each finds the master, its replicas (the master's INFO) and the other two (hellos).
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, g.c.master.Process, 2, 2, g.c.sentinels...)

	old := g.c.master.Addr()
	g.c.master.Kill()
	promoted := g.c.waitAllAgree(30*time.Second, old, g.c.sentinels...)
	g.checkKept(t, promoted)

	// A sentinel that restarts with an empty config while its peers know the master takes
	// theirs: the one after the failover (config epoch 1), not the first master.
	g.c.sentinels[2].Kill()
	g.c.sentinels = g.c.sentinels[:2]
	fresh := g.startSentinel(2)
	poll.Eventually(t, 20*time.Second, "the restarted sentinel to adopt its peers' master", func(ctx context.Context) error {
		a, err := masterAddr(ctx, fresh)
		if err != nil {
			return err
		}
		if a != promoted {
			return fmt.Errorf("it names %s, want %s", a, promoted)
		}
		return nil
	})
}

func TestSentinelsStartedAfterTheMasterDiedFailOverFromIt(t *testing.T) {
	// No sentinel knew the master before it died: its replicas still name it, and the
	// sentinels monitor it with them as known replicas, judge it down and promote one.
	g := startDiscoveringGroup(t, 3)
	old := g.c.master.Addr()
	g.c.master.Kill()
	for i := range 3 {
		g.startSentinel(i)
	}
	promoted := g.c.waitAllAgree(30*time.Second, old, g.c.sentinels...)
	g.checkKept(t, promoted)
	other := g.c.replicas[0]
	if other.Addr() == promoted {
		other = g.c.replicas[1]
	}
	waitFollows(t, 20*time.Second, g.c.server(promoted), other)
}

func TestANodeStartedFencedIsPointedAtTheMaster(t *testing.T) {
	// A node that started while no sentinel answered is fenced (a replica of itself) and in
	// no master's INFO: the sentinel knows it from the group's list and points it at the master
	// at once, not after failover-timeout, and without an operator.
	g := startDiscoveringGroup(t, 1)
	port := redistest.FreePort(t, "127.0.0.1")
	stray := redistest.StartServer(t, redistest.ServerOptions{Port: port,
		Directives: []string{fmt.Sprintf("replicaof 127.0.0.1 %d", port), "replica-serve-stale-data no"}})
	g.strays = append(g.strays, stray)
	// Stock's wait for a misconfigured replica is failover-timeout: make it longer than the
	// test waits.
	if err := os.WriteFile(g.settings, []byte("quorum 1\ndown-after-milliseconds 1000\nfailover-timeout 120000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g.startSentinel(0)
	waitFollows(t, 30*time.Second, g.c.master, stray)
	if n, err := stray.Client().DBSize(context.Background()).Result(); err != nil || int(n) != g.written {
		t.Fatalf("the node pointed at the master holds %d keys (err %v), want %d", n, err, g.written)
	}
}
