package redis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// RoundTrip against real servers and Debian's redis-sentinel: a write through the sentinels
// arrives on the replica; a wrong password is refused.
func TestRoundTripThroughSentinels(t *testing.T) {
	ctx := context.Background()
	master := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw", MasterAuth: "pw"})
	replica := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw", MasterAuth: "pw", Directives: []string{fmt.Sprintf("replicaof %s %d", master.Host(), master.Port())}})
	sentinel := redistest.StartRedisSentinel(t, redistest.SentinelOptions{RequirePass: "pw"})
	c := redis.Client{Password: "pw"}
	if err := c.SentinelMonitor(ctx, sentinel.Addr(), "rt", master.Host(), master.Port(), 1, []redis.SentinelOption{{Name: "auth-pass", Value: "pw"}}); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 15*time.Second, "the sentinel to list the replica", func(context.Context) error {
		view, err := c.SentinelView(ctx, sentinel.Addr(), "rt")
		if err != nil {
			return err
		}
		if len(view.Replicas) != 1 || view.Replicas[0].Down() {
			return fmt.Errorf("sentinel does not list the replica yet: %+v", view.Replicas)
		}
		return nil
	})

	res, err := c.RoundTrip(ctx, []string{sentinel.Addr()}, "rt", "k", "v1", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Master != master.Addr() || len(res.Replicas) != 1 || res.Replicas[0] != replica.Addr() {
		t.Errorf("round trip went to master %s, replicas %v; want %s and [%s]", res.Master, res.Replicas, master.Addr(), replica.Addr())
	}
	if got, err := replica.Client().Get(ctx, "k").Result(); err != nil || got != "v1" {
		t.Errorf("replica has k=%q (%v), want v1", got, err)
	}

	if _, err := (redis.Client{Password: "wrong"}).RoundTrip(ctx, []string{sentinel.Addr()}, "rt", "k", "v2", time.Second); err == nil {
		t.Error("a round trip with a wrong password succeeded")
	}
}
