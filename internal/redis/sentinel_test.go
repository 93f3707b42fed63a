package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// These tests run against Debian's redis-sentinel 7.0.15, the reference the project's own
// sentinel server answers like; the e2e tests cover the project's server.
func TestSentinelMonitorViewAndFailover(t *testing.T) {
	ctx := context.Background()
	master := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw", MasterAuth: "pw"})
	replica := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw", MasterAuth: "pw",
		Directives: []string{fmt.Sprintf("replicaof %s %d", master.Host(), master.Port())}})
	sentinel := redistest.StartRedisSentinel(t, redistest.SentinelOptions{RequirePass: "sentinel-pw"})
	c := redis.Client{Password: "sentinel-pw"}

	if _, err := c.SentinelView(ctx, sentinel.Addr(), "rf-a"); !errors.Is(err, redis.ErrNotMonitored) {
		t.Fatalf("view of an unmonitored name: got %v, want ErrNotMonitored", err)
	}
	options := []redis.SentinelOption{{Name: "down-after-milliseconds", Value: "1000"}, {Name: "failover-timeout", Value: "5000"},
		{Name: "parallel-syncs", Value: "1"}, {Name: "auth-pass", Value: "pw"}}
	if err := c.SentinelMonitor(ctx, sentinel.Addr(), "rf-a", master.Host(), master.Port(), 1, options); err != nil {
		t.Fatal(err)
	}
	// A second MONITOR of the name (the sentinel found the master by itself meanwhile) is no
	// error, and changes nothing: no reset of what the sentinel knows.
	if err := c.SentinelMonitor(ctx, sentinel.Addr(), "rf-a", master.Host(), master.Port(), 1, nil); err != nil {
		t.Fatalf("SENTINEL MONITOR of a name already monitored: %v", err)
	}
	view, err := c.SentinelView(ctx, sentinel.Addr(), "rf-a")
	if err != nil {
		t.Fatal(err)
	}
	if m := view.Master; m.DownAfterMilliseconds != 1000 || m.FailoverTimeout != 5000 || m.ParallelSyncs != 1 {
		t.Errorf("settings after SENTINEL MONITOR + SET: %+v", m)
	}
	if err := c.SentinelSet(ctx, sentinel.Addr(), "rf-a", []redis.SentinelOption{{Name: "quorum", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 15*time.Second, "the sentinel to report the master with quorum 2 and its replica", func(context.Context) error {
		view, err := c.SentinelView(ctx, sentinel.Addr(), "rf-a")
		if err != nil {
			return err
		}
		if view.Master.IP != master.Host() || view.Master.Port != master.Port() || view.Master.Quorum != 2 {
			return fmt.Errorf("unexpected master in view: %+v", view.Master)
		}
		if len(view.Replicas) != 1 || view.Replicas[0].IP != replica.Host() || view.Replicas[0].Port != replica.Port() || view.Replicas[0].Down() || !view.Replicas[0].MasterLinkOK {
			return fmt.Errorf("sentinel does not see the replica up yet: %+v", view.Replicas)
		}
		return nil
	})

	if err := c.SentinelFailover(ctx, sentinel.Addr(), "rf-a"); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 30*time.Second, "the sentinel to name the promoted replica", func(context.Context) error {
		view, err := c.SentinelView(ctx, sentinel.Addr(), "rf-a")
		if err != nil {
			return err
		}
		if view.Master.IP != replica.Host() || view.Master.Port != replica.Port() {
			return fmt.Errorf("sentinel still names %s:%d as master", view.Master.IP, view.Master.Port)
		}
		return nil
	})

	if err := c.SentinelRemove(ctx, sentinel.Addr(), "rf-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SentinelView(ctx, sentinel.Addr(), "rf-a"); !errors.Is(err, redis.ErrNotMonitored) {
		t.Fatalf("view after SENTINEL REMOVE: got %v, want ErrNotMonitored", err)
	}
	if err := c.SentinelRemove(ctx, sentinel.Addr(), "rf-a"); err != nil {
		t.Errorf("removing an unknown name must be a no-op so a half-done Remonitor can be retried: %v", err)
	}
}

func TestSentinelRefusesWrongPassword(t *testing.T) {
	sentinel := redistest.StartRedisSentinel(t, redistest.SentinelOptions{RequirePass: "right"})
	_, err := redis.Client{Password: "wrong"}.SentinelView(context.Background(), sentinel.Addr(), "any")
	if err == nil || errors.Is(err, redis.ErrNotMonitored) {
		t.Fatalf("a sentinel answered a client with the wrong password: err=%v", err)
	}
}

// FollowSentinel relays what a real redis-sentinel publishes: here the +sdown of a master that
// was killed.
func TestFollowSentinelRelaysEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	master := redistest.StartServer(t, redistest.ServerOptions{})
	sentinel := redistest.StartRedisSentinel(t, redistest.SentinelOptions{RequirePass: "spw"})
	c := redis.Client{Password: "spw"}
	if err := c.SentinelMonitor(ctx, sentinel.Addr(), "ev", master.Host(), master.Port(), 1,
		[]redis.SentinelOption{{Name: "down-after-milliseconds", Value: "200"}}); err != nil {
		t.Fatal(err)
	}
	events := make(chan redis.SentinelEvent, 16)
	go c.FollowSentinel(ctx, sentinel.Addr(), []string{"+sdown"}, func(e redis.SentinelEvent) { events <- e })
	// The subscription must be in place before the master dies; the sentinel counts it.
	poll.Eventually(t, 5*time.Second, "the event subscription to be counted by the sentinel", func(context.Context) error {
		n, err := sentinelSubscribers(ctx, sentinel)
		if err != nil || n != 1 {
			return fmt.Errorf("subscribed clients: %d (%v)", n, err)
		}
		return nil
	})
	master.Kill()
	select {
	case e := <-events:
		if e.Channel != "+sdown" || !strings.Contains(e.Payload, fmt.Sprintf("master ev %s %d", master.Host(), master.Port())) {
			t.Errorf("event %+v, want +sdown of master ev", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no +sdown relayed within 10s of killing the master (down-after 200ms)")
	}
}

// sentinelSubscribers counts the sentinel's clients subscribed to one channel (sentinels have
// no PUBSUB command; CLIENT LIST shows sub=N per client).
func sentinelSubscribers(ctx context.Context, s *redistest.Sentinel) (int, error) {
	list, err := s.Client().ClientList(ctx).Result()
	if err != nil {
		return 0, err
	}
	return strings.Count(list, " sub=1 "), nil
}
