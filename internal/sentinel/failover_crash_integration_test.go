package sentinel_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The master's process dies and comes back in place, empty and fenced (a replica of itself
// with replica-serve-stale-data no, as the Redis pods' start script starts it), well within
// down-after. The sentinels must replace it with a replica that has the data, once, without
// pausing it or waiting for anything to catch up with it, and it must rejoin as a replica.

func TestMasterCrashedAndRestartedFencedIsReplaced(t *testing.T) {
	testCrashRestartFenced(t, false)
}

func TestFailoverAskedForAFencedRestartedMasterDoesNotLoop(t *testing.T) {
	// The operator sees the node answer as a replica and asks a sentinel to fail over: the
	// sentinel is already failing over (INPROG) or starts a forced failover, which must not
	// pause the fenced node and wait for a replica to catch up with it.
	testCrashRestartFenced(t, true)
}

func testCrashRestartFenced(t *testing.T, askFailover bool) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: 3 * time.Second})
	evs := make([]*events, len(c.sentinels))
	for i, s := range c.sentinels {
		evs[i] = subscribeEvents(t, s)
	}
	w := startWriter(t, c)
	w.waitAcks(t, 100)

	old := c.master.Addr()
	c.master.CrashAndRestartFenced()
	if askFailover {
		err := c.sentinels[0].SentinelClient().Failover(context.Background(), masterName).Err()
		if err != nil && !strings.HasPrefix(err.Error(), "INPROG") {
			t.Fatalf("SENTINEL FAILOVER: %v", err)
		}
	}
	newMaster := c.server(c.waitAllAgree(30*time.Second, old, c.sentinels...))
	waitRole(t, 10*time.Second, newMaster, "master")
	w.waitAcks(t, 100) // writes flow again, to the new master
	w.halt()

	got, err := newMaster.Client().Get(context.Background(), "counter").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.ParseInt(got, 10, 64); n < w.maxAcked.Load() {
		t.Fatalf("new master holds counter=%d but %d was acknowledged: %d writes lost", n, w.maxAcked.Load(), w.maxAcked.Load()-n)
	}
	// The restarted node rejoins as a replica of the new master and gets the data back.
	waitFollows(t, 20*time.Second, newMaster, c.master)
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
	tries := 0
	promoted := map[string]bool{}
	for i, e := range evs {
		tries += e.count("+try-failover")
		for _, m := range e.matching("+promoted-slave") {
			promoted[strings.Fields(m)[1]] = true // "slave <ip:port> ..."
		}
		// A split vote (-failover-abort-not-elected) is the election's business, not this
		// path's: all sentinels may see the restart in the same instant. A forced failover
		// asked before the sentinel read the restarted node's INFO pauses it first, then sees
		// role slave and goes on: it must never time out waiting for a catch-up.
		forbidden := []string{"-failover-abort-switchover-timeout", "-failover-abort-no-good-slave", "-failover-abort-slave-timeout"}
		if !askFailover {
			forbidden = append(forbidden, "+failover-state-pause-master")
		}
		for _, ch := range forbidden {
			if n := e.count(ch); n != 0 {
				t.Errorf("sentinel %d: %d %s:\n%s", i, n, ch, e.all())
			}
		}
		if !askFailover && e.count("+reboot") == 0 {
			t.Errorf("sentinel %d did not notice the restart:\n%s", i, e.all())
		}
	}
	if len(promoted) != 1 {
		t.Errorf("replicas promoted: %v, want exactly one", promoted)
	}
	t.Logf("%d failover attempts in all", tries)
}
