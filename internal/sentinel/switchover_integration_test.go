package sentinel_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// writer INCRs a counter through a go-redis failover client, as applications do, and remembers
// the highest value a master acknowledged.
type writer struct {
	maxAcked atomic.Int64
	acks     atomic.Int64
	stop     chan struct{}
	done     sync.WaitGroup
}

func startWriter(t *testing.T, c *cluster) *writer {
	t.Helper()
	addrs := make([]string, len(c.sentinels))
	for i, s := range c.sentinels {
		addrs[i] = s.Addr()
	}
	client := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: masterName, SentinelAddrs: addrs})
	w := &writer{stop: make(chan struct{})}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		for {
			select {
			case <-w.stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			n, err := client.Incr(ctx, "counter").Result()
			cancel()
			if err == nil {
				w.acks.Add(1)
				for {
					cur := w.maxAcked.Load()
					if n <= cur || w.maxAcked.CompareAndSwap(cur, n) {
						break
					}
				}
			}
			time.Sleep(2 * time.Millisecond) // pace the workload (about 300 writes/s), not a wait
		}
	}()
	t.Cleanup(func() {
		w.halt()
		_ = client.Close()
	})
	return w
}

func (w *writer) halt() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	w.done.Wait()
}

func (w *writer) waitAcks(t *testing.T, n int64) {
	t.Helper()
	target := w.acks.Load() + n
	poll.Eventually(t, 20*time.Second, fmt.Sprintf("%d more acknowledged writes", n), func(context.Context) error {
		if got := w.acks.Load(); got < target {
			return fmt.Errorf("%d of %d acks", got, target)
		}
		return nil
	})
}

func TestPlannedSwitchoverLosesNoAcknowledgedWrite(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: time.Second})
	w := startWriter(t, c)
	w.waitAcks(t, 100)

	old := c.master.Addr()
	sc := c.sentinels[0].SentinelClient()
	if err := sc.Failover(context.Background(), masterName).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	newMaster := c.server(c.waitAllAgree(20*time.Second, old, c.sentinels...))
	w.waitAcks(t, 100) // writes flow again, now to the new master
	w.halt()

	// Every acknowledged INCR must be in the new master's counter.
	got, err := newMaster.Client().Get(context.Background(), "counter").Result()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(got, 10, 64)
	if n < w.maxAcked.Load() {
		t.Fatalf("new master holds counter=%d but %d was acknowledged: %d writes lost", n, w.maxAcked.Load(), w.maxAcked.Load()-n)
	}
	// The old master was demoted at once and the other replica follows the new master.
	waitFollows(t, 20*time.Second, newMaster, c.master)
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
	// The old master's writes are unpaused: it is a replica now, so the proof is that it
	// answers a read without waiting for the pause to expire.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.master.Client().Get(ctx, "counter").Err(); err != nil {
		t.Fatalf("old master does not answer: %v", err)
	}
}

func TestSentinelsRestartFromPersistedConfig(t *testing.T) {
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: time.Second})
	ctx := context.Background()
	ids := make([]string, len(c.sentinels))
	for i, s := range c.sentinels {
		id, err := s.Client().Do(ctx, "SENTINEL", "MYID").Text()
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
		poll.Eventually(t, 10*time.Second, s.Name()+" to persist what it learned", func(context.Context) error {
			return confHas(s.ConfPath(), "sentinel myid "+id, "sentinel known-replica mymaster", "sentinel known-sentinel mymaster")
		})
	}
	for _, s := range c.sentinels {
		s.Restart()
	}
	for i, s := range c.sentinels {
		id, err := s.Client().Do(ctx, "SENTINEL", "MYID").Text()
		if err != nil || id != ids[i] {
			t.Fatalf("%s: myid after restart %q (%v), want %q", s.Name(), id, err, ids[i])
		}
	}
	redistest.WaitSentinelReady(t, 30*time.Second, masterName, c.master.Process, 2, 2, c.sentinels...)

	old := c.master.Addr()
	c.master.Kill()
	newAddr := c.waitAllAgree(30*time.Second, old, c.sentinels...)
	newMaster := c.server(newAddr)
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 20*time.Second, newMaster, r)
		}
	}
	// After another restart the sentinels still know the new master from their files.
	for _, s := range c.sentinels {
		poll.Eventually(t, 10*time.Second, s.Name()+" to persist the new master", func(context.Context) error {
			return confHas(s.ConfPath(), fmt.Sprintf("sentinel monitor mymaster %s %d 2", newMaster.Host(), newMaster.Port()))
		})
		s.Restart()
		if a, err := masterAddr(ctx, s); err != nil || a != newAddr {
			t.Fatalf("%s after restart reports %s (%v), want %s", s.Name(), a, err, newAddr)
		}
	}
}

func TestLeaderKilledMidFailover(t *testing.T) {
	// Sentinel 0 alone reaches ODOWN (quorum 1, shorter down-after), so it is the one that starts
	// the failover and wins the election (the others vote without seeing the master down); it
	// crashes right after promoting a replica, before telling anyone. The other two must finish
	// the job once they see the master down themselves and their vote's back-off has passed.
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: 3 * time.Second, downAfterOf: map[int]time.Duration{0: 500 * time.Millisecond},
		quorumOf: map[int]int{0: 1}, failoverTimeout: 3 * time.Second})
	ctx := context.Background()
	if err := c.sentinels[0].Client().Do(ctx, "SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion").Err(); err != nil {
		t.Fatal(err)
	}
	old := c.master.Addr()
	c.master.Kill()
	poll.Eventually(t, 20*time.Second, "sentinel 0 to crash after the promotion", func(context.Context) error {
		if !c.sentinels[0].Exited() {
			return fmt.Errorf("still running")
		}
		return nil
	})
	survivors := c.sentinels[1:]
	newMaster := c.server(c.waitAllAgree(60*time.Second, old, survivors...))
	waitRole(t, 10*time.Second, newMaster, "master")
	for _, r := range c.replicas {
		if r != newMaster {
			waitFollows(t, 40*time.Second, newMaster, r)
		}
	}
}
