package sentinel_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

func TestSIGKILLOfMasterOneSentinel(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 1, quorum: 1,
		downAfter: 500 * time.Millisecond})
	ev := subscribeEvents(t, c.sentinels[0])
	old := c.master.Addr()
	c.master.Kill()

	newMaster := c.server(c.waitAllAgree(20*time.Second, old, c.sentinels...))
	waitRole(t, 10*time.Second, newMaster, "master")
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
	ev.wait(t, 20*time.Second, "+failover-end")
	if n := ev.count("+switch-master"); n != 1 {
		t.Fatalf("%d +switch-master events, want 1:\n%s", n, ev.all())
	}
}

func TestSIGKILLOfMasterThreeSentinels(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: time.Second})
	evs := make([]*events, len(c.sentinels))
	for i, s := range c.sentinels {
		evs[i] = subscribeEvents(t, s)
	}
	old := c.master.Addr()
	c.master.Kill()

	newMaster := c.server(c.waitAllAgree(30*time.Second, old, c.sentinels...))
	waitRole(t, 10*time.Second, newMaster, "master")
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
	// Exactly one leader ran the failover to its end, and every sentinel switched once.
	poll.Eventually(t, 20*time.Second, "one +failover-end", func(context.Context) error {
		ends := 0
		for _, e := range evs {
			ends += e.count("+failover-end")
		}
		if ends != 1 {
			return fmt.Errorf("%d sentinels ended a failover", ends)
		}
		return nil
	})
	// A second failover would have to start after the first one's end (as in the redis-sentinel
	// runs of the baseline); wait down-after plus a few ask periods past every switch, then
	// check that each sentinel switched exactly once.
	for _, e := range evs {
		e.wait(t, 10*time.Second, "+switch-master")
	}
	poll.Eventually(t, 10*time.Second, "new master to be seen healthy by all sentinels", func(ctx context.Context) error {
		for _, s := range c.sentinels {
			cl := s.SentinelClient()
			m, err := cl.Master(ctx, masterName).Result()
			if err != nil {
				return err
			}
			if m["flags"] != "master" || m["num-slaves"] != "2" {
				return fmt.Errorf("%s: flags %q num-slaves %s", s.Name(), m["flags"], m["num-slaves"])
			}
		}
		return nil
	})
	for i, e := range evs {
		if n := e.count("+switch-master"); n != 1 {
			t.Errorf("sentinel %d: %d +switch-master events:\n%s", i, n, e.all())
		}
		// An election nobody won (a split vote: candidates that reached ODOWN together, likely on
		// a loaded machine) is retried in a new epoch by design; any other second attempt is a
		// second failover.
		if n, split := e.count("+try-failover"), e.count("-failover-abort-not-elected"); n-split > 1 {
			t.Errorf("sentinel %d: %d failover attempts, %d of them lost elections:\n%s", i, n, split, e.all())
		}
	}
}

func TestReplicaPriorityRespected(t *testing.T) {
	// The replica with priority 101 beats the one with 102 (lower wins), whatever the offsets.
	c := startCluster(t, clusterOptions{replicaPriorities: []int{102, 101}, sentinels: 1, quorum: 1,
		downAfter: 500 * time.Millisecond})
	old := c.master.Addr()
	c.master.Kill()
	got := c.waitAllAgree(20*time.Second, old, c.sentinels...)
	if got != c.replicas[1].Addr() {
		t.Fatalf("promoted %s, want the priority-101 replica %s", got, c.replicas[1].Addr())
	}
	waitFollows(t, 20*time.Second, c.replicas[1], c.replicas[0])
}

func TestPriorityZeroNeverPromoted(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{0}, sentinels: 1, quorum: 1,
		downAfter: 500 * time.Millisecond})
	ev := subscribeEvents(t, c.sentinels[0])
	old := c.master.Addr()
	c.master.Kill()
	ev.wait(t, 20*time.Second, "-failover-abort-no-good-slave")
	if a, err := masterAddr(context.Background(), c.sentinels[0]); err != nil || a != old {
		t.Fatalf("master address %s (%v), want still %s", a, err, old)
	}
	waitRole(t, time.Second, c.replicas[0], "slave")
	if n := ev.count("+promoted-slave"); n != 0 {
		t.Fatalf("a replica was promoted:\n%s", ev.all())
	}
}

