package sentinel

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// go-redis's FailoverClient finds the master through our sentinels, and after the master is
// SIGKILLed its writes resume on the promoted replica, announced by +switch-master.
func TestGoRedisFailoverClientFollowsFailover(t *testing.T) {
	tp := newTopology(t, topologyOptions{}, ours, ours, ours)
	ctx := context.Background()

	client := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: masterName, SentinelAddrs: tp.sentinelAddrs()})
	t.Cleanup(func() { _ = client.Close() })
	if err := client.Set(ctx, "before", "1", 0).Err(); err != nil {
		t.Fatalf("SET through the failover client: %v", err)
	}
	if got, err := tp.master.Client().Get(ctx, "before").Result(); err != nil || got != "1" {
		t.Fatalf("the write did not reach the master %s: %q, %v", tp.master.Addr(), got, err)
	}
	redistest.WaitInSync(t, 10*time.Second, tp.master.Process, tp.replicas[0].Process, tp.replicas[1].Process)

	sub := tp.sentinels[1].SentinelClient().Subscribe(ctx, "+switch-master")
	t.Cleanup(func() { _ = sub.Close() })
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatalf("SUBSCRIBE +switch-master: %v", err)
	}

	old := tp.master.Addr()
	tp.master.Kill()

	var msg *redis.Message
	select {
	case msg = <-sub.Channel():
	case <-time.After(30 * time.Second):
		t.Fatal("no +switch-master within 30 s of the kill")
	}
	promoted := tp.waitFailedOver(t, 30*time.Second)
	oldHost, oldPort, _ := strings.Cut(old, ":")
	want := fmt.Sprintf("%s %s %s %s %d", masterName, oldHost, oldPort, promoted.Host(), promoted.Port())
	if msg.Payload != want {
		t.Fatalf("+switch-master payload = %q, want %q", msg.Payload, want)
	}

	poll.Eventually(t, 30*time.Second, "a write through the failover client", func(ctx context.Context) error {
		return client.Set(ctx, "after", "2", 0).Err()
	})
	pc := promoted.Client()
	for key, want := range map[string]string{"before": "1", "after": "2"} {
		if got, err := pc.Get(ctx, key).Result(); err != nil || got != want {
			t.Errorf("GET %s on the promoted master %s = %q, %v; want %q", key, promoted.Addr(), got, err, want)
		}
	}
}
