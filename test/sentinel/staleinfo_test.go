package sentinel

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

// The master dies after the group has been idle for a while, so the sentinels' last INFO from
// the replicas is older than the 5×ping-period validity that replica selection applies while
// the master is SDOWN. redis-sentinel refreshes replica INFO every second once the master is
// ODOWN, before it selects a replica; a sentinel that selects from stale INFO finds "no good
// slave" and cannot retry before 2×failover-timeout. Run against stock as the reference.
func TestFailoverAfterReplicaInfoWentStale(t *testing.T) {
	for _, kind := range []sentinelKind{stock, ours} {
		t.Run(string(kind), func(t *testing.T) {
			tp := newTopology(t, topologyOptions{}, kind, kind, kind)
			for _, s := range tp.sentinels {
				c := s.SentinelClient()
				poll.Eventually(t, 30*time.Second, s.Addr()+"'s replica INFO to be older than 5 s", func(ctx context.Context) error {
					reps, err := c.Replicas(ctx, masterName).Result()
					if err != nil {
						return err
					}
					for _, r := range reps {
						ms, err := strconv.Atoi(r["info-refresh"])
						if err != nil {
							return fmt.Errorf("info-refresh %q: %w", r["info-refresh"], err)
						}
						if ms <= 5500 {
							return fmt.Errorf("replica %s:%s info-refresh is %d ms", r["ip"], r["port"], ms)
						}
					}
					return nil
				})
			}
			aborts := subscribeAll(t, tp, "-failover-abort-no-good-slave")
			tp.master.Kill()
			tp.waitFailedOver(t, 30*time.Second)
			// The first attempt must succeed: an abort delays the failover by 2×failover-timeout
			// (6 minutes by default).
			select {
			case m := <-aborts:
				t.Fatalf("a failover attempt was aborted: %s %s", m.Channel, m.Payload)
			default:
			}
		})
	}
}

// subscribeAll PSUBSCRIBEs pattern on every sentinel and merges what they publish.
func subscribeAll(t *testing.T, tp *topology, pattern string) <-chan *redis.Message {
	t.Helper()
	out := make(chan *redis.Message, 100)
	for _, s := range tp.sentinels {
		ps := s.SentinelClient().PSubscribe(context.Background(), pattern)
		t.Cleanup(func() { _ = ps.Close() })
		if _, err := ps.Receive(context.Background()); err != nil {
			t.Fatalf("PSUBSCRIBE %s on %s: %v", pattern, s.Addr(), err)
		}
		go func() {
			for m := range ps.Channel() {
				select {
				case out <- m:
				default:
				}
			}
		}()
	}
	return out
}
