package redis_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/api/role"
	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redis"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// With spec.redis.customCommandRenames the nodes know SLAVEOF, MULTI, EXEC, CLIENT and CONFIG
// only by their new names; the operator's client sends those. (INFO is renamed in the readiness
// script's test: the test harness itself waits for a server with INFO.)
func TestClientSendsRenamedCommands(t *testing.T) {
	ctx := context.Background()
	renames := map[string]string{"slaveof": "follow-3d", "multi": "begin-3d", "exec": "commit-3d", "client": "conn-3d", "config": "cfg-3d"}
	var directives []string
	for from, to := range renames {
		directives = append(directives, "rename-command "+from+" "+to)
	}
	a := redistest.StartServer(t, redistest.ServerOptions{Directives: directives})
	b := redistest.StartServer(t, redistest.ServerOptions{Directives: directives})

	plain := redis.Client{}
	if err := plain.ReplicaOf(ctx, b.Addr(), a.Host(), a.Port()); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("REPLICAOF under the old names: err = %v, want the server's unknown command (the renames are in effect)", err)
	}

	c := redis.Client{Renames: renames}
	if err := c.ReplicaOf(ctx, b.Addr(), a.Host(), a.Port()); err != nil {
		t.Fatal(err)
	}
	poll.Eventually(t, 10*time.Second, "b to replicate a with its link up", func(context.Context) error {
		info, err := c.Info(ctx, b.Addr())
		if err != nil {
			return err
		}
		if r := info.Replication; r.Role != role.Replica || !r.MasterLinkUp || r.MasterPort != a.Port() {
			return fmt.Errorf("b not yet a linked replica of a: %+v", r)
		}
		return nil
	})
	if err := c.ConfigSet(ctx, a.Addr(), "maxmemory-policy", "allkeys-lru"); err != nil {
		t.Fatal(err)
	}
	got, err := c.ConfigGet(ctx, a.Addr(), "maxmemory-policy")
	if err != nil || got["maxmemory-policy"] != "allkeys-lru" {
		t.Fatalf("CONFIG GET under the new name = %v, %v", got, err)
	}
	if err := c.ReplicaOfNoOne(ctx, b.Addr()); err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx, b.Addr())
	if err != nil || info.Replication.Role != role.Master {
		t.Fatalf("b after REPLICAOF NO ONE: %+v, %v", info.Replication, err)
	}
}
