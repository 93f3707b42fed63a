package redistest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
)

func TestReplicationAndRestart(t *testing.T) {
	ctx := context.Background()
	master := StartServer(t, ServerOptions{RequirePass: "s3cret", Directives: []string{"repl-backlog-size 2mb"}})
	replica := StartServer(t, ServerOptions{
		Host:            "127.0.0.2",
		ReplicaOf:       master.Process,
		ReplicaPriority: Priority(50),
		RequirePass:     "s3cret",
		MasterAuth:      "s3cret",
		ReplBacklogSize: "1mb",
	})
	if replica.Host() != "127.0.0.2" {
		t.Fatalf("replica host = %s, want 127.0.0.2", replica.Host())
	}

	mc := master.Client()
	if err := mc.Set(ctx, "k", "v1", 0).Err(); err != nil {
		t.Fatalf("SET on master: %v", err)
	}
	WaitInSync(t, 10*time.Second, master.Process, replica.Process)
	rc := replica.Client()
	if got, err := rc.Get(ctx, "k").Result(); err != nil || got != "v1" {
		t.Fatalf("GET k on replica = %q, %v; want v1", got, err)
	}
	cfg, err := rc.ConfigGet(ctx, "replica-priority").Result()
	if err != nil || cfg["replica-priority"] != "50" {
		t.Fatalf("replica-priority = %v, %v; want 50", cfg, err)
	}
	// The later directive wins, as in redis.conf: the master's Directives override the default.
	cfg, err = mc.ConfigGet(ctx, "repl-backlog-size").Result()
	if err != nil || cfg["repl-backlog-size"] != "2097152" {
		t.Fatalf("master repl-backlog-size = %v, %v; want 2097152", cfg, err)
	}

	oldPid, port := master.Pid(), master.Port()
	master.Kill()
	if !master.Exited() {
		t.Fatal("master still running after Kill")
	}
	if err := mc.Ping(ctx).Err(); err == nil {
		t.Fatal("PING to a killed master succeeded")
	}
	master.Restart()
	if master.Pid() == oldPid || master.Port() != port {
		t.Fatalf("after Restart pid %d port %d; want a new pid and port %d", master.Pid(), master.Port(), port)
	}
	// No persistence: the restarted master is empty and resyncs its replica.
	if err := mc.Set(ctx, "k", "v2", 0).Err(); err != nil {
		t.Fatalf("SET after restart: %v", err)
	}
	WaitInSync(t, 10*time.Second, master.Process, replica.Process)
	if got, err := rc.Get(ctx, "k").Result(); err != nil || got != "v2" {
		t.Fatalf("GET k on replica after master restart = %q, %v; want v2", got, err)
	}
}

func TestStopCont(t *testing.T) {
	ctx := context.Background()
	s := StartServer(t, ServerOptions{})
	s.Stop()
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, ReadTimeout: 200 * time.Millisecond})
	defer c.Close()
	err := c.Ping(ctx).Err()
	var netErr interface{ Timeout() bool }
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("PING to a stopped server: %v; want a timeout", err)
	}
	s.Cont()
	poll.Eventually(t, 5*time.Second, "PING after SIGCONT", func(ctx context.Context) error { return c.Ping(ctx).Err() })
}

func TestStockSentinelSeesTopology(t *testing.T) {
	master := StartServer(t, ServerOptions{})
	replica := StartServer(t, ServerOptions{ReplicaOf: master.Process})
	WaitReplicaOnline(t, 10*time.Second, master.Process, replica.Process)
	mon := []Monitor{{Name: "mymaster", Master: master.Process, Quorum: 2, DownAfter: time.Second}}
	s1 := StartRedisSentinel(t, SentinelOptions{Monitors: mon, RequirePass: "pw", Directives: []string{"sentinel sentinel-pass pw"}})
	s2 := StartRedisSentinel(t, SentinelOptions{Host: "127.0.0.3", Monitors: mon, RequirePass: "pw", Directives: []string{"sentinel sentinel-pass pw"}})
	WaitSentinelReady(t, 30*time.Second, "mymaster", master.Process, 1, 1, s1, s2)

	// The sentinel persists what it learned into the file the harness generated.
	conf, err := os.ReadFile(s1.ConfPath())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), "sentinel known-replica mymaster "+replica.Host()) {
		t.Fatalf("sentinel.conf does not list the replica:\n%s", conf)
	}
	noAuth := redis.NewSentinelClient(&redis.Options{Addr: s1.Addr(), MaxRetries: -1})
	defer noAuth.Close()
	if err := noAuth.Ping(context.Background()).Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
		t.Fatalf("PING without password: %v; want NOAUTH", err)
	}
}

func TestStartFailureReportsLog(t *testing.T) {
	ft := &fakeT{T: t}
	func() {
		defer func() { _ = recover() }()
		StartServer(ft, ServerOptions{Directives: []string{"no-such-directive yes"}})
	}()
	if !strings.Contains(ft.fatal, "exited before answering PING") {
		t.Fatalf("fatal message = %q; want the early exit reported", ft.fatal)
	}
	if !strings.Contains(strings.Join(ft.logs, "\n"), "Bad directive or wrong number of arguments") {
		t.Fatalf("the redis log with the config error was not dumped; logs: %q", ft.logs)
	}
}

func TestQuoteRoundTripsThroughRedis(t *testing.T) {
	ctx := context.Background()
	pass := "a b\"c\\d'e\x01é"
	s := StartServer(t, ServerOptions{RequirePass: pass})
	if err := s.Client().Ping(ctx).Err(); err != nil {
		t.Fatalf("AUTH with a password needing quotes: %v", err)
	}
}

// fakeT records Fatalf instead of ending the test, to check what the harness reports.
type fakeT struct {
	*testing.T
	fatal string
	logs  []string
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic(f.fatal)
}

func (f *fakeT) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func TestFixedPort(t *testing.T) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	s := StartServer(t, ServerOptions{Port: port})
	if s.Port() != port {
		t.Fatalf("Port() = %d, want the fixed %d", s.Port(), port)
	}
	if err := s.Client().Ping(context.Background()).Err(); err != nil {
		t.Fatalf("PING on the fixed port: %v", err)
	}
}