func TestNoFailoverWhenQuorumUnreachable(t *testing.T) {
	// Quorum 3 with only 2 of the 3 sentinels left: SDOWN, but never ODOWN or a failover.
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100}, sentinels: 3, quorum: 3,
		downAfter: 500 * time.Millisecond})
	evs := []*events{subscribeEvents(t, c.sentinels[0]), subscribeEvents(t, c.sentinels[1])}
	c.sentinels[2].Kill()
	old := c.master.Addr()
	c.master.Kill()
	for _, e := range evs {
		e.wait(t, 10*time.Second, "+sdown")
	}
	// Both sentinels keep asking each other for the whole window; the verdict must stay SDOWN.
	window := time.Now().Add(5 * time.Second)
	for time.Now().Before(window) {
		for i, s := range c.sentinels[:2] {
			a, err := masterAddr(context.Background(), s)
			if err != nil || a != old {
				t.Fatalf("sentinel %d reports %s (%v), want %s", i, a, err, old)
			}
		}
		for i, e := range evs {
			if e.count("+odown") != 0 || e.count("+try-failover") != 0 {
				t.Fatalf("sentinel %d reached ODOWN without quorum:\n%s", i, e.all())
			}
		}
		time.Sleep(poll.Interval)
	}
	waitRole(t, time.Second, c.replicas[0], "slave")
}

func TestSIGSTOPOfMasterComesBackAsReplica(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: time.Second})
	old := c.master.Addr()
	c.master.Stop()
	newMaster := c.server(c.waitAllAgree(30*time.Second, old, c.sentinels...))
	waitRole(t, 10*time.Second, newMaster, "master")
	c.master.Cont()
	// The old master resumes as a master with stale data; the sentinels must turn it into a
	// replica of the new master (after 4 publish periods, as redis-sentinel does).
	waitFollows(t, 40*time.Second, newMaster, c.master)
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
}

func TestPartialResyncAfterFailover(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 1, quorum: 1,
		downAfter: 500 * time.Millisecond, replBacklog: "16mb"})
	ctx := context.Background()
	mc := c.master.Client()
	for i := 0; i < 100; i++ {
		if err := mc.Set(ctx, "k"+strconv.Itoa(i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	procs := []*redistest.Process{c.replicas[0].Process, c.replicas[1].Process}
	redistest.WaitInSync(t, 10*time.Second, c.master.Process, procs...)
	old := c.master.Addr()
	c.master.Kill()
	newMaster := c.server(c.waitAllAgree(20*time.Second, old, c.sentinels...))
	other := c.replicas[0]
	if other == newMaster {
		other = c.replicas[1]
	}
	waitFollows(t, 20*time.Second, newMaster, other)
	nc := newMaster.Client()
	full, err := infoField(ctx, nc, "stats", "sync_full")
	if err != nil {
		t.Fatal(err)
	}
	partial, err := infoField(ctx, nc, "stats", "sync_partial_ok")
	if err != nil {
		t.Fatal(err)
	}
	if full != "0" || partial != "1" {
		t.Fatalf("new master served sync_full=%s sync_partial_ok=%s, want a partial resync only", full, partial)
	}
	if v, err := other.Client().Get(ctx, "k99").Result(); err != nil || v != "99" {
		t.Fatalf("replica lost data: k99=%q (%v)", v, err)
	}
}

func TestFailoverInAGroupMixedWithRedisSentinel(t *testing.T) {
	// Two of ours and one stock redis-sentinel 7.0.15: hello gossip, votes and the new
	// configuration must flow both ways, whichever of them leads.
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: time.Second, stock: map[int]bool{1: true}})
	old := c.master.Addr()
	c.master.Kill()
	newMaster := c.server(c.waitAllAgree(30*time.Second, old, c.sentinels...))
	waitRole(t, 10*time.Second, newMaster, "master")
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
}
