package conf

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/redis-failover-operator/internal/poll"
	"github.com/failover-dev/redis-failover-operator/internal/redistest"
)

// The files stock redis-sentinel 7.0.15 writes must load, with what it learned.
func TestLoadsFileRewrittenByStockSentinel(t *testing.T) {
	master := redistest.StartServer(t, redistest.ServerOptions{})
	replica := redistest.StartServer(t, redistest.ServerOptions{ReplicaOf: master.Process})
	redistest.WaitReplicaOnline(t, 10*time.Second, master.Process, replica.Process)
	mon := []redistest.Monitor{{Name: "mymaster", Master: master.Process, Quorum: 2, DownAfter: 5 * time.Second, AuthPass: "unused-pass"}}
	s1 := redistest.StartRedisSentinel(t, redistest.SentinelOptions{Monitors: mon})
	s2 := redistest.StartRedisSentinel(t, redistest.SentinelOptions{Monitors: mon})
	redistest.WaitSentinelReady(t, 30*time.Second, "mymaster", master.Process, 1, 1, s1, s2)

	var cfg *Config
	poll.Eventually(t, 10*time.Second, "s1's file to list the other sentinel", func(context.Context) error {
		var err error
		if cfg, err = Load(s1.ConfPath()); err != nil {
			return err
		}
		if n := len(cfg.Master("mymaster").KnownSentinels); n != 1 {
			return fmt.Errorf("%d known sentinels", n)
		}
		return nil
	})
	m := cfg.Master("mymaster")
	if len(cfg.MyID) != RunIDLength || m.DownAfter != 5*time.Second || m.AuthPass.Reveal() != "unused-pass" ||
		len(m.KnownReplicas) != 1 || m.KnownReplicas[0] != (Addr{replica.Host(), replica.Port()}) ||
		m.KnownSentinels[0].Port != s2.Port() {
		t.Fatalf("loaded from stock's file: %v", cfg)
	}
	// And our rewrite of stock's file loads again.
	if err := Save(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(s1.ConfPath()); err != nil {
		t.Fatalf("reload after our save: %v", err)
	}
}

// Files Save writes must be accepted by stock redis-sentinel with the same meaning.
func TestStockSentinelAcceptsSavedFile(t *testing.T) {
	master := redistest.StartServer(t, redistest.ServerOptions{})
	cfg := New("")
	cfg.MyID = id1
	cfg.CurrentEpoch = 4
	cfg.AnnounceIP = "127.0.0.1"
	cfg.DenyScriptsReconfig = false
	m := NewMaster("my master", master.Host(), master.Port(), 1)
	m.DownAfter = 4321 * time.Millisecond
	m.FailoverTimeout = 54321 * time.Millisecond
	m.ParallelSyncs = 3
	m.AuthPass = `we"ird pass`
	m.ConfigEpoch = 2
	m.RenamedCommands = []RenamedCommand{{"CONFIG", "XCONFIG"}}
	cfg.Masters = []*Master{m}
	rendered := strings.Split(strings.TrimSpace(string(Render(nil, cfg))), "\n")

	s := redistest.StartRedisSentinel(t, redistest.SentinelOptions{Directives: rendered})
	c := s.SentinelClient()
	got, err := c.Master(context.Background(), "my master").Result()
	if err != nil {
		t.Fatalf("SENTINEL MASTER on stock after loading our file: %v", err)
	}
	for field, want := range map[string]string{
		"name": "my master", "port": strconv.Itoa(master.Port()), "quorum": "1", "down-after-milliseconds": "4321",
		"failover-timeout": "54321", "parallel-syncs": "3", "config-epoch": "2",
	} {
		if got[field] != want {
			t.Errorf("stock's %s = %q, want %q", field, got[field], want)
		}
	}
	if id, err := s.Client().Do(context.Background(), "SENTINEL", "MYID").Text(); err != nil || id != id1 {
		t.Errorf("stock's SENTINEL MYID = %q, %v; want our %s", id, err, id1)
	}
}
