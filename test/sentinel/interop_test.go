package sentinel

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// Our sentinel and redis-sentinel 7.0.15 in one group: they discover each other through hello
// messages (newTopology waits until each sees the 2 others), agree on the master, and after a
// SIGKILL of the master elect a leader among themselves and all follow the same promotion.
func TestMixedGroups(t *testing.T) {
	for _, group := range [][]sentinelKind{
		{stock, stock, ours},
		{stock, ours, ours},
	} {
		t.Run(fmt.Sprint(group), func(t *testing.T) {
			tp := newTopology(t, topologyOptions{}, group...)
			ctx := context.Background()
			if err := tp.master.Client().Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			redistest.WaitInSync(t, 10*time.Second, tp.master.Process, tp.replicas[0].Process, tp.replicas[1].Process)

			tp.master.Kill()
			promoted := tp.waitFailedOver(t, 60*time.Second)
			if got, err := promoted.Client().Get(ctx, "k").Result(); err != nil || got != "v" {
				t.Fatalf("promoted master %s lost the write: %q, %v", promoted.Addr(), got, err)
			}
			// Every sentinel still knows the others after the switch (the group did not split).
			for _, s := range tp.sentinels {
				c := s.SentinelClient()
				poll.Eventually(t, 10*time.Second, s.Addr()+" to list 2 other sentinels", func(ctx context.Context) error {
					others, err := c.Sentinels(ctx, masterName).Result()
					if err != nil {
						return err
					}
					if len(others) != len(tp.sentinels)-1 {
						return fmt.Errorf("lists %d", len(others))
					}
					return nil
				})
			}
		})
	}
}

// A planned switchover led by one implementation is adopted by the other through hello
// messages: both directions.
func TestMixedGroupSwitchover(t *testing.T) {
	for _, c := range []struct {
		name   string
		group  []sentinelKind
		leader int
	}{
		{"ours leads, stock follows", []sentinelKind{stock, stock, ours}, 2},
		{"stock leads, ours follows", []sentinelKind{stock, ours, ours}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := newTopology(t, topologyOptions{}, c.group...)
			ctx := context.Background()
			if err := tp.sentinels[c.leader].Client().Do(ctx, "SENTINEL", "FAILOVER", masterName).Err(); err != nil {
				t.Fatalf("SENTINEL FAILOVER on %s: %v", tp.sentinels[c.leader].Addr(), err)
			}
			tp.waitFailedOver(t, 30*time.Second)
		})
	}
}
