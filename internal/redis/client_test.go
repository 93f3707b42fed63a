package redis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/api/role"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

func TestReplicaOfRewiresRealServers(t *testing.T) {
	ctx := context.Background()
	a := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw", MasterAuth: "pw"})
	b := redistest.StartServer(t, redistest.ServerOptions{RequirePass: "pw", MasterAuth: "pw"})
	c := redis.Client{Password: "pw"}
	if err := a.Client().Set(ctx, "written-on-a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}

	if err := c.ReplicaOf(ctx, b.Addr(), a.Host(), a.Port()); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "b to replicate a with its link up", func(context.Context) error {
		info, err := c.Info(ctx, b.Addr())
		if err != nil {
			return err
		}
		if r := info.Replication; r.Role != role.Replica || !r.MasterLinkUp || r.MasterHost != a.Host() || r.MasterPort != a.Port() {
			return fmt.Errorf("b not yet a linked replica of a: %+v", r)
		}
		return b.Client().Get(ctx, "written-on-a").Err()
	})

	// The switch the other way round: b promoted, a demoted. A client of the demoted master must
	// be disconnected so that it asks the sentinels again instead of getting READONLY forever.
	if err := c.ReplicaOfNoOne(ctx, b.Addr()); err != nil {
		t.Fatal(err)
	}
	clientOfA := a.Client()
	if err := clientOfA.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	before, err := clientOfA.ClientID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReplicaOf(ctx, a.Addr(), b.Host(), b.Port()); err != nil {
		t.Fatal(err)
	}
	// go-redis reconnects transparently; a new client id proves the old connection was killed.
	after, err := clientOfA.ClientID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Errorf("client of the demoted master kept connection id %d: REPLICAOF must disconnect clients", before)
	}
	info, err := c.Info(ctx, b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if info.Replication.Role != role.Master {
		t.Errorf("after REPLICAOF NO ONE b reports role %q", info.Replication.Role)
	}
	poll.Eventually(t, 10*time.Second, "a to follow b with its link up", func(context.Context) error {
		info, err := c.Info(ctx, a.Addr())
		if err != nil {
			return err
		}
		if r := info.Replication; !r.MasterLinkUp || r.MasterHost != b.Host() {
			return fmt.Errorf("a not yet linked to b: %+v", r)
		}
		return nil
	})
}

// A hung node (here a real redis-server busy in DEBUG SLEEP) must cost one timeout, not a stall.
func TestCallsToAHungNodeTimeOut(t *testing.T) {
	ctx := context.Background()
	s := redistest.StartServer(t, redistest.ServerOptions{Directives: []string{"enable-debug-command local"}})
	go func() { _ = s.Client().Do(context.Background(), "DEBUG", "SLEEP", "5").Err() }()
	poll.Eventually(t, 5*time.Second, "the server to stop answering during DEBUG SLEEP", func(context.Context) error {
		// The sleeping server stops answering; wait until it does before measuring our call.
		probe := redis.Client{Timeout: 100 * time.Millisecond}
		if _, err := probe.Info(ctx, s.Addr()); err == nil {
			return errors.New("server still answers")
		}
		return nil
	})

	c := redis.Client{Timeout: 300 * time.Millisecond}
	_, err := c.Info(ctx, s.Addr())
	if !redis.IsTimeout(err) {
		t.Fatalf("INFO to a hung node: got %v, want a timeout", err)
	}
}
