package server

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// go-redis v9 is the client the operator and most Go users put in front of sentinels: its
// handshake (HELLO 3 with SETNAME, CLIENT SETINFO whose errors it ignores), its pub/sub with
// keepalive PINGs and its sentinel commands must all work against this server.
func TestGoRedisClient(t *testing.T) {
	for _, proto := range []int{3, 2} {
		t.Run("RESP"+string(rune('0'+proto)), func(t *testing.T) {
			ts := startServer(t, Options{RequirePass: "s3cret"})
			ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
			defer cancel()

			client := redis.NewClient(&redis.Options{
				Addr: ts.addr, Password: "s3cret", Protocol: proto, ClientName: "failover-test",
				MaxRetries: -1, DialTimeout: ioTimeout, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout,
			})
			defer func() { _ = client.Close() }()

			if err := client.Ping(ctx).Err(); err != nil {
				t.Fatalf("PING: %v", err)
			}
			name, err := client.ClientGetName(ctx).Result()
			if err != nil || name != "failover-test" {
				t.Fatalf("CLIENT GETNAME = %q, %v; want failover-test", name, err)
			}
			if err := client.Do(ctx, "CLIENT", "SETNAME", "renamed").Err(); err != nil {
				t.Fatalf("CLIENT SETNAME: %v", err)
			}
			if name, _ := client.ClientGetName(ctx).Result(); name != "renamed" {
				t.Fatalf("CLIENT GETNAME after SETNAME = %q, want renamed", name)
			}

			sub := client.Subscribe(ctx, "+switch-master")
			defer func() { _ = sub.Close() }()
			if _, err := sub.ReceiveTimeout(ctx, ioTimeout); err != nil {
				t.Fatalf("subscription confirmation: %v", err)
			}
			// go-redis's keepalive in subscribed mode.
			if err := sub.Ping(ctx, "keepalive"); err != nil {
				t.Fatalf("PING while subscribed: %v", err)
			}
			pong, err := sub.ReceiveTimeout(ctx, ioTimeout)
			if p, ok := pong.(*redis.Pong); err != nil || !ok || p.Payload != "keepalive" {
				t.Fatalf("PING while subscribed got %#v, %v; want Pong keepalive", pong, err)
			}
			ts.Publish("+switch-master", "mymaster 127.0.0.1 6390 127.0.0.1 6391")
			msg, err := sub.ReceiveMessage(ctx)
			if err != nil || msg.Channel != "+switch-master" || msg.Payload != "mymaster 127.0.0.1 6390 127.0.0.1 6391" {
				t.Fatalf("message = %+v, %v", msg, err)
			}

			sentinel := redis.NewSentinelClient(&redis.Options{Addr: ts.addr, Password: "s3cret", Protocol: proto, MaxRetries: -1})
			defer func() { _ = sentinel.Close() }()
			addr, err := sentinel.GetMasterAddrByName(ctx, "mymaster").Result()
			if err != nil || len(addr) != 2 || addr[0] != "127.0.0.1" || addr[1] != "6390" {
				t.Fatalf("GetMasterAddrByName = %v, %v", addr, err)
			}
			if _, err := sentinel.GetMasterAddrByName(ctx, "nosuch").Result(); err != redis.Nil {
				t.Fatalf("GetMasterAddrByName(nosuch) error = %v, want redis.Nil", err)
			}
			master, err := sentinel.Master(ctx, "mymaster").Result()
			if err != nil || master["num-other-sentinels"] != "2" || master["flags"] != "master" {
				t.Fatalf("SENTINEL MASTER = %v, %v", master, err)
			}

			wrong := redis.NewClient(&redis.Options{Addr: ts.addr, Password: "wrong", Protocol: proto, MaxRetries: -1,
				DialTimeout: time.Second})
			defer func() { _ = wrong.Close() }()
			if err := wrong.Ping(ctx).Err(); err == nil || err.Error() != "WRONGPASS invalid username-password pair or user is disabled." {
				t.Fatalf("PING with a wrong password = %v, want WRONGPASS", err)
			}
		})
	}
}

// go-redis's FailoverClient discovers the master through this server and follows a
// +switch-master published on it, against two real redis-servers standing in for the old and
// the new master. The canned backend supplies the address the engine would.
func TestGoRedisFailoverClientFollowsSwitchMaster(t *testing.T) {
	oldMaster := redistest.StartServer(t, redistest.ServerOptions{})
	newMaster := redistest.StartServer(t, redistest.ServerOptions{})
	ts := startServer(t, Options{})
	setMaster := func(p *redistest.Server) {
		ts.backend.mu.Lock()
		ts.backend.masterAddr = []string{p.Host(), strconv.Itoa(p.Port())}
		ts.backend.mu.Unlock()
	}
	setMaster(oldMaster)

	ctx, cancel := context.WithTimeout(context.Background(), 2*ioTimeout)
	defer cancel()
	client := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: "mymaster", SentinelAddrs: []string{ts.addr}, Protocol: 3,
		DialTimeout: ioTimeout, ReadTimeout: ioTimeout, WriteTimeout: ioTimeout,
	})
	defer func() { _ = client.Close() }()

	if err := client.Set(ctx, "k", "before", 0).Err(); err != nil {
		t.Fatalf("SET through the failover client: %v", err)
	}
	if got, err := oldMaster.Client().Get(ctx, "k").Result(); err != nil || got != "before" {
		t.Fatalf("old master has k = %q, %v; want the write to have gone there", got, err)
	}

	setMaster(newMaster)
	// Publish until the client has acted on it: go-redis subscribes in the background, so the
	// first events may go out before its subscription exists (as with a real sentinel).
	event := fmt.Sprintf("mymaster %s %d %s %d", oldMaster.Host(), oldMaster.Port(), newMaster.Host(), newMaster.Port())
	poll.Eventually(t, ioTimeout, "writes to reach the new master", func(ctx context.Context) error {
		ts.Publish("+switch-master", event)
		if err := client.Set(ctx, "k", "after", 0).Err(); err != nil {
			return err
		}
		got, err := newMaster.Client().Get(ctx, "k").Result()
		if err != nil || got != "after" {
			return fmt.Errorf("new master has k = %q, %v", got, err)
		}
		return nil
	})
}
