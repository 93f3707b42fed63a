package sentinel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// TestNewMasterKilledSoonAfterItsPromotionIsFailedOver kills the master, and then the replica
// that replaced it as soon as the first failover is over: the sentinels must fail over again,
// as redis-sentinel does, instead of waiting 2*failover-timeout (6 minutes with the default
// failover-timeout, far beyond this test's deadlines).
func TestNewMasterKilledSoonAfterItsPromotionIsFailedOver(t *testing.T) {
	// redis-sentinel's default failover-timeout (startCluster's default is shorter).
	c := startCluster(t, clusterOptions{replicaPriorities: []int{100, 100}, sentinels: 3, quorum: 2,
		downAfter: time.Second, failoverTimeout: 3 * time.Minute})
	evs := make([]*events, len(c.sentinels))
	for i, s := range c.sentinels {
		evs[i] = subscribeEvents(t, s)
	}
	first := c.master
	first.Kill()
	second := c.server(c.waitAllAgree(30*time.Second, first.Addr(), c.sentinels...))
	var third *redistest.Server
	for _, r := range c.replicas {
		if r != second {
			third = r
		}
	}
	waitFollows(t, 20*time.Second, second, third)
	// The first failover is over everywhere: no sentinel flags anything but "master".
	poll.Eventually(t, 30*time.Second, "every sentinel to see the first failover done", func(ctx context.Context) error {
		for _, s := range c.sentinels {
			m, err := s.SentinelClient().Master(ctx, masterName).Result()
			if err != nil {
				return err
			}
			if m["flags"] != "master" {
				return fmt.Errorf("%s flags the master %q", s.Name(), m["flags"])
			}
		}
		return nil
	})

	second.Kill()
	if got := c.waitAllAgreeOrReport(30*time.Second, second.Addr(), evs); got != third.Addr() {
		t.Fatalf("after the second kill the sentinels agree on %s, want the last replica %s", got, third.Addr())
	}
	waitRole(t, 10*time.Second, third, "master")
}

// waitAllAgreeOrReport is waitAllAgree that shows every sentinel's events when it times out.
func (c *cluster) waitAllAgreeOrReport(timeout time.Duration, old string, evs []*events) string {
	c.t.Helper()
	var agreed string
	err := poll.Until(context.Background(), timeout, poll.Interval, func(ctx context.Context) error {
		agreed = ""
		for _, s := range c.sentinels {
			a, err := masterAddr(ctx, s)
			if err != nil {
				return err
			}
			if a == old || (agreed != "" && a != agreed) {
				return fmt.Errorf("%s reports %s", s.Name(), a)
			}
			agreed = a
		}
		return nil
	})
	if err != nil {
		for i, e := range evs {
			c.t.Logf("sentinel %d events:\n%s", i, e.all())
		}
		c.t.Fatalf("waiting for every sentinel to leave %s for one new master: %v", old, err)
	}
	return agreed
}
